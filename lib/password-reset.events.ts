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
  /** The new password is stored; revoke sessions, notify the user. */
  PostReset: 'password_reset.post_reset',
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
  ) {}
}

export class PreResetEvent<User extends object = object> {
  constructor(
    readonly user: User,
    readonly resetToken: ResetTokenRecord,
  ) {}
}

export class PostResetEvent<User extends object = object> {
  constructor(
    readonly user: User,
    readonly resetToken: ResetTokenRecord,
  ) {}
}
