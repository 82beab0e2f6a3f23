import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { timingSafeEqual } from 'node:crypto';
import { MoreThanOrEqual, QueryFailedError, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { clearExpiredTokens, deleteExpiredBatch } from './entities/expired-token-cleanup.js';
import { ResetToken } from './entities/reset-token.entity.js';
import { createTokenUpsert, TokenUpsert } from './entities/token-upsert.js';
import { PasswordResetConfigurationError } from './exceptions/password-reset-configuration.error.js';
import {
  InvalidResetTokenException,
  PasswordResetBadRequestException,
} from './exceptions/password-reset.exceptions.js';
import {
  PASSWORD_RESET_OPTIONS,
  PASSWORD_RESET_TOKEN_REPOSITORY,
  WEAK_TOKEN_ENTROPY_BITS,
} from './password-reset.constants.js';
import {
  PasswordResetEventName,
  PasswordResetEvents,
  PostResetEvent,
  PreResetEvent,
  TokenCreatedEvent,
} from './password-reset.events.js';
import type { ResolvedPasswordResetOptions } from './password-reset.options.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { BaseTokenGenerator } from './tokens/base-token-generator.js';
import { MAX_TOKEN_LENGTH } from './tokens/random-string-token.generator.js';
import { digestToken } from './tokens/token-digest.js';
import { PasswordResetUserStore } from './users/password-reset-user-store.js';
import { normaliseIpAddress, normaliseUserAgent, PasswordResetClientInfo } from './utils/client-info.util.js';
import { foldIdentifier } from './utils/identifier.util.js';
import { redactSecretInError, redactText } from './utils/redact.util.js';

/** A token that passed every check, with its user. */
export interface ValidatedResetToken<User extends object = object> {
  user: User;
  resetToken: ResetToken;
}

/** A newly issued token: `token` is the plaintext, to be delivered and then forgotten. */
export interface IssuedResetToken {
  token: string;
  resetToken: ResetToken;
}

/**
 * A request that loses the insert race on the unique userId replaces the winner's row next round; it only
 * fails again if that row is deleted in between (a confirm or cleanup), so few rounds are needed.
 */
const ISSUE_ATTEMPTS = 3;

/** The request path looks for expired tokens at most this often per process (see `cleanUpExpired`). */
export const EXPIRED_CLEANUP_INTERVAL_MS = 1000;

/** Token requests answered but not yet processed, at most. */
export const MAX_PENDING_TOKEN_REQUESTS = 1000;

@Injectable()
export class PasswordResetService implements BeforeApplicationShutdown {
  protected readonly logger = new Logger('PasswordReset');
  /** Request work that runs after the response was sent (see `scheduleTokenRequest`). */
  private readonly pending = new Set<Promise<void>>();
  /** When the request path may next look for expired tokens (epoch ms). */
  private nextCleanupAt = 0;
  /** Built on first use; null where the engine has no single-statement upsert with RETURNING. */
  private upsert?: TokenUpsert | null;
  /** Validate and confirm then also name the account, and wrong codes are counted against it. */
  readonly tokensBoundToAccount: boolean;

  constructor(
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
    @Inject(PASSWORD_RESET_TOKEN_REPOSITORY) protected readonly tokens: Repository<ResetToken>,
    protected readonly users: PasswordResetUserStore,
    protected readonly tokenGenerator: BaseTokenGenerator,
    protected readonly passwordHasher: PasswordHasher,
    @Optional() protected readonly events?: EventEmitter2,
  ) {
    if (!events) {
      throw new PasswordResetConfigurationError(
        'EventEmitter2 is not available: import EventEmitterModule.forRoot() from @nestjs/event-emitter in your app',
      );
    }
    const weak = tokenGenerator.entropyBits < WEAK_TOKEN_ENTROPY_BITS;
    this.tokensBoundToAccount = options.accountBoundTokens ?? weak;
    if (this.tokensBoundToAccount && !options.tokenSecret) {
      throw new PasswordResetConfigurationError(
        'tokenSecret is required for account-bound tokens (short codes): without a key, a copy of the token table reveals them',
      );
    }
    if (weak && !this.tokensBoundToAccount) {
      this.logger.warn(
        `tokenGenerator: tokens carry only ${tokenGenerator.entropyBits.toFixed(1)} bits and can be guessed online; ` +
          'set accountBoundTokens: true',
      );
    }
  }

  /**
   * Issues a token to every eligible account whose lookup field matches `lookupValue` and emits
   * TokenCreated for each. Unknown or ineligible accounts: nothing happens, unless
   * `noInformationLeakage` is false, then a 400.
   */
  async requestToken(lookupValue: string, client: PasswordResetClientInfo = {}): Promise<void> {
    await this.cleanUpExpired();
    const users = await this.findEligibleUsers(lookupValue);
    if (users.length === 0 && !this.options.noInformationLeakage) {
      throw new PasswordResetBadRequestException([this.options.messages.unknownAccount(this.options.lookupField)]);
    }
    for (const user of users) {
      const issued = await this.createToken(user, client);
      await this.emit(PasswordResetEvents.TokenCreated, this.tokenCreatedEvent(user, issued), issued.token);
    }
  }

  /**
   * Runs `requestToken` after the caller has answered, so the response time cannot tell whether an
   * account exists. Failures are logged, never returned. `drain()` waits for the work in flight.
   */
  scheduleTokenRequest(lookupValue: string, client: PasswordResetClientInfo = {}): void {
    if (this.pending.size >= MAX_PENDING_TOKEN_REQUESTS) {
      // A flood the throttles let through must not grow memory without bound; the client just asks again.
      this.logger.warn(`${MAX_PENDING_TOKEN_REQUESTS} token requests are already waiting: one was dropped`);
      return;
    }
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.requestToken(lookupValue, client))
      .catch((error: unknown) => this.logger.error(`Token request failed: ${describeError(error)}`))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** Resolves once every scheduled token request has finished. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /**
   * Issues a token for a user chosen by your code (an admin invite, a forced reset) and emits
   * TokenCreated; a failing listener rejects this call. Replaces the user's earlier token.
   */
  async issueTokenFor<User extends object>(
    user: User,
    client: PasswordResetClientInfo = {},
  ): Promise<IssuedResetToken> {
    const issued = await this.createToken(user, client);
    await this.events!.emitAsync(PasswordResetEvents.TokenCreated, this.tokenCreatedEvent(user, issued));
    return issued;
  }

  /**
   * The token's user, if the token is live and the user may reset; otherwise the generic 404. With
   * account-bound tokens, `account` is the lookup value the code was requested for.
   */
  async validateToken(token: string, account?: string): Promise<ValidatedResetToken> {
    const resetToken = await this.findToken(token, account);
    if (!resetToken) throw this.invalidToken();
    if (resetToken.expiresAt.getTime() <= Date.now()) {
      await this.tokens.delete({ id: resetToken.id });
      throw this.invalidToken();
    }
    // An account-bound code brings the user it was found through (see findToken); others load theirs.
    const user = (resetToken.user as object | undefined) ?? (await this.users.findById(resetToken.userId));
    delete resetToken.user;
    if (!user) throw this.invalidToken();
    if (this.credentialFingerprint(user) !== resetToken.credentialFingerprint) {
      // Password or email changed since the token was issued: it can never be valid again.
      await this.tokens.delete({ id: resetToken.id });
      throw this.invalidToken();
    }
    // An ineligible user keeps the token: it may work again once the account is reactivated.
    if (!this.isEligible(user)) throw this.invalidToken();
    return { user, resetToken };
  }

  /**
   * Sets a new password with a live token. The token is claimed by a conditional delete whose row count
   * picks exactly one winner among concurrent confirms; every token of the user is gone afterwards.
   */
  async confirmReset(token: string, password: string, account?: string): Promise<ValidatedResetToken> {
    const { user, resetToken } = await this.validateToken(token, account);
    let passwordHash: string;
    try {
      await this.checkPassword(password, user);
      passwordHash = await this.passwordHasher.hash(password);
    } catch (error) {
      // The 400 is the module's answer to whoever typed the password, never rewritten. Anything else comes
      // from validators or hashers that may be the app's own: an error quoting the password must not reach the logs.
      if (error instanceof PasswordResetBadRequestException) throw error;
      throw redactSecretInError(error, password);
    }

    const claim = await this.tokens.delete({ id: resetToken.id, tokenDigest: resetToken.tokenDigest });
    if (!claim.affected) throw this.invalidToken();
    try {
      await this.events!.emitAsync(PasswordResetEvents.PreReset, new PreResetEvent(user, resetToken));
    } catch (error) {
      await this.restoreToken(resetToken);
      throw error;
    }
    await this.users.setPasswordHash(user, passwordHash);
    // Catches a token issued by a request that raced this confirm.
    await this.deleteTokensOf(user);
    await this.emit(PasswordResetEvents.PostReset, new PostResetEvent(user, resetToken));
    return { user, resetToken };
  }

  /** Deletes every expired token, in batches of `cleanupBatchSize` so no statement holds locks for long. */
  async clearExpired(): Promise<number> {
    return clearExpiredTokens(this.tokens, this.options.cleanupBatchSize);
  }

  /** Runs the validators; the 400 lists every reason. */
  protected async checkPassword(password: string, user: object): Promise<void> {
    const reasons: string[] = [];
    const maxBytes = this.passwordHasher.maxPasswordBytes;
    if (maxBytes !== undefined && Buffer.byteLength(password, 'utf8') > maxBytes) {
      reasons.push(this.options.messages.passwordTooLong(maxBytes));
    }
    const attributes = {
      email: this.users.getAttribute(user, 'email'),
      username: this.users.getAttribute(user, 'username'),
    };
    for (const validator of this.options.passwordValidators) {
      reasons.push(...(await validator.validate(password, attributes)));
    }
    if (reasons.length) throw new PasswordResetBadRequestException(reasons);
  }

  /** The one answer for every bad token (DESIGN §3), in the app's wording. */
  protected invalidToken(): InvalidResetTokenException {
    return new InvalidResetTokenException(this.options.messages.invalidToken());
  }

  protected isEligible(user: object): boolean {
    if (!this.users.isActive(user)) return false;
    if (!this.options.requireUsablePassword) return true;
    const hash = this.users.getPasswordHash(user);
    // Django marks unusable passwords with a leading "!"; apps migrated from it keep that convention.
    return !!hash && !hash.startsWith('!');
  }

  /** Lookup, then exact Unicode equality with the stored value, then eligibility, each account on its own. */
  protected async findEligibleUsers(lookupValue: string): Promise<object[]> {
    return (await this.findMatchingUsers(lookupValue)).filter((user) => this.isEligible(user));
  }

  protected async findMatchingUsers(lookupValue: string): Promise<object[]> {
    const field = this.options.lookupField;
    const folded = foldIdentifier(lookupValue);
    const candidates = await this.users.findByLookup(field, lookupValue);
    return candidates.filter((user) => {
      const stored = this.users.getAttribute(user, field);
      return stored !== null && foldIdentifier(stored) === folded;
    });
  }

  /**
   * Long tokens are found by digest alone. Account-bound codes are looked for only on the named account's
   * token, and every miss there counts towards revoking it; a match carries that account as `user`.
   */
  protected async findToken(token: string, account?: string): Promise<ResetToken | null> {
    if (!this.tokensBoundToAccount) {
      return this.tokens.findOne({ where: { tokenDigest: this.digest(token) } });
    }
    if (account === undefined) return null;
    for (const user of await this.findMatchingUsers(account)) {
      const resetToken = await this.tokens.findOne({ where: { user: this.userReference(user) } });
      if (!resetToken) continue;
      if (digestsEqual(resetToken.tokenDigest, this.tokenDigestFor(user, token)))
        return Object.assign(resetToken, { user });
      await this.countFailedAttempt(resetToken);
    }
    return null;
  }

  /** Revokes the code once it has taken `maxFailedAttempts` wrong guesses; atomic across instances. */
  protected async countFailedAttempt(resetToken: ResetToken): Promise<void> {
    await this.tokens.increment({ id: resetToken.id }, 'failedAttempts', 1);
    await this.tokens.delete({ id: resetToken.id, failedAttempts: MoreThanOrEqual(this.options.maxFailedAttempts) });
  }

  protected async createToken(user: object, client: PasswordResetClientInfo): Promise<IssuedResetToken> {
    const token = await this.tokenGenerator.generateToken();
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new Error(`tokenGenerator must return a non-empty string of at most ${MAX_TOKEN_LENGTH} characters`);
    }
    const now = Date.now();
    const values = {
      user: this.userReference(user),
      tokenDigest: this.tokenDigestFor(user, token),
      credentialFingerprint: this.credentialFingerprint(user),
      createdAt: new Date(now),
      expiresAt: new Date(now + this.options.tokenTtl * 1000),
      ipAddress: normaliseIpAddress(client.ipAddress),
      userAgent: normaliseUserAgent(client.userAgent),
    };
    const resetToken = this.tokens.create({ ...values, id: await this.storeToken(values), failedAttempts: 0 });
    resetToken.userId = this.users.getId(user);
    delete resetToken.user;
    return { token, resetToken };
  }

  /**
   * Writes the user's one token, replacing an earlier one in place: each statement is atomic, so concurrent
   * requests for one account (on any number of instances) each succeed and the last one's token is live.
   * Resolves to the row id, or undefined if a later request already replaced this token.
   */
  protected async storeToken(values: QueryDeepPartialEntity<ResetToken>): Promise<number | undefined> {
    this.upsert ??= createTokenUpsert(this.tokens);
    if (this.upsert) return this.upsert({ ...values, failedAttempts: 0 });
    // MySQL and MariaDB: an UPDATE, then an INSERT if the user had no token.
    const { user, ...columns } = values;
    for (let attempt = 1; ; attempt++) {
      const replaced = await this.tokens.update({ user: user as object }, { ...columns, failedAttempts: 0 });
      if (replaced.affected) {
        const row = await this.tokens.findOne({
          select: { id: true },
          where: { tokenDigest: values.tokenDigest as string },
        });
        return row?.id;
      }
      try {
        const { identifiers } = await this.tokens.insert(values);
        return identifiers[0].id as number;
      } catch (error) {
        // Another request inserted this user's token first: the next round replaces it.
        if (attempt >= ISSUE_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }

  protected tokenCreatedEvent(user: object, { token, resetToken }: IssuedResetToken): TokenCreatedEvent {
    return new TokenCreatedEvent(user, token, resetToken, resetToken.ipAddress, resetToken.userAgent);
  }

  /** A token refused by a PreReset listener goes back, unless a newer token took its place meanwhile. */
  protected async restoreToken(resetToken: ResetToken): Promise<void> {
    const { userId, ...columns } = resetToken;
    try {
      await this.tokens.insert({ ...columns, user: { [this.userPrimaryKey]: userId } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  protected async deleteTokensOf(user: object): Promise<void> {
    await this.tokens.delete({ user: this.userReference(user) });
  }

  protected async deleteExpired(limit: number): Promise<number> {
    return (await deleteExpiredBatch(this.tokens, limit)).deleted;
  }

  /**
   * The request path's share of the cleanup, so expired tokens go without a cron job: one bounded batch at most
   * once per `EXPIRED_CLEANUP_INTERVAL_MS`, and on the next request again while batches come back full, so a
   * backlog still shrinks by a batch per request. Most requests then skip the query.
   */
  private async cleanUpExpired(): Promise<void> {
    if (Date.now() < this.nextCleanupAt) return;
    this.nextCleanupAt = Date.now() + EXPIRED_CLEANUP_INTERVAL_MS;
    const limit = this.options.cleanupBatchSize;
    if ((await this.deleteExpired(limit)) >= limit) this.nextCleanupAt = 0;
  }

  /** Emits a notification event; a failing listener is logged (with the token masked) and ignored. */
  protected async emit(name: PasswordResetEventName, payload: object, secret?: string): Promise<void> {
    try {
      await this.events!.emitAsync(name, payload);
    } catch (error) {
      this.logger.error(`A ${name} listener failed: ${describeError(error, secret)}`);
    }
  }

  protected digest(token: string): string {
    return digestToken(token, this.options.tokenSecret);
  }

  /** Account-bound codes are short and repeat across users: their digest includes the user's id. */
  protected tokenDigestFor(user: object, token: string): string {
    return this.digest(this.tokensBoundToAccount ? `${this.users.getId(user)}\u0000${token}` : token);
  }

  /** Binds a token to the credentials it was issued for. */
  protected credentialFingerprint(user: object): string {
    const passwordHash = this.users.getPasswordHash(user) ?? '';
    const email = this.users.getAttribute(user, 'email') ?? '';
    return this.digest(`${passwordHash}\u0000${email}`);
  }

  private userReference(user: object): Record<string, unknown> {
    return { [this.userPrimaryKey]: this.users.getId(user) };
  }

  private get userPrimaryKey(): string {
    return this.tokens.metadata.findRelationWithPropertyPath('user')!.inverseEntityMetadata.primaryColumns[0]
      .propertyName;
  }
}

function digestsEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, errno } = error.driverError as { code?: string; errno?: number };
  return code === '23505' || code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** An error's name and message for the log, with a secret (the token) masked wherever it appears. */
function describeError(error: unknown, secret?: string): string {
  return redactText(error instanceof Error ? `${error.name}: ${error.message}` : String(error), secret);
}
