import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { postJson, resetLinkToken, SampleApp, startSample, stopAllSamples } from '../fixtures/sample-process.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import {
  deleteRedisKeysUnder,
  REDIS_URL,
  redisKeysMatching,
  TOKEN_STORE,
  uniqueQueuePrefix,
  uniqueRedisKeyPrefix,
} from '../fixtures/token-store.js';
import { waitUntil } from '../fixtures/wait-until.js';

const ATTEMPTS = 20;
const ACCOUNT = { email: 'jane@example.com', username: 'jane', password: 'Original-passphrase-1', isActive: true };
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const APP_URL = 'http://localhost/reset-password';
// Throttling is per client and would answer 429 before the store decides; the limits have their own suite.
const ENV = {
  APP_URL,
  REQUEST_THROTTLE_LIMIT: '0',
  ACCOUNT_THROTTLE_LIMIT: '0',
  TOKEN_THROTTLE_LIMIT: '0',
  LOGIN_THROTTLE_LIMIT: '0',
};
/** On the Redis pass: the tokens in Redis under a prefix of this run's own, the users in one database. */
const REDIS_TOKENS = {
  TOKEN_STORE: 'redis',
  REDIS_URL,
  REDIS_KEY_PREFIX: uniqueRedisKeyPrefix(),
  QUEUE_PREFIX: uniqueQueuePrefix(),
};

const post = async (instance: SampleApp, path: string, body: object) =>
  (await postJson(instance.url + path, body)).status;
const login = (instance: SampleApp, password: string) =>
  post(instance, '/auth/login', { email: ACCOUNT.email, password });

async function withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL);
  try {
    return await work(redis);
  } finally {
    await redis.quit();
  }
}

/**
 * Requests a reset through `instance` and reads the token from the mail printed by whichever instance ran the
 * request (with REDIS_URL the queue is in Redis, and either instance's worker may take it).
 */
async function requestToken(instance: SampleApp, instances: SampleApp[]): Promise<string> {
  const before = instances.map((each) => each.stdout().length);
  const printed = () => instances.map((each, i) => each.stdout().slice(before[i])).join('\n');
  expect(await post(instance, '/api/password_reset/', { email: ACCOUNT.email })).toBe(200);
  await waitUntil(() => printed().includes(`${APP_URL}?token=`), 10_000, 'the reset mail');
  return resetLinkToken(printed(), APP_URL);
}

// Tokens in the database: on SQLite two processes would contend for the file's write lock, not test the claim.
// Tokens in Redis: the claim is Redis's, and the users' one shared SQLite file takes the winner's write alone.
const variant =
  TOKEN_STORE === 'redis'
    ? { name: `sharing Redis for tokens and one ${DB_ENGINE} database for users`, runs: true }
    : { name: `on one ${DB_ENGINE} database`, runs: DB_ENGINE !== 'sqlite' };

(variant.runs ? describe : describe.skip)(`two sample instances ${variant.name}`, () => {
  let a: SampleApp;
  let b: SampleApp;
  // Instances sharing Redis share the throttle key too; random per run, so no other run's counters are met.
  const env =
    TOKEN_STORE === 'redis' ? { ...ENV, ...REDIS_TOKENS, THROTTLE_KEY_SECRET: randomBytes(32).toString('hex') } : ENV;

  beforeAll(async () => {
    // One after the other: the first creates the schema and the account, the second finds both.
    a = await startSample({ seed: [ACCOUNT], env });
    b = await startSample({ seed: [ACCOUNT], env, databaseUrl: a.databaseUrl });
  }, 120_000);

  // B shares A's database, so it stops first; A then drops the database. Then no token key may be left: each
  // test ends with its token used, and a used token leaves nothing behind.
  afterAll(async () => {
    await b?.stop();
    await stopAllSamples();
    if (TOKEN_STORE !== 'redis') return;
    await deleteRedisKeysUnder(REDIS_TOKENS.QUEUE_PREFIX);
    const left = await withRedis((redis) => redisKeysMatching(redis, `${REDIS_TOKENS.REDIS_KEY_PREFIX}*`));
    if (left.length) await withRedis((redis) => redis.del(...left));
    expect(left).toEqual([]);
  }, 30_000);

  it('confirms through one instance a token requested through the other', async () => {
    const token = await requestToken(a, [a, b]);
    if (TOKEN_STORE === 'redis') {
      // The token's record and its user's pointer: the tokens are in Redis indeed.
      const keys = await withRedis((redis) => redisKeysMatching(redis, `${REDIS_TOKENS.REDIS_KEY_PREFIX}*`));
      expect(keys).toHaveLength(2);
    }
    expect(await post(b, '/api/password_reset/validate_token/', { token })).toBe(200);
    expect(await post(b, '/api/password_reset/confirm/', { token, password: NEW_PASSWORD })).toBe(200);
    expect(await login(a, NEW_PASSWORD)).toBe(200);
    expect(await login(a, ACCOUNT.password)).toBe(401);
    expect(await post(a, '/api/password_reset/confirm/', { token, password: `${NEW_PASSWORD}-again` })).toBe(404);
  }, 60_000);

  it(`gives exactly one winner among ${ATTEMPTS} concurrent confirms split across both instances`, async () => {
    const token = await requestToken(b, [a, b]);
    const passwords = Array.from({ length: ATTEMPTS }, (_, i) => `${NEW_PASSWORD}-${i}`);
    const statuses = await Promise.all(
      passwords.map((password, i) => post(i % 2 ? b : a, '/api/password_reset/confirm/', { token, password })),
    );
    const winners = statuses.flatMap((status, i) => (status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(ATTEMPTS - 1);
    const logins = await Promise.all(passwords.map((password, i) => login(i % 2 ? a : b, password)));
    expect(logins).toEqual(passwords.map((_, i) => (i === winners[0] ? 200 : 401)));
    if (process.env.CONCURRENCY_REPORT) {
      console.log(
        `${DB_ENGINE}: ${ATTEMPTS} confirms over 2 instances, winner #${winners[0]} on ${winners[0] % 2 ? 'B' : 'A'}`,
      );
    }
  }, 90_000);
});
