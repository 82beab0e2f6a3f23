import { createHash, createHmac } from 'node:crypto';

/**
 * The only form in which a token reaches the database. With a secret, a stolen copy of the table alone
 * cannot be used to test guesses offline, which matters for short numeric codes.
 */
export function digestToken(token: string, secret?: string): string {
  return secret
    ? createHmac('sha256', secret).update(token, 'utf8').digest('hex')
    : createHash('sha256').update(token, 'utf8').digest('hex');
}
