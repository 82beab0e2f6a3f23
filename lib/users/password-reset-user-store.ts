/** A user's primary key. */
export type PasswordResetUserId = string | number;

/**
 * DI token and contract for the app's users. The default implementation works on a TypeORM entity;
 * replace it (`extraProviders: [{ provide: PasswordResetUserStore, useClass: MyStore }]`) when users live
 * elsewhere or need special rules.
 */
export abstract class PasswordResetUserStore<User extends object = object> {
  /**
   * Accounts whose `field` equals `value` ignoring case. A cheap pre-filter: the service then demands
   * exact Unicode (NFKC + case-fold) equality with the stored value, so a loose match here is harmless.
   * With account-bound codes, validate and confirm call it with whatever account the client names: a lookup
   * that finds nothing should take as long as one that finds an account (the default store hydrates the last
   * account found once more), or the answer's timing tells whether the account exists.
   */
  abstract findByLookup(field: string, value: string): Promise<User[]>;
  abstract findById(id: PasswordResetUserId): Promise<User | null>;
  abstract getId(user: User): PasswordResetUserId;
  /** The stored value of a logical field (`email`, `username`, or the lookup field), or null. */
  abstract getAttribute(user: User, field: string): string | null;
  abstract isActive(user: User): boolean;
  /** The stored password hash; null or empty when the account has no usable password. */
  abstract getPasswordHash(user: User): string | null;
  /**
   * Stores an already-hashed password, but only while the account's password hash and email are still those
   * of `user` (read when the token was checked): resolve false and write nothing when they changed, so a
   * password set by another route meanwhile is never overwritten. A store that cannot tell may resolve
   * nothing. `session` is the token store's unit of work (a TypeORM `EntityManager` inside the reset's
   * transaction): write through it to join that transaction. After a write, `getPasswordHash(user)` must read
   * the new hash: a failed ResetCommitting step puts the old one back with a second call, conditional on it.
   */
  abstract setPasswordHash(user: User, passwordHash: string, session?: unknown): Promise<boolean | void>;
}
