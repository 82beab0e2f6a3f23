import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { EventEmitter2, EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { currentPasswordResetLocale } from './i18n/password-reset-locale.context.js';
import { PasswordResetConfigurationError } from './exceptions/password-reset-configuration.error.js';
import {
  InvalidResetTokenException,
  PasswordResetBadRequestException,
  PasswordResetThrottledException,
  PasswordResetUnavailableException,
  SecondFactorRequiredException,
} from './exceptions/password-reset.exceptions.js';
import {
  MAX_TOKEN_LENGTH,
  PASSWORD_RESET_LOGGER_CONTEXT,
  PASSWORD_RESET_OPTIONS,
  WEAK_TOKEN_ENTROPY_BITS,
} from './password-reset.constants.js';
import {
  DeliveryFailedEvent,
  PasswordRejectedEvent,
  PasswordResetEventName,
  PasswordResetEvents,
  PostResetEvent,
  PreResetEvent,
  RequestSuppressedEvent,
  RequestUnmatchedEvent,
  ResetCommittingEvent,
  ThrottledEvent,
  TokenCreatedEvent,
  TokenRejectedEvent,
  TokenRejectionReason,
} from './password-reset.events.js';
import { PasswordResetAudit } from './observability/password-reset-audit.js';
import type { ResolvedPasswordResetOptions } from './password-reset.options.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { TokenRequest, TokenRequestAttempt, TokenRequestQueue } from './queue/token-request.queue.js';
import { checkProofFields, SecondFactorProof, SecondFactorVerifier } from './second-factor/second-factor-verifier.js';
import { ResetTokenRecord, ResetTokenStore } from './storage/reset-token.store.js';
import { PasswordResetThrottler } from './throttling/password-reset-throttler.js';
import { BaseTokenGenerator } from './tokens/base-token-generator.js';
import { credentialFingerprint, tokenDigestFor } from './tokens/token-digest.js';
import { PasswordResetUserStore } from './users/password-reset-user-store.js';
import {
  clientThrottleKey,
  normaliseIpAddress,
  normaliseUserAgent,
  PasswordResetClientInfo,
} from './utils/client-info.util.js';
import { foldIdentifier } from './utils/identifier.util.js';
import { describeError, redactSecretInError } from './utils/redact.util.js';

/** A token that passed every check, with its user. */
export interface ValidatedResetToken<User extends object = object> {
  user: User;
  resetToken: ResetTokenRecord;
}

/** A newly issued token: `token` is the plaintext, to be delivered and then forgotten. */
export interface IssuedResetToken {
  token: string;
  resetToken: ResetTokenRecord;
}

/**
 * What the queue gets of a failed delivery: the reason was logged (redacted), and this error may be stored
 * (BullMQ keeps it in Redis), so it names no one and quotes nothing.
 */
class RetriedDelivery extends Error {
  constructor(attempt: number) {
    super(`A ${PasswordResetEvents.TokenCreated} listener failed on attempt ${attempt}`);
  }
}

/**
 * How a counted guess at a token went (see `countedGuess`): right, wrong, wrong and the token revoked for it, or
 * not admitted (the token is gone or its attempts are used up), so never checked.
 */
type GuessOutcome = 'right' | 'wrong' | 'revoked' | 'refused';

/** What `findToken` found: the token, or why there is none (and whose it was, when known). */
type FoundToken =
  | { user?: object; resetToken: ResetTokenRecord }
  | { rejected: TokenRejectionReason; user?: object; resetToken?: undefined };

/** The request path looks for expired tokens at most this often per process (see `cleanUpExpired`). */
export const EXPIRED_CLEANUP_INTERVAL_MS = 1000;

/** The reset flow: request, validate, confirm. Storage, users, tokens and passwords are strategies. */
@Injectable()
export class PasswordResetService implements OnModuleInit {
  protected readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);
  /** Validate and confirm then also name the account, and wrong codes are counted against its token. */
  readonly tokensBoundToAccount: boolean;
  /** The confirm body fields that carry a second-factor proof: the verifier's, none without one. */
  readonly proofFields: readonly string[];
  private readonly events: EventEmitter2;
  /** Audit events and metrics for every outcome. */
  protected readonly audit: PasswordResetAudit;
  /** When the request path may next look for expired tokens (epoch ms). */
  private nextCleanupAt = 0;
  /** What a guess is compared with when there is no code to compare it with: the digest of no token. */
  private readonly dummyDigest = randomBytes(32).toString('hex');

  constructor(
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
    protected readonly tokens: ResetTokenStore,
    protected readonly users: PasswordResetUserStore,
    protected readonly tokenGenerator: BaseTokenGenerator,
    protected readonly passwordHasher: PasswordHasher,
    protected readonly throttler: PasswordResetThrottler,
    protected readonly queue: TokenRequestQueue,
    @Optional() events?: EventEmitter2,
    @Optional() private readonly listenersReady?: EventEmitterReadinessWatcher,
    @Optional() protected readonly secondFactor?: SecondFactorVerifier,
    @Optional() audit?: PasswordResetAudit,
  ) {
    if (!events) {
      throw new PasswordResetConfigurationError(
        'EventEmitter2 is not available: import EventEmitterModule.forRoot() from @nestjs/event-emitter in your app',
      );
    }
    this.events = events;
    this.audit = audit ?? new PasswordResetAudit(options, users, events);
    const weak = tokenGenerator.entropyBits < WEAK_TOKEN_ENTROPY_BITS;
    this.tokensBoundToAccount = options.accountBoundTokens ?? weak;
    if (this.tokensBoundToAccount && !options.tokenSecret) {
      throw new PasswordResetConfigurationError(
        'tokenSecret is required for account-bound tokens (short codes): without a key, a copy of the token table reveals them',
      );
    }
    this.proofFields = secondFactor
      ? checkProofFields(secondFactor.proofFields, ['token', 'password', options.lookupField])
      : [];
    if (options.secondFactorOnValidation && !secondFactor) {
      throw new PasswordResetConfigurationError(
        'option "secondFactorOnValidation" needs a SecondFactorVerifier: provide one in extraProviders',
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
   * The queue runs answered requests from now on. Each waits until @nestjs/event-emitter has registered the
   * app's listeners: a worker may take a request while the app is still starting, and a TokenCreated with no
   * listener yet would deliver nothing.
   */
  async onModuleInit(): Promise<void> {
    const ready = this.listenersReady?.waitUntilReady() ?? Promise.resolve();
    await this.queue.start(async (request, attempt) => {
      await ready;
      await this.runTokenRequest(request, attempt);
    }, this.options.queue);
  }

  /**
   * What the request endpoint does, for any route of the app's own (GraphQL, RPC): counts the request against
   * the account's limit (over it, nothing is sent), then with `noInformationLeakage` hands it to the queue and
   * returns, so neither the answer nor its timing tells whether the account exists. A queue that cannot take
   * it (full, or its Redis down) gives a 503, for every account alike.
   */
  async requestPasswordReset(lookupValue: string, client: PasswordResetClientInfo = {}): Promise<void> {
    // Counted for every identifier, known or not. The client's share first: its requests past it do not use
    // up the account's limit, so one attacker address cannot keep the owner from getting a code.
    const folded = foldIdentifier(lookupValue);
    if (!(await this.throttler.hit('accountPerClient', this.accountClientKey(folded, client))).allowed) {
      return this.suppressed(lookupValue, 'accountPerClient', client);
    }
    if (!(await this.throttler.hit('account', folded)).allowed) return this.suppressed(lookupValue, 'account', client);
    if (!this.options.noInformationLeakage) return this.requestToken(lookupValue, client);
    // Only the client's two fields and the locale: the request may be stored in Redis, and nothing else belongs there.
    const { ipAddress, userAgent } = client;
    const request: TokenRequest = { lookupValue, client: { ipAddress, userAgent }, locale: this.locale() };
    try {
      await this.queue.enqueue(request);
    } catch {
      // The queue logs why (a full in-process queue at most once a minute).
      throw new PasswordResetUnavailableException(this.options.messages.serviceUnavailable());
    }
  }

  /** A request over a per-account limit: audited after the answer, which stays the usual one. */
  private suppressed(
    lookupValue: string,
    limit: 'account' | 'accountPerClient',
    client: PasswordResetClientInfo,
  ): void {
    const ipAddress = normaliseIpAddress(client.ipAddress);
    const event = new RequestSuppressedEvent(lookupValue, limit, ipAddress, normaliseUserAgent(client.userAgent));
    this.audit.record(PasswordResetEvents.RequestSuppressed, event);
  }

  /**
   * Issues a token to every eligible account whose lookup field matches `lookupValue`, now, and emits
   * TokenCreated for each (a failing listener is logged). No limits, no queue: unknown or ineligible accounts
   * get nothing, unless `noInformationLeakage` is false, then a 400.
   */
  async requestToken(lookupValue: string, client: PasswordResetClientInfo = {}): Promise<void> {
    await this.issueTokens(lookupValue, client, (user, issued) =>
      this.emit(PasswordResetEvents.TokenCreated, this.tokenCreatedEvent(user, issued, this.locale()), issued.token),
    );
  }

  /**
   * Resolves once every token request taken by the queue has finished (see `TokenRequestQueue.drain`) and
   * every audit event recorded so far has reached its listeners.
   */
  async drain(): Promise<void> {
    await this.queue.drain();
    await this.audit.drain();
  }

  /**
   * The queue's handler: one run of an answered request. A failing TokenCreated listener makes the run throw,
   * so the queue runs the request again (a fresh token replaces the undelivered one), until the last attempt:
   * then the token is deleted and DeliveryFailed emitted. What the queue gets to keep is a bare message: it
   * may store it (BullMQ in Redis), and a listener's error may quote the token.
   */
  protected async runTokenRequest(request: TokenRequest, attempt: TokenRequestAttempt): Promise<void> {
    const retried = attempt.final ? '' : ', to be retried';
    const started = performance.now();
    try {
      await this.issueTokens(request.lookupValue, request.client, (user, issued) =>
        // A job queued by a version before locales has none.
        this.deliver(user, issued, attempt, request.locale ?? this.options.defaultLocale),
      );
      this.audit.recordRequestDuration((performance.now() - started) / 1000, 'done');
    } catch (error) {
      this.audit.recordRequestDuration((performance.now() - started) / 1000, 'failed');
      if (error instanceof RetriedDelivery) throw error;
      // A lookup or token write that failed (the database or token store down): retried like a delivery.
      const level = attempt.final ? 'error' : 'warn';
      this.logger[level](`Token request failed on attempt ${attempt.number}${retried}: ${describeError(error)}`);
      throw new Error(`Token request failed on attempt ${attempt.number}`, { cause: error });
    }
  }

  /** Emits TokenCreated; a listener's failure is retried (RetriedDelivery) or, on the last attempt, reported. */
  private async deliver(
    user: object,
    issued: IssuedResetToken,
    attempt: TokenRequestAttempt,
    locale: string,
  ): Promise<void> {
    try {
      await this.events.emitAsync(PasswordResetEvents.TokenCreated, this.tokenCreatedEvent(user, issued, locale));
    } catch (error) {
      const reason = `A ${PasswordResetEvents.TokenCreated} listener failed: ${describeError(error, issued.token)}`;
      if (!attempt.final) {
        this.logger.warn(`${reason} (attempt ${attempt.number}, to be retried)`);
        throw new RetriedDelivery(attempt.number);
      }
      this.logger.error(`${reason} (last attempt, ${attempt.number}; the token is withdrawn)`);
      await this.tokens.delete(issued.resetToken);
      const redacted = redactSecretInError(error, issued.token);
      const event = new DeliveryFailedEvent(user, issued.resetToken, redacted, attempt.number, locale);
      this.audit.count(PasswordResetEvents.DeliveryFailed, event);
      await this.emit(PasswordResetEvents.DeliveryFailed, event, issued.token);
    }
  }

  private async issueTokens(
    lookupValue: string,
    client: PasswordResetClientInfo,
    deliver: (user: object, issued: IssuedResetToken) => Promise<void>,
  ): Promise<void> {
    await this.cleanUpExpired();
    const matching = await this.findMatchingUsers(lookupValue);
    const users = matching.filter((user) => this.isEligible(user));
    if (users.length === 0) {
      this.unmatched(lookupValue, matching, client);
      if (!this.options.noInformationLeakage) {
        throw new PasswordResetBadRequestException([this.options.messages.unknownAccount(this.options.lookupField)]);
      }
    }
    for (const user of users) {
      const issued = await this.createToken(user, client);
      this.audit.count(PasswordResetEvents.TokenCreated, issued.resetToken);
      await deliver(user, issued);
    }
  }

  /** A request that issued nothing: one audit event per ineligible account it matched, or one for none. */
  private unmatched(lookupValue: string, matching: object[], client: PasswordResetClientInfo): void {
    const ipAddress = normaliseIpAddress(client.ipAddress);
    const userAgent = normaliseUserAgent(client.userAgent);
    for (const user of matching.length ? matching : [null]) {
      const reason = !user ? 'unknown' : this.users.isActive(user) ? 'unusable_password' : 'inactive';
      const event = new RequestUnmatchedEvent(lookupValue, reason, user, ipAddress, userAgent);
      this.audit.record(PasswordResetEvents.RequestUnmatched, event);
    }
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
    await this.events.emitAsync(PasswordResetEvents.TokenCreated, this.tokenCreatedEvent(user, issued, this.locale()));
    return issued;
  }

  /**
   * The token's user, if the token is live and the user may reset; otherwise the generic 404. With
   * account-bound tokens, `account` is the lookup value the code was requested for.
   */
  validateToken(token: string, account?: string, client: PasswordResetClientInfo = {}): Promise<ValidatedResetToken> {
    return this.checkToken(token, account, client, 'validate');
  }

  /** `validateToken` for validate or confirm: each refusal is audited under the operation that met it. */
  private async checkToken(
    token: string,
    account: string | undefined,
    client: PasswordResetClientInfo,
    operation: 'validate' | 'confirm',
  ): Promise<ValidatedResetToken> {
    const reject = (reason: TokenRejectionReason, user?: object, resetToken?: ResetTokenRecord) =>
      this.rejectToken(operation, reason, client, user, resetToken);
    if (this.tokensBoundToAccount && account !== undefined) {
      // Per account and client, whatever the code: one client cannot revoke more than one code an hour, so the
      // fresh code the owner asks for afterwards is out of its reach.
      const key = this.accountClientKey(foldIdentifier(account), client);
      const verdict = await this.throttler.hit('guess', key);
      if (!verdict.allowed) {
        const event = new ThrottledEvent('guess', normaliseIpAddress(client.ipAddress), verdict.retryAfter);
        this.audit.record(PasswordResetEvents.Throttled, event);
        throw new PasswordResetThrottledException(this.options.messages.tooManyRequests());
      }
    }
    const found = await this.findToken(token, account);
    if (found.resetToken === undefined) throw reject(found.rejected, found.user);
    const { resetToken } = found;
    if (resetToken.expiresAt.getTime() <= Date.now()) {
      await this.tokens.delete(resetToken);
      throw reject('expired', found.user, resetToken);
    }
    const user = found.user ?? (await this.users.findById(resetToken.userId));
    if (!user) {
      // The account is gone: SQL cascades the delete, a store without foreign keys does not.
      await this.tokens.delete(resetToken);
      throw reject('unknown', undefined, resetToken);
    }
    if (!this.fingerprints(user).includes(resetToken.credentialFingerprint)) {
      // Password or email changed since the token was issued: it can never be valid again.
      await this.tokens.delete(resetToken);
      throw reject('credentials_changed', user, resetToken);
    }
    // An ineligible user keeps the token: it may work again once the account is reactivated.
    if (!this.isEligible(user)) throw reject('ineligible', user, resetToken);
    return { user, resetToken };
  }

  /** Audits a refused token (after the answer) and gives the generic 404 to throw. */
  private rejectToken(
    operation: 'validate' | 'confirm',
    reason: TokenRejectionReason,
    client: PasswordResetClientInfo,
    user?: object,
    resetToken?: ResetTokenRecord,
  ): InvalidResetTokenException {
    const ipAddress = normaliseIpAddress(client.ipAddress);
    const event = new TokenRejectedEvent(operation, reason, user ?? null, resetToken ?? null, ipAddress);
    this.audit.record(PasswordResetEvents.TokenRejected, event);
    return this.invalidToken();
  }

  /** Whether the user must send a second-factor proof with the confirm: enrolled with the verifier, if any. */
  async requiresSecondFactor(user: object): Promise<boolean> {
    return !!this.secondFactor && (await this.secondFactor.isEnrolled(user));
  }

  /**
   * Sets a new password with a live token. An enrolled user's second factor is verified first (`proof`: the
   * values of `proofFields` the client sent), then the password rules; PreReset listeners may veto next; then
   * the store claims the token and writes the password as one unit (see `ResetTokenStore.redeem`): exactly one
   * of concurrent confirms wins, a token replaced by a newer request loses, a password changed meanwhile by
   * another route is not overwritten, and every token of the user is gone afterwards.
   */
  async confirmReset(
    token: string,
    password: string,
    account?: string,
    client: PasswordResetClientInfo = {},
    proof: SecondFactorProof = {},
  ): Promise<ValidatedResetToken> {
    const started = performance.now();
    try {
      const reset = await this.resetPassword(token, password, account, client, proof);
      this.audit.recordConfirmDuration((performance.now() - started) / 1000, 'reset');
      return reset;
    } catch (error) {
      this.audit.recordConfirmDuration((performance.now() - started) / 1000, 'refused');
      throw error;
    }
  }

  private async resetPassword(
    token: string,
    password: string,
    account: string | undefined,
    client: PasswordResetClientInfo,
    proof: SecondFactorProof,
  ): Promise<ValidatedResetToken> {
    const { user, resetToken } = await this.checkToken(token, account, client, 'confirm');
    await this.verifySecondFactor(user, resetToken, proof, client);
    let passwordHash: string;
    try {
      await this.checkPassword(password, user);
      passwordHash = await this.passwordHasher.hash(password);
    } catch (error) {
      // The 400 is the module's answer to whoever typed the password, never rewritten. Anything else comes
      // from validators or hashers that may be the app's own: an error quoting the password must not reach the logs.
      if (error instanceof PasswordResetBadRequestException) {
        // The audit copy never quotes the password, should an app's validator do so.
        const reasons = error.reasons.map((reason) => (password ? reason.split(password).join('[redacted]') : reason));
        this.audit.record(PasswordResetEvents.PasswordRejected, new PasswordRejectedEvent(user, resetToken, reasons));
        throw error;
      }
      throw redactSecretInError(error, password);
    }
    // Before the claim, so a veto leaves the token as it was and no listener runs inside the reset's transaction.
    await this.events.emitAsync(PasswordResetEvents.PreReset, new PreResetEvent(user, resetToken, this.locale()));
    const reset = await this.tokens.redeem(resetToken, (session) =>
      this.writePassword(user, resetToken, passwordHash, session),
    );
    // Lost to a concurrent confirm, or replaced meanwhile: the token is no longer there.
    if (!reset) throw this.rejectToken('confirm', 'unknown', client, user, resetToken);
    const done = new PostResetEvent(user, resetToken, this.locale());
    this.audit.count(PasswordResetEvents.PostReset, done);
    await this.emit(PasswordResetEvents.PostReset, done);
    return { user, resetToken };
  }

  /**
   * The reset's write, inside the store's `redeem`: the new hash, then the ResetCommitting listeners. If one
   * throws, nothing of the reset may stay: in a transaction the store rolls it back; without one (SQLite,
   * Redis) the store restores the token and the old hash is put back here. The put-back is conditional on the
   * hash just written, so a password set meanwhile by another route is not overwritten.
   */
  private async writePassword(
    user: object,
    resetToken: ResetTokenRecord,
    passwordHash: string,
    session: unknown,
  ): Promise<boolean> {
    const previousHash = this.users.getPasswordHash(user);
    if ((await this.users.setPasswordHash(user, passwordHash, session)) === false) return false;
    try {
      await this.events.emitAsync(
        PasswordResetEvents.ResetCommitting,
        new ResetCommittingEvent(user, resetToken, session, this.locale()),
      );
    } catch (error) {
      try {
        // `user` holds the new hash now (the user store's contract), so this writes only over it.
        await this.users.setPasswordHash(user, previousHash ?? '', session);
      } catch (undoError) {
        // In a transaction the rollback undoes the write anyway (and an aborted transaction refuses statements).
        if (session === undefined) {
          this.logger.error(`The password of a failed reset could not be put back: ${describeError(undoError)}`);
        }
      }
      throw error;
    }
    return true;
  }

  /** Deletes every expired token, in batches of `cleanupBatchSize` so no statement holds locks for long. */
  clearExpired(): Promise<number> {
    return this.tokens.clearExpired(this.options.cleanupBatchSize);
  }

  /**
   * An enrolled user's proof, checked as a guess at the token (see `countedGuess`): it shares the attempt count
   * with the codes of account-bound tokens, so whoever holds the token gets `maxFailedAttempts` guesses in all.
   * A confirm without any proof compares nothing and costs no attempt. A wrong proof keeps the token (403)
   * until the one that uses the last attempt revokes it (404, as for any dead token).
   */
  protected async verifySecondFactor(
    user: object,
    resetToken: ResetTokenRecord,
    proof: SecondFactorProof,
    client: PasswordResetClientInfo = {},
  ): Promise<void> {
    if (!(await this.requiresSecondFactor(user))) return;
    const refused = (reason: TokenRejectionReason) => {
      const event = new TokenRejectedEvent('confirm', reason, user, resetToken, normaliseIpAddress(client.ipAddress));
      this.audit.record(PasswordResetEvents.TokenRejected, event);
    };
    const given = Object.fromEntries(
      this.proofFields
        .filter((field) => typeof proof[field] === 'string' && proof[field] !== '')
        .map((field) => [field, proof[field]]),
    );
    if (Object.keys(given).length === 0) {
      refused('second_factor_missing');
      throw new SecondFactorRequiredException(this.options.messages.secondFactorRequired());
    }
    const outcome = await this.countedGuess(resetToken, async (admitted) => {
      if (!admitted) return false;
      try {
        return (await this.secondFactor!.verify(user, given)) === true;
      } catch (error) {
        // The attempt stays spent: a verifier that fails must not become a way to guess for free.
        throw Object.values(given).reduce<unknown>((redacted, value) => redactSecretInError(redacted, value), error);
      }
    });
    if (outcome === 'right') return;
    refused('second_factor_wrong');
    if (outcome === 'wrong') throw new SecondFactorRequiredException(this.options.messages.secondFactorInvalid());
    throw this.invalidToken();
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

  /** The one answer for every bad token (the README's HTTP contract), in the app's wording. */
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

  /** Lookup, then exact Unicode equality with the stored value (CVE-2019-19844), each account on its own. */
  private async findMatchingUsers(lookupValue: string): Promise<object[]> {
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
   * token: each guess takes one of its `maxFailedAttempts` attempts before it is compared (a right code gives
   * it back), and the miss that uses the last one revokes the code.
   */
  private async findToken(token: string, account?: string): Promise<FoundToken> {
    if (!this.tokensBoundToAccount) {
      // One lookup per key, the signing key first: at most `tokenSecret.length`.
      for (const digest of this.digests(token)) {
        const resetToken = await this.tokens.findByDigest(digest);
        if (resetToken) return { resetToken };
      }
      return { rejected: 'unknown' };
    }
    let missed: FoundToken = { rejected: 'unknown' };
    if (account === undefined) return missed;
    const users = await this.findMatchingUsers(account);
    // An unknown account, or one without a code, costs what a wrong guess at a live code costs: the account's
    // lookup (the default user store hydrates an account either way), one token lookup (for no user, the store's
    // stand-in), one attempt counted (for no token, a write that changes nothing), the digests and one comparison
    // per key (with a dummy digest), so the answer's timing does not tell them apart.
    for (const user of users.length ? users : [undefined]) {
      const found = await this.tokens.findByUser(user ? this.users.getId(user) : null);
      // Whatever a store resolves for no user, an unknown account never has a token to compare with.
      const resetToken = user ? found : null;
      // Compared under every key, with no early exit, and against the dummy digest when the guess was not
      // admitted: the work depends neither on which key matched nor on whether there was a code to compare.
      const outcome = await this.countedGuess(resetToken, (admitted) => {
        const stored = admitted?.tokenDigest ?? this.dummyDigest;
        return this.digests(token, user)
          .map((guessed) => this.matchesDigest(stored, guessed))
          .includes(true);
      });
      if (outcome === 'right') return { user, resetToken: resetToken! };
      if (resetToken) missed = { rejected: 'wrong_code', user };
    }
    return missed;
  }

  /**
   * One guess at a token (a code, a second-factor proof), counted before it is checked, so concurrent guesses
   * cannot all be checked: only those the store admits (each count 1 to max goes to one guess) reach `check`
   * with the token; the others get null. The store's cap is one above ours so the max-th guess is still
   * checked (a right one there works); its miss revokes the token. A right guess gives its attempt back: the
   * owner may validate, then confirm, then retry a refused password without using attempts up.
   */
  private async countedGuess(
    resetToken: ResetTokenRecord | null,
    check: (admitted: ResetTokenRecord | null) => boolean | Promise<boolean>,
  ): Promise<GuessOutcome> {
    const max = this.options.maxFailedAttempts;
    const attempt = await this.tokens.recordFailedAttempt(resetToken, max + 1);
    const admitted = attempt > 0 && attempt <= max ? resetToken : null;
    const right = await check(admitted);
    if (!admitted) return 'refused';
    if (right) {
      await this.tokens.releaseAttempt(admitted);
      return 'right';
    }
    if (attempt < max) return 'wrong';
    await this.tokens.delete(admitted);
    return 'revoked';
  }

  /** The per-client throttle key for an identifier: the client as the guard counts it (an IPv6 /64). */
  private accountClientKey(folded: string, client: PasswordResetClientInfo): string {
    const address = clientThrottleKey(client.ipAddress ?? 'unknown', this.options.throttle.ipv6Prefix);
    return `${folded}\u0000${address}`;
  }

  /** Constant-time comparison of a stored digest with the digest of a guess (hex strings of equal length). */
  protected matchesDigest(stored: string, guessed: string): boolean {
    return stored.length === guessed.length && timingSafeEqual(Buffer.from(stored), Buffer.from(guessed));
  }

  private async createToken(user: object, client: PasswordResetClientInfo): Promise<IssuedResetToken> {
    const token = await this.tokenGenerator.generateToken();
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new Error(`tokenGenerator must return a non-empty string of at most ${MAX_TOKEN_LENGTH} characters`);
    }
    const now = Date.now();
    const resetToken = await this.tokens.save({
      userId: this.users.getId(user),
      tokenDigest: this.digest(token, user),
      credentialFingerprint: this.fingerprint(user),
      createdAt: new Date(now),
      expiresAt: new Date(now + this.options.tokenTtl * 1000),
      ipAddress: normaliseIpAddress(client.ipAddress),
      userAgent: normaliseUserAgent(client.userAgent),
    });
    return { token, resetToken };
  }

  private tokenCreatedEvent(user: object, { token, resetToken }: IssuedResetToken, locale: string): TokenCreatedEvent {
    return new TokenCreatedEvent(user, token, resetToken, resetToken.ipAddress, resetToken.userAgent, locale);
  }

  /** The current call's locale (see PasswordResetLocalization); the default one outside a call (the app's own code). */
  private locale(): string {
    return currentPasswordResetLocale() ?? this.options.defaultLocale;
  }

  /**
   * The request path's share of the cleanup, so expired tokens go without a cron job: one bounded batch at most
   * once per `EXPIRED_CLEANUP_INTERVAL_MS`, and on the next request again while batches come back full.
   */
  private async cleanUpExpired(): Promise<void> {
    if (Date.now() < this.nextCleanupAt) return;
    this.nextCleanupAt = Date.now() + EXPIRED_CLEANUP_INTERVAL_MS;
    const limit = this.options.cleanupBatchSize;
    if ((await this.tokens.deleteExpired(limit)) >= limit) this.nextCleanupAt = 0;
  }

  /** Emits a notification event; a failing listener is logged (with the token masked) and ignored. */
  private async emit(name: PasswordResetEventName, payload: object, secret?: string): Promise<void> {
    try {
      await this.events.emitAsync(name, payload);
    } catch (error) {
      this.logger.error(`A ${name} listener failed: ${describeError(error, secret)}`);
    }
  }

  /** With `user`: the digest of an account-bound code, which only matches that account's token. */
  private digest(token: string, user?: object, secret = this.options.tokenSecret): string {
    const boundTo = user && this.tokensBoundToAccount ? this.users.getId(user) : undefined;
    return tokenDigestFor(token, secret, boundTo);
  }

  /** The token's digest under each accepted key, the signing key's first (one unkeyed digest without keys). */
  private digests(token: string, user?: object): string[] {
    return this.acceptedSecrets().map((secret) => this.digest(token, user, secret));
  }

  private fingerprint(user: object, secret = this.options.tokenSecret): string {
    const email = this.users.getAttribute(user, 'email');
    return credentialFingerprint(this.users.getPasswordHash(user), email, secret);
  }

  /** A token issued under an older key carries that key's fingerprint. */
  private fingerprints(user: object): string[] {
    return this.acceptedSecrets().map((secret) => this.fingerprint(user, secret));
  }

  private acceptedSecrets(): (string | undefined)[] {
    return this.options.tokenSecrets.length ? [...this.options.tokenSecrets] : [undefined];
  }
}
