/** What validators may compare the password with (the user's own attributes). */
export interface PasswordUserAttributes {
  email?: string | null;
  username?: string | null;
  [attribute: string]: unknown;
}

/** Contract for a new-password rule. Return the reasons the password is refused; an empty array accepts it. */
export abstract class PasswordValidator {
  abstract validate(password: string, user: PasswordUserAttributes): string[] | Promise<string[]>;
}
