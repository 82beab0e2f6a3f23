import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { credentialFingerprint, digestToken, tokenDigestFor } from './token-digest.js';

describe('digestToken', () => {
  it('is SHA-256 hex without a secret and HMAC-SHA256 with one', () => {
    expect(digestToken('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(digestToken('abc', 'k'.repeat(32))).toBe(createHmac('sha256', 'k'.repeat(32)).update('abc').digest('hex'));
    expect(digestToken('abc', 'k'.repeat(32))).not.toBe(digestToken('abc'));
    expect(digestToken('abc')).toHaveLength(64);
  });
});

describe('tokenDigestFor and credentialFingerprint', () => {
  const secret = 's'.repeat(32);
  const hmac = (text: string) => createHmac('sha256', secret).update(text).digest('hex');

  it('digests long tokens alone and account-bound codes with the user id, under the secret', () => {
    expect(tokenDigestFor('abc', secret)).toBe(hmac('abc'));
    expect(tokenDigestFor('123456', secret, 7)).toBe(hmac('7\u0000123456'));
    expect(tokenDigestFor('123456', secret, 7)).not.toBe(tokenDigestFor('123456', secret, 8));
  });

  it('changes with the password hash and with the email', () => {
    const base = credentialFingerprint('$2b$hash', 'jane@example.com', secret);
    expect(base).toBe(hmac('$2b$hash\u0000jane@example.com'));
    expect(credentialFingerprint('$2b$other', 'jane@example.com', secret)).not.toBe(base);
    expect(credentialFingerprint('$2b$hash', 'john@example.com', secret)).not.toBe(base);
    expect(credentialFingerprint(null, null, undefined)).toBe(createHash('sha256').update('\u0000').digest('hex'));
  });
});
