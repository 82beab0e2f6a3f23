// A worked example for the README: reset tokens in PostgreSQL through plain node-postgres, for apps on
// Prisma, Drizzle or Knex rather than TypeORM. The contract suite runs against it, so it stays correct.
import type { Pool, PoolClient, QueryResultRow } from 'pg';
// In an app: import { … } from 'nestjs-password-reset'.
import type { PasswordResetUserId } from '../../lib/users/password-reset-user-store.js';
import {
  NewResetTokenRecord,
  ResetTokenRecord,
  ResetTokenStore,
  ResetTokenWrite,
} from '../../lib/storage/reset-token.store.js';

const COLUMNS = `id, user_id, token_digest, credential_fingerprint, created_at, expires_at, ip_address, user_agent,
  failed_attempts`;

interface TokenRow extends QueryResultRow {
  id: string;
  user_id: number;
  token_digest: string;
  credential_fingerprint: string;
  created_at: Date;
  expires_at: Date;
  ip_address: string | null;
  user_agent: string;
  failed_attempts: number;
}

/** A pool or one of its clients inside a transaction. */
type Queryable = Pick<PoolClient, 'query'>;

export class PgResetTokenStore extends ResetTokenStore {
  constructor(protected readonly pool: Pool) {
    super();
  }

  /** The unique keys are the rules: one token per user, one user per digest. Your users table's key type. */
  async createSchema(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS password_reset_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id integer NOT NULL UNIQUE, -- REFERENCES users (id) ON DELETE CASCADE
        token_digest varchar(64) NOT NULL UNIQUE,
        credential_fingerprint varchar(64) NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ip_address varchar(45),
        user_agent varchar(512) NOT NULL DEFAULT '',
        failed_attempts integer NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS password_reset_tokens_expires_at ON password_reset_tokens (expires_at);`);
  }

  /** One statement, so concurrent requests for a user each succeed and the last one's token is live. */
  async save(token: NewResetTokenRecord): Promise<ResetTokenRecord> {
    const { rows } = await this.pool.query<TokenRow>(
      `INSERT INTO password_reset_tokens (user_id, token_digest, credential_fingerprint, created_at, expires_at,
         ip_address, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id) DO UPDATE SET id = gen_random_uuid(), token_digest = excluded.token_digest,
         credential_fingerprint = excluded.credential_fingerprint, created_at = excluded.created_at,
         expires_at = excluded.expires_at, ip_address = excluded.ip_address, user_agent = excluded.user_agent,
         failed_attempts = 0
       RETURNING ${COLUMNS}`,
      [
        token.userId,
        token.tokenDigest,
        token.credentialFingerprint,
        token.createdAt,
        token.expiresAt,
        token.ipAddress,
        token.userAgent,
      ],
    );
    return toRecord(rows[0]);
  }

  async findByDigest(tokenDigest: string): Promise<ResetTokenRecord | null> {
    return this.findOne('token_digest = $1', tokenDigest);
  }

  /** null (an unknown account): the same kind of lookup, by a digest no token has. */
  async findByUser(userId: PasswordResetUserId | null): Promise<ResetTokenRecord | null> {
    return userId === null ? this.findOne('token_digest = $1', '') : this.findOne('user_id = $1', userId);
  }

  /** Id and digest: a token replaced by a newer request has lost. The row count picks the one winner. */
  async claim(token: ResetTokenRecord, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM password_reset_tokens WHERE id = $1 AND token_digest = $2', [
      token.id,
      token.tokenDigest,
    ]);
    return rowCount === 1;
  }

  /** A newer token of the user (or the digest taken) is a conflict: then nothing is written. */
  async restore(token: ResetTokenRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO password_reset_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING`,
      [
        token.id,
        token.userId,
        token.tokenDigest,
        token.credentialFingerprint,
        token.createdAt,
        token.expiresAt,
        token.ipAddress,
        token.userAgent,
        token.failedAttempts,
      ],
    );
  }

  async delete(token: ResetTokenRecord): Promise<void> {
    await this.claim(token);
  }

  async deleteAllOf(userId: PasswordResetUserId, db: Queryable = this.pool): Promise<void> {
    await db.query('DELETE FROM password_reset_tokens WHERE user_id = $1', [userId]);
  }

  /**
   * The UPDATE locks the row until COMMIT: concurrent calls wait, then count on or find the row deleted,
   * so each count up to the cap goes to one caller and none beyond it.
   */
  async recordFailedAttempt(token: ResetTokenRecord | null, maxAttempts: number): Promise<number> {
    return this.transaction(async (db) => {
      if (!token) {
        // null (an unknown account): one row rewritten with its own values. PostgreSQL writes a row version for
        // it and commits as for a count, and nothing changes; a row another transaction holds is skipped.
        await db.query(
          `UPDATE password_reset_tokens SET failed_attempts = failed_attempts
           WHERE id = (SELECT id FROM password_reset_tokens ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)`,
        );
        return 0;
      }
      const { rows } = await db.query<{ failed_attempts: number }>(
        `UPDATE password_reset_tokens SET failed_attempts = failed_attempts + 1
         WHERE id = $1 AND token_digest = $2 RETURNING failed_attempts`,
        [token.id, token.tokenDigest],
      );
      const count = rows[0]?.failed_attempts ?? 0;
      if (count >= maxAttempts) await db.query('DELETE FROM password_reset_tokens WHERE id = $1', [token.id]);
      return count;
    });
  }

  async releaseAttempt(token: ResetTokenRecord): Promise<void> {
    await this.pool.query(
      `UPDATE password_reset_tokens SET failed_attempts = failed_attempts - 1
       WHERE id = $1 AND token_digest = $2 AND failed_attempts > 0`,
      [token.id, token.tokenDigest],
    );
  }

  async deleteExpired(limit: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM password_reset_tokens WHERE id IN (
         SELECT id FROM password_reset_tokens WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2
       )`,
      [new Date(), limit],
    );
    return rowCount ?? 0;
  }

  /**
   * Claim, password write and clean-up in one transaction: a failing write rolls the claim back, and a
   * concurrent redeem waits on the row lock instead of losing to a claim that is then undone. `write`
   * receives the transaction's client, so a user store on this database can write through it.
   */
  override async redeem(token: ResetTokenRecord, write: ResetTokenWrite): Promise<boolean> {
    return this.transaction(async (db) => {
      if (!(await this.claim(token, db))) return false;
      if (!(await write(db))) return false;
      await this.deleteAllOf(token.userId, db);
      return true;
    });
  }

  protected async findOne(where: string, value: unknown): Promise<ResetTokenRecord | null> {
    const { rows } = await this.pool.query<TokenRow>(`SELECT ${COLUMNS} FROM password_reset_tokens WHERE ${where}`, [
      value,
    ]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  protected async transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}

function toRecord(row: TokenRow): ResetTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tokenDigest: row.token_digest,
    credentialFingerprint: row.credential_fingerprint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    failedAttempts: row.failed_attempts,
  };
}
