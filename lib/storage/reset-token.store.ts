import type { PasswordResetUserId } from '../users/password-reset-user-store.js';

/** A stored reset token, as every store returns it: its digest, never the plaintext. */
export interface ResetTokenRecord {
  /** The store's id for the token: a row id, or a random id in key-value stores. */
  id: string | number;
  userId: PasswordResetUserId;
  /** SHA-256 or HMAC-SHA256 of the token (see `digestToken`), hex. */
  tokenDigest: string;
  /** Digest of the credentials the token was issued for: it dies when they change. */
  credentialFingerprint: string;
  createdAt: Date;
  expiresAt: Date;
  ipAddress: string | null;
  userAgent: string;
  /** Wrong codes tried against an account-bound token. */
  failedAttempts: number;
}

/** A token about to be stored: the store assigns the id and starts the attempt count at 0. */
export type NewResetTokenRecord = Omit<ResetTokenRecord, 'id' | 'failedAttempts'>;

/**
 * The password write of a reset. `session` is the store's unit of work (a TypeORM `EntityManager` inside
 * the reset's transaction, or undefined): a user store on the same database writes through it to join the
 * transaction. Resolves false when the account's credentials changed since the token was checked.
 */
export type ResetTokenWrite = (session?: unknown) => Promise<boolean>;

/**
 * DI token and contract for where reset tokens live. Every operation is atomic on its own, across any
 * number of app instances sharing the store. Replace it through
 * `extraProviders: [{ provide: ResetTokenStore, useClass: MyStore }]`.
 */
export abstract class ResetTokenStore {
  /**
   * Stores `token` as its user's one token, replacing an earlier one. Concurrent saves for one user each
   * succeed; the last one is live. Resolves to the stored record.
   */
  abstract save(token: NewResetTokenRecord): Promise<ResetTokenRecord>;

  abstract findByDigest(tokenDigest: string): Promise<ResetTokenRecord | null>;

  /**
   * The user's live token, if any.
   *
   * `null`: the same lookup for no user, resolving null. The service sends it for an unknown account, so its
   * answer takes as long as one for an account without a token. A lookup that finds nothing should cost what
   * one that finds a token costs, too (the shipped stores get a row back either way and decode the last record
   * found once more), so that neither answers faster than one for an account with a code.
   */
  abstract findByUser(userId: PasswordResetUserId | null): Promise<ResetTokenRecord | null>;

  /**
   * Removes `token` if it is still stored with the same digest. Resolves true for exactly one of any number
   * of concurrent callers; false once the token is used, deleted, or replaced by a newer request.
   */
  abstract claim(token: ResetTokenRecord): Promise<boolean>;

  /** Puts a claimed token back, unless the user has a newer token by now. */
  abstract restore(token: ResetTokenRecord): Promise<void>;

  /** Deletes `token` (expired, or its credentials changed), unless a newer token replaced it. */
  abstract delete(token: ResetTokenRecord): Promise<void>;

  abstract deleteAllOf(userId: PasswordResetUserId): Promise<void>;

  /**
   * Counts one attempt against `token` and deletes the token once the count reaches `maxAttempts`,
   * in one atomic step. Resolves to the count after this attempt, or 0 when the token was gone (used,
   * deleted, replaced, or never stored): among concurrent callers each count from 1 to `maxAttempts` goes
   * to exactly one, and no attempt is counted beyond it. The service counts every guess at an account-bound
   * code this way before comparing it, and compares only a guess the store admitted.
   *
   * `null`: the same work for a token that cannot exist, resolving 0, and changing nothing. The service sends it
   * for an unknown account or one without a code, so their answers take as long as a wrong guess at a live code.
   * The same work includes the write: an engine skips an update that matches no row or changes nothing
   * (SQLite, InnoDB, Redis) and with it the write and its commit, measurably faster than a count. So write
   * something that leaves every record as it was: the TypeORM store rewrites one row with its own values on
   * SQLite and PostgreSQL (not yet on MySQL/MariaDB), the Redis store writes a key of its own and deletes it
   * in the same script.
   */
  abstract recordFailedAttempt(token: ResetTokenRecord | null, maxAttempts: number): Promise<number>;

  /**
   * Takes back one attempt counted by `recordFailedAttempt` (the guess was the right code): lowers the count
   * by one, never below 0, in one atomic step; does nothing when the token is gone or was replaced.
   */
  abstract releaseAttempt(token: ResetTokenRecord): Promise<void>;

  /** Deletes up to `limit` expired tokens, oldest first; resolves to the number deleted. */
  abstract deleteExpired(limit: number): Promise<number>;

  /**
   * Resolves if the store answers, for health checks: by default a lookup of a digest no token has. Override it
   * with a cheaper probe if your store has one.
   */
  async ping(): Promise<void> {
    await this.findByDigest('0'.repeat(64));
  }

  /**
   * Claims `token` and runs `write`, the password change. If `write` resolves true, every token of the user
   * goes too. If it throws, the token is put back. Resolves false when the claim was lost or `write` said the
   * credentials changed (the token is gone then: it could never be valid again).
   *
   * This default is the claim as commit point, then the write: a store whose engine has transactions
   * overrides it to make the three steps one unit.
   */
  async redeem(token: ResetTokenRecord, write: ResetTokenWrite): Promise<boolean> {
    if (!(await this.claim(token))) return false;
    let written: boolean;
    try {
      written = await write();
    } catch (error) {
      await this.restore(token);
      throw error;
    }
    if (written) await this.deleteAllOf(token.userId);
    return written;
  }

  /** Deletes every expired token, `batchSize` at a time, so no statement holds locks for long. */
  async clearExpired(batchSize: number): Promise<number> {
    let total = 0;
    for (let deleted = batchSize; deleted >= batchSize;) {
      deleted = await this.deleteExpired(batchSize);
      total += deleted;
    }
    return total;
  }
}
