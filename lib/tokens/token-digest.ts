import { createHash, createHmac } from 'node:crypto';
import type { PasswordResetUserId } from '../users/password-reset-user-store.js';

/**
 * The only form in which a token reaches the database. With a secret, a stolen copy of the table alone
 * cannot be used to test guesses offline, which matters for short numeric codes.
 */
export function digestToken(token: string, secret?: string): string {
  return secret
    ? createHmac('sha256', secret).update(token, 'utf8').digest('hex')
    : createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The stored digest of a token. Account-bound codes are short and repeat across users: theirs includes the
 * user's id, so one account's code never matches another's row.
 */
export function tokenDigestFor(token: string, secret: string | undefined, boundToUser?: PasswordResetUserId): string {
  return digestToken(boundToUser === undefined ? token : `${boundToUser}\u0000${token}`, secret);
}

/** Binds a token to the credentials it was issued for: it dies when the password hash or the email changes. */
export function credentialFingerprint(
  passwordHash: string | null,
  email: string | null,
  secret: string | undefined,
): string {
  return digestToken(`${passwordHash ?? ''}\u0000${email ?? ''}`, secret);
}
