import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { PasswordResetUnavailableException } from '../exceptions/password-reset.exceptions.js';
import { resolvePasswordResetOptions } from '../password-reset.options.js';
import type { PasswordResetThrottleOptions, PasswordResetThrottleStorage } from './password-reset-throttle.options.js';
import { PasswordResetThrottler } from './password-reset-throttler.js';

const SECRET = 'k'.repeat(16) + 'x'.repeat(16);
const RECORD = { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };

/** A storage that records the keys it is asked to count. */
function recordingStorage(): PasswordResetThrottleStorage & { keys: string[] } {
  const keys: string[] = [];
  return { keys, increment: async (key) => (keys.push(key), RECORD) };
}

function throttler(throttle: PasswordResetThrottleOptions = {}, tokenSecret?: string): PasswordResetThrottler {
  return new PasswordResetThrottler(resolvePasswordResetOptions({ throttle, tokenSecret }));
}

describe('PasswordResetThrottler', () => {
  describe('storage keys', () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest();

    it('are HMACs: an IPv4 client cannot be found by hashing the address space', async () => {
      const storage = recordingStorage();
      await throttler({ storage, keySecret: SECRET }).hit('request', '198.51.100.77');
      const [key] = storage.keys;
      expect(key).toMatch(/^password_reset:request:[\w-]{43}$/);
      const digest = Buffer.from(key.split(':')[2], 'base64url');
      for (const input of ['198.51.100.77', 'request\u0000198.51.100.77', '::ffff:198.51.100.77']) {
        expect(digest.equals(sha256(input))).toBe(false);
        expect(key).not.toContain(sha256(input).toString('hex'));
        expect(key).not.toContain(sha256(`request\u0000${input}`).toString('hex'));
      }
    });

    it('are the same on every instance sharing the secret, and differ between secrets', async () => {
      const [a, b, c] = [recordingStorage(), recordingStorage(), recordingStorage()];
      await throttler({ storage: a, keySecret: SECRET }).hit('account', 'jane@example.com');
      await throttler({ storage: b }, SECRET).hit('account', 'jane@example.com');
      await throttler({ storage: c, keySecret: SECRET.replace('k', 'j') }).hit('account', 'jane@example.com');
      expect(a.keys).toEqual(b.keys);
      expect(c.keys).not.toEqual(a.keys);
    });

    it('stay the same for a client whose remembered key was pushed out by thousands of others', async () => {
      const storage = recordingStorage();
      const counting = throttler({ storage, keySecret: SECRET });
      await counting.hit('request', '198.51.100.77');
      for (let i = 0; i < 5000; i++) await counting.hit('request', `10.0.${i >> 8}.${i & 255}`);
      await counting.hit('request', '198.51.100.77');
      await counting.hit('token', '198.51.100.77');
      expect(storage.keys.at(-2)).toBe(storage.keys[0]);
      expect(new Set(storage.keys).size).toBe(5002);
      expect(storage.keys.at(-1)).not.toBe(storage.keys[0]);
    });

    it('use a random key per process when nothing leaves it (the default in-memory store)', async () => {
      const first = throttler({ request: { limit: 1, ttl: 60 } });
      const second = throttler({ request: { limit: 1, ttl: 60 } });
      await first.hit('request', '203.0.113.1');
      expect((await first.hit('request', '203.0.113.1')).allowed).toBe(false);
      expect((await second.hit('request', '203.0.113.1')).allowed).toBe(true);
      first.onApplicationShutdown();
      second.onApplicationShutdown();
    });
  });

  describe('a storage that fails', () => {
    it('answers 503 once the storage has not answered within storageTimeout', async () => {
      const storage: PasswordResetThrottleStorage = { increment: () => new Promise(() => {}) };
      const started = Date.now();
      const hit = throttler({ storage, keySecret: SECRET, storageTimeout: 50 }).hit('token', '203.0.113.1');
      await expect(hit).rejects.toBeInstanceOf(PasswordResetUnavailableException);
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('answers 503 when the storage rejects or throws', async () => {
      const rejecting = { increment: () => Promise.reject(new Error('ECONNREFUSED')) };
      const throwing = {
        increment: () => {
          throw new Error('not connected');
        },
      };
      for (const storage of [rejecting, throwing]) {
        await expect(throttler({ storage, keySecret: SECRET }).hit('request', 'x')).rejects.toMatchObject({
          status: 503,
          message: 'The service is unavailable. Try again later.',
        });
      }
    });

    it('waits about a second by default', () => {
      expect(resolvePasswordResetOptions({}).throttle.storageTimeout).toBe(1000);
    });
  });
});
