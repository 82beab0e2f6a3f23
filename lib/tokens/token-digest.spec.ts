import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { digestToken } from './token-digest.js';

describe('digestToken', () => {
  it('is SHA-256 hex without a secret and HMAC-SHA256 with one', () => {
    expect(digestToken('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(digestToken('abc', 'k'.repeat(32))).toBe(createHmac('sha256', 'k'.repeat(32)).update('abc').digest('hex'));
    expect(digestToken('abc', 'k'.repeat(32))).not.toBe(digestToken('abc'));
    expect(digestToken('abc')).toHaveLength(64);
  });
});
