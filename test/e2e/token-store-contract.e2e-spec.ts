import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis, RedisOptions } from 'ioredis';
import pg from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { passwordResetEntities, ResetToken, TypeOrmResetTokenStore } from '../../lib/typeorm.js';
import { User } from '../fixtures/user.entity.js';
import { RedisResetTokenStore } from '../../lib/storage/redis-reset-token.store.js';
import { digestToken } from '../../lib/tokens/token-digest.js';
import type { PasswordResetUserId } from '../../lib/users/password-reset-user-store.js';
import { PgResetTokenStore } from '../examples/pg-reset-token.store.js';
import { describeResetTokenStoreContract, newResetToken } from '../fixtures/reset-token-store.contract.js';
import { createTestDatabase, DB_ENGINE } from '../fixtures/test-database.js';
import { describeWithRedis, redisKeysMatching } from '../fixtures/token-store.js';

const REDIS = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };

/**
 * A store under a key prefix of its own on the shared Redis. Closing deletes every test user's token through
 * the store, then demands that no key is left under the prefix: a record its user's pointer no longer names
 * would be an orphan the store could never delete.
 */
async function redisHarness(userIds: 'numeric' | 'uuid', clientOptions: RedisOptions = {}) {
  const keyPrefix = `{pr_test_${randomBytes(6).toString('hex')}}:`;
  const redis = new Redis({ ...REDIS, ...clientOptions });
  const admin = new Redis(REDIS);
  const store = new RedisResetTokenStore(redis, { keyPrefix });
  const pattern = `${clientOptions.keyPrefix ?? ''}${keyPrefix}*`;
  const users: PasswordResetUserId[] = [];
  return {
    store,
    redis,
    admin,
    pattern,
    async newUserId() {
      const id = userIds === 'numeric' ? users.length + 1 : randomUUID();
      users.push(id);
      return id;
    },
    async close() {
      try {
        for (const userId of users) await store.deleteAllOf(userId);
        const left = await redisKeysMatching(admin, pattern);
        if (left.length) {
          await admin.del(...left);
          throw new Error(`keys left under ${pattern} after deleting every user's tokens: ${left.join(', ')}`);
        }
      } finally {
        await Promise.all([redis.quit(), admin.quit()]);
      }
    },
  };
}

