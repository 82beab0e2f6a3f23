import { describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { BcryptPasswordHasher } from './bcrypt-password-hasher.js';
import { PasswordHasher } from './password-hasher.js';

// Cost 4 is bcrypt's minimum: fast enough for tests, same code path as production costs.
const hasher = new BcryptPasswordHasher({ cost: 4 });

/** Resolves with whichever comes first: `work` settling, or the event loop reaching its next check phase. */
function raceEventLoop(work: Promise<unknown>): Promise<'work' | 'event loop'> {
  const nextTurn = new Promise<'event loop'>((resolve) => setImmediate(() => resolve('event loop')));
  return Promise.race([work.then(() => 'work' as const), nextTurn]);
}

describe('BcryptPasswordHasher', () => {
  it('is a PasswordHasher declaring the 72-byte bcrypt limit', () => {
    expect(hasher).toBeInstanceOf(PasswordHasher);
    expect(hasher.maxPasswordBytes).toBe(72);
  });

  it('hashes a password that then verifies', async () => {
    const hash = await hasher.hash('correct horse battery staple');

    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(hash).not.toContain('correct horse');
    await expect(hasher.verify('correct horse battery staple', hash)).resolves.toBe(true);
  });

  it('salts each hash', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('uses cost 12 by default', async () => {
    // One real hash at the production cost (about a quarter of a second): the prefix names the cost used.
    const hash = await new BcryptPasswordHasher().hash('correct horse battery staple');
    expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    await expect(bcrypt.compare('correct horse battery staple', hash)).resolves.toBe(true);
  });

  it('rejects a wrong password', async () => {
    const hash = await hasher.hash('correct horse battery staple');

    await expect(hasher.verify('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(hasher.verify('', hash)).resolves.toBe(false);
  });

  it('returns false for a missing or empty hash instead of throwing', async () => {
    await expect(hasher.verify('anything', '')).resolves.toBe(false);
    await expect(hasher.verify('anything', null)).resolves.toBe(false);
    await expect(hasher.verify('anything', undefined)).resolves.toBe(false);
  });

  it('accepts a password of exactly 72 bytes and uses all of them', async () => {
    const password = 'é'.repeat(36); // 2 bytes each
    expect(Buffer.byteLength(password)).toBe(72);

    const hash = await hasher.hash(password);

    await expect(hasher.verify(password, hash)).resolves.toBe(true);
    await expect(hasher.verify('é'.repeat(35) + 'è', hash)).resolves.toBe(false);
  });

  it('refuses to hash a password over 72 bytes rather than truncate it', async () => {
    await expect(hasher.hash('é'.repeat(37))).rejects.toThrow(/72-byte/);
    await expect(hasher.hash('a'.repeat(73))).rejects.toThrow(/72-byte/);
    // 72 characters but 73 bytes: the limit is on bytes.
    await expect(hasher.hash('a'.repeat(71) + 'é')).rejects.toThrow(/72-byte/);
  });

  it('never verifies a password over 72 bytes, even when its first 72 bytes match', async () => {
    const prefix = 'é'.repeat(36);
    const hash = await hasher.hash(prefix);

    await expect(hasher.verify(prefix + 'é', hash)).resolves.toBe(false);
    await expect(hasher.verify(prefix + 'x', hash)).resolves.toBe(false);
  });

  it.each([3, 32, 10.5, Number.NaN, '12' as unknown as number])('refuses cost %p, naming the option', (cost) => {
    expect(() => new BcryptPasswordHasher({ cost })).toThrow('bcryptCost must be an integer between 4 and 31');
  });

  it.each([4, 31])('accepts cost %p', (cost) => {
    expect(() => new BcryptPasswordHasher({ cost })).not.toThrow();
  });

  // A synchronous bcrypt call would finish (and settle the promise via microtasks) before the
  // event loop turns; the async functions work on the thread pool and need at least one more turn.
  it('hashes without blocking the event loop', async () => {
    const hashes = Promise.all(Array.from({ length: 4 }, () => hasher.hash('correct horse battery staple')));

    await expect(raceEventLoop(hashes)).resolves.toBe('event loop');
    await hashes;
  });

  it('verifies without blocking the event loop', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    const checks = Promise.all(Array.from({ length: 4 }, () => hasher.verify('correct horse battery staple', hash)));

    await expect(raceEventLoop(checks)).resolves.toBe('event loop');
    await expect(checks).resolves.toEqual([true, true, true, true]);
  });
});
