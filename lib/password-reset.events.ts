import type { ResetTokenRecord } from './storage/reset-token.store.js';
import type { PasswordResetThrottleName } from './throttling/password-reset-throttle.options.js';

/** Event names, emitted through `EventEmitter2` from @nestjs/event-emitter. */
export const PasswordResetEvents = {
  /** A token was issued: deliver it (mail, SMS, chat). */
  TokenCreated: 'password_reset.token_created',
  /**
   * A confirm passed every check and is about to claim the token; awaited, and a listener that throws aborts
   * it (the token is kept). Emitted by each of concurrent confirms of one token; only the winner's PostReset follows.
   */
  PreReset: 'password_reset.pre_reset',
  /**
   * The new password is written and not yet committed; awaited, and a listener that throws undoes the whole
   * reset (the password stays as it was, the token is kept, the answer is the listener's error). End the user's
   * other sessions here: a failure then cannot hide behind a 200. `session` is the reset's unit of work (a
   * TypeORM `EntityManager` inside its transaction on PostgreSQL/MariaDB): write through it.
   */
  ResetCommitting: 'password_reset.reset_committing',
  /** The new password is stored; notify the user. A listener's failure is logged and changes nothing. */
  PostReset: 'password_reset.post_reset',
  /**
   * A TokenCreated listener failed on the request's last attempt (`queue.attempts`): the token was never
   * delivered and is deleted. Alert on it; the user has to ask again.
   */
  DeliveryFailed: 'password_reset.delivery_failed',
  // Audit events, one for every other outcome. Emitted after the answer is on its way (request outcomes from
  // the queued work), so a listener changes neither the answer nor its timing; a listener's failure is logged.
  /** A request found no account that may reset: unknown, inactive, or without a usable password. */
  RequestUnmatched: 'password_reset.request_unmatched',
  /** A request over the per-account limit (`account` or `accountPerClient`): answered as usual, nothing sent. */
  RequestSuppressed: 'password_reset.request_suppressed',
  /** A call refused by a per-client limit (429), or a code guess over the `guess` limit. */
  Throttled: 'password_reset.throttled',
  /** validate or confirm refused a token (404), or a second-factor proof (403). */
  TokenRejected: 'password_reset.token_rejected',
  /** confirm refused the new password (400); the token is kept. */
  PasswordRejected: 'password_reset.password_rejected',
} as const;

export type PasswordResetEventName = (typeof PasswordResetEvents)[keyof typeof PasswordResetEvents];

export class TokenCreatedEvent<User extends object = object> {
  constructor(
    readonly user: User,
    /** The plaintext token: only ever here, never stored or logged. */
    readonly token: string,
    readonly resetToken: ResetTokenRecord,
    readonly ipAddress: string | null,
    readonly userAgent: string,
    /** The language the request was answered in: write the mail in it. */
    readonly locale: string,
  ) {}
}

export class PreResetEvent<User extends object = object> {
  constructor(
    readonly user: User,
    readonly resetToken: ResetTokenRecord,
    /** The language the confirm is answered in. */
    readonly locale: string,
  ) {}
}

export class PostResetEvent<User extends object = object> {
  constructor(
    readonly user: User,
    readonly resetToken: ResetTokenRecord,
    /** The language the confirm was answered in: write the notice in it. */
    readonly locale: string,
  ) {}
}

export class ResetCommittingEvent<User extends object = object> {
  constructor(
    readonly user: User,
    readonly resetToken: ResetTokenRecord,
    /** The token store's unit of work (see `ResetTokenWrite`): an `EntityManager` in a transaction, or undefined. */
    readonly session: unknown,
    /** The language the confirm is answered in. */
    readonly locale: string,
  ) {}
}

export class DeliveryFailedEvent<User extends object = object> {
  constructor(
    readonly user: User,
    /** The undelivered token's row (already deleted); the plaintext token is not kept anywhere. */
    readonly resetToken: ResetTokenRecord,
    /** The last listener error, with any spelling of the token redacted. */
    readonly error: unknown,
    /** Attempts made, the last included. */
    readonly attempts: number,
    /** The language the request was answered in. */
    readonly locale: string,
  ) {}
}

/** Why a request issued nothing. */
export type RequestUnmatchedReason = 'unknown' | 'inactive' | 'unusable_password';

export class RequestUnmatchedEvent<User extends object = object> {
  constructor(
    /** What the client asked for, as sent: the only name of an unknown account. */
    readonly lookupValue: string,
    readonly reason: RequestUnmatchedReason,
    /** The ineligible account; null when none matched. */
    readonly user: User | null,
    readonly ipAddress: string | null,
    readonly userAgent: string,
  ) {}
}

export class RequestSuppressedEvent {
  constructor(
    readonly lookupValue: string,
    /** The per-account limit that was reached. */
    readonly limit: 'account' | 'accountPerClient',
    readonly ipAddress: string | null,
    readonly userAgent: string,
  ) {}
}

export class ThrottledEvent {
  constructor(
    /** The limit that refused the call: `request`, `token` (validate and confirm) or `guess`. */
    readonly limit: PasswordResetThrottleName,
    readonly ipAddress: string | null,
    /** Seconds until the client may try again. */
    readonly retryAfter: number,
  ) {}
}

/** Why a token (or its second factor) was refused. */
export type TokenRejectionReason =
  | 'unknown'
  | 'expired'
  | 'credentials_changed'
  | 'ineligible'
  | 'wrong_code'
  | 'second_factor_missing'
  | 'second_factor_wrong';

export class TokenRejectedEvent<User extends object = object> {
  constructor(
    readonly operation: 'validate' | 'confirm',
    readonly reason: TokenRejectionReason,
    /** The token's account when it is known (never for `unknown`). */
    readonly user: User | null,
    /** The token's row (no plaintext) when one was found. */
    readonly resetToken: ResetTokenRecord | null,
    readonly ipAddress: string | null,
  ) {}
}

export class PasswordRejectedEvent<User extends object = object> {
  constructor(
    readonly user: User,
    readonly resetToken: ResetTokenRecord,
    /** The validators' reasons, as in the 400 (with the password itself blanked out should one quote it). */
    readonly reasons: readonly string[],
  ) {}
}
