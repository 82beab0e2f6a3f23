import type { ResetTokenRecord } from './storage/reset-token.store.js';

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
