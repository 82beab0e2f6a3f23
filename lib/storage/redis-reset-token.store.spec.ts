import { describe, expect, it } from '@jest/globals';
import type { Cluster, Redis } from 'ioredis';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import { RedisResetTokenStore } from './redis-reset-token.store.js';

/** Enough of an ioredis client for the constructor, which only defines the scripts. */
function fakeClient(isCluster: boolean): Redis | Cluster {
  const defined: string[] = [];
  return { isCluster, defined, defineCommand: (name: string) => defined.push(name) } as unknown as Redis;
}

describe('RedisResetTokenStore options', () => {
  it('defines its scripts on the client under names of its own', () => {
    const client = fakeClient(false);
    new RedisResetTokenStore(client);
    expect((client as unknown as { defined: string[] }).defined).toEqual([
      'passwordResetSave',
      'passwordResetRestore',
      'passwordResetClaim',
      'passwordResetFail',
      'passwordResetRelease',
      'passwordResetDeleteAll',
      'passwordResetFindByUser',
    ]);
  });

  it.each(['', null, 42])('refuses keyPrefix %p, naming the option', (keyPrefix) => {
    const create = () => new RedisResetTokenStore(fakeClient(false), { keyPrefix: keyPrefix as string });
    expect(create).toThrow(PasswordResetConfigurationError);
    expect(create).toThrow(/keyPrefix must be a non-empty string/);
  });

  it('demands a hash tag in keyPrefix on Redis Cluster, and takes any prefix on a single server', () => {
    for (const keyPrefix of ['password_reset:', '{}password_reset:', 'password_reset:{', 'pr}{:']) {
      expect(() => new RedisResetTokenStore(fakeClient(true), { keyPrefix })).toThrow(
        /keyPrefix .* needs a hash tag on Redis Cluster/,
      );
      expect(() => new RedisResetTokenStore(fakeClient(false), { keyPrefix })).not.toThrow();
    }
    for (const keyPrefix of ['{pr}:', 'app:{password_reset}:']) {
      expect(() => new RedisResetTokenStore(fakeClient(true), { keyPrefix })).not.toThrow();
    }
    // The default carries one, so it suits both.
    expect(() => new RedisResetTokenStore(fakeClient(true))).not.toThrow();
  });
});