/** The default store on the engine of this pass (DB_ENGINE), over a throw-away database with real user rows. */
async function typeOrmHarness() {
  const database = await createTestDatabase();
  const dataSource = await new DataSource({
    ...database.options,
    entities: [User, ...passwordResetEntities(User)],
    synchronize: true,
  } as DataSourceOptions).initialize();
  let users = 0;
  return {
    store: new TypeOrmResetTokenStore(dataSource.getRepository(ResetToken)),
    async newUserId() {
      users++;
      const user = await dataSource
        .getRepository(User)
        .save({ email: `user${users}@example.com`, username: `user${users}`, password: null, isActive: true });
      return user.id;
    },
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

describeResetTokenStoreContract(`TypeOrmResetTokenStore (${DB_ENGINE})`, typeOrmHarness);
describeWithRedis('RedisResetTokenStore', () => {
  describeResetTokenStoreContract('numeric user ids', () => redisHarness('numeric'));
  describeResetTokenStoreContract('UUID user ids, a client with its own keyPrefix', () =>
    redisHarness('uuid', { keyPrefix: 'app:' }),
  );
});

describeWithRedis('RedisResetTokenStore on Redis', () => {
  const harnesses: Awaited<ReturnType<typeof redisHarness>>[] = [];
  afterAll(() => Promise.all(harnesses.map((harness) => harness.close())));
  async function harness() {
    const created = await redisHarness('numeric');
    harnesses.push(created);
    return created;
  }

  it('holds neither the plaintext token (nor its hex or base64 form) nor the email, in any key or value', async () => {
    const { store, admin, pattern, newUserId } = await harness();
    const plaintext = randomBytes(24).toString('base64url');
    const email = 'alice.contract@example.com';
    const secret = 'a-server-secret-of-at-least-32-characters!';
    await store.save(
      newResetToken(await newUserId(), {
        tokenDigest: digestToken(plaintext, secret),
        credentialFingerprint: digestToken(`$2b$04$somebcrypthash\u0000${email}`, secret),
      }),
    );
    const keys = await redisKeysMatching(admin, pattern);
    expect(keys).toHaveLength(2);
    const stored = [...keys];
    for (const key of keys) {
      if ((await admin.type(key)) === 'hash') stored.push(...Object.entries(await admin.hgetall(key)).flat());
      else stored.push((await admin.get(key))!);
    }
    for (const secretForm of [
      plaintext,
      Buffer.from(plaintext).toString('hex'),
      Buffer.from(plaintext).toString('base64'),
    ]) {
      for (const text of stored) expect(text.toLowerCase()).not.toContain(secretForm.toLowerCase());
    }
    for (const text of stored) expect(text.toLowerCase()).not.toContain(email);
  });

  it("expires the token's record and its user's pointer natively, at expiresAt", async () => {
    const { store, admin, pattern, newUserId } = await harness();
    const token = await store.save(newResetToken(await newUserId()));
    const keys = await redisKeysMatching(admin, pattern);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(await admin.pexpiretime(key)).toBe(token.expiresAt.getTime());
  });

  it("counts for no token (an unknown account) with a count's write on a key of its own, deleted in the same step", async () => {
    const { store, admin, pattern, newUserId } = await harness();
    const token = await store.save(newResetToken(await newUserId()));
    const prefix = pattern.slice(0, -1);
    const monitor = await admin.monitor();
    const seen: string[][] = [];
    const marker = `end-${randomUUID()}`;
    const ended = new Promise<void>((resolve) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args.includes(marker)) resolve();
        else if (args.some((arg) => arg.startsWith(prefix))) seen.push(args);
      }),
    );
    try {
      expect(await store.recordFailedAttempt(null, 5)).toBe(0);
      await admin.echo(marker);
      await ended;
    } finally {
      monitor.disconnect();
    }
    // Inside the script (MONITOR shows the commands a script runs): the write, then the key gone again.
    const standIn = seen.filter(([command]) => ['hincrby', 'del'].includes(command.toLowerCase()));
    expect(standIn.map(([command, key]) => [command.toLowerCase(), key])).toEqual([
      ['hincrby', `${prefix}token:none`],
      ['del', `${prefix}token:none`],
    ]);
    expect((await redisKeysMatching(admin, pattern)).sort()).toEqual(
      [`${prefix}token:${token.tokenDigest}`, `${prefix}user:${token.userId}`].sort(),
    );
    expect(await store.findByUser(token.userId)).toEqual(token);
  });

  it('decodes the last record found when a lookup finds nothing, as a lookup that finds one decodes it', async () => {
    const { store, newUserId } = await harness();
    const token = await store.save(newResetToken(await newUserId()));
    expect(await store.findByUser(token.userId)).toEqual(token);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(await store.findByUser(await newUserId())).toBeNull();
      expect(await store.findByUser(null)).toBeNull();
      expect(await store.findByDigest(randomBytes(32).toString('hex'))).toBeNull();
      expect(parse).toHaveBeenCalledTimes(3);
    } finally {
      parse.mockRestore();
    }
  });

  it('keeps stores under different prefixes apart on one server', async () => {
    const [a, b] = [await harness(), await harness()];
    const token = await a.store.save(newResetToken(await a.newUserId()));
    await b.newUserId();
    expect(await b.store.findByDigest(token.tokenDigest)).toBeNull();
    expect(await b.store.findByUser(token.userId)).toBeNull();
    await b.store.deleteAllOf(token.userId);
    expect(await a.store.findByUser(token.userId)).toEqual(token);
  });
});

// The README's worked example, held to the same contract; DB_ENGINE=postgres runs it.
(DB_ENGINE === 'postgres' ? describe : describe.skip)('the plain node-postgres example store', () => {
  describeResetTokenStoreContract('PgResetTokenStore', async () => {
    const database = await createTestDatabase('postgres');
    const pool = new pg.Pool({ connectionString: database.url });
    // pool.end() resolves before the server has seen every client go; the drop's FORCE ends those.
    pool.on('error', () => {});
    const store = new PgResetTokenStore(pool);
    await store.createSchema();
    let lastUserId = 0;
    return {
      store,
      newUserId: async () => ++lastUserId,
      close: () => pool.end().finally(() => database.drop()),
    };
  });
});
