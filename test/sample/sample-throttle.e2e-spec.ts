import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  deleteRedisKeysUnder,
  describeWithRedis,
  REDIS_REACHABLE,
  uniqueQueuePrefix,
} from '../fixtures/token-store.js';
import {
  stopAllSamples,
  IN_ORDER,
  postJson,
  randomLoopbackAddress,
  SampleApp,
  SeedAccount,
  startSample,
  useSmtpSink,
} from '../fixtures/sample-process.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import { unreachableUrl } from '../fixtures/unreachable-url.js';

const JANE: SeedAccount = {
  email: 'jane@example.com',
  username: 'jane',
  password: 'jane-old-secret-7',
  isActive: true,
};
const SAM: SeedAccount = { email: 'sam@example.com', username: 'sam', password: 'sam-old-secret-7', isActive: true };
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Per run, so these counters never meet another run's in a shared Redis (nor its queue). */
const THROTTLE_KEY_SECRET = randomBytes(32).toString('base64url');
const QUEUE_PREFIX = uniqueQueuePrefix();

const api = (sample: SampleApp, path = '') => `${sample.url}/api/password_reset/${path}`;
/** Statuses of sequential requests, each from the given client address. */
async function statuses(url: string, bodies: object[], from: string): Promise<number[]> {
  const result: number[] = [];
  for (const body of bodies) result.push((await postJson(url, body, from)).status);
  return result;
}

// Throttling does not touch the database: once, not once per engine.
const describeOnce = DB_ENGINE === 'sqlite' ? describe : describe.skip;

describeOnce('sample app: throttle variables', () => {
  const sink = useSmtpSink();
  // The samples first: a running worker would write its queue's keys again.
  afterAll(async () => {
    await stopAllSamples();
    if (REDIS_REACHABLE) await deleteRedisKeysUnder(QUEUE_PREFIX);
  }, 30_000);

  describe('REQUEST_ and TOKEN_THROTTLE_*', () => {
    let sample: SampleApp;
    beforeAll(async () => {
      sample = await startSample({
        seed: [JANE],
        env: {
          REQUEST_THROTTLE_LIMIT: '2',
          REQUEST_THROTTLE_TTL_SECONDS: '60',
          TOKEN_THROTTLE_LIMIT: '3',
          TOKEN_THROTTLE_TTL_SECONDS: '60',
          LOGIN_THROTTLE_LIMIT: '2',
          LOGIN_THROTTLE_TTL_SECONDS: '60',
        },
      });
    }, 180_000);

    it('answers 429 once a client passes the request limit; other clients go on', async () => {
      const client = randomLoopbackAddress();
      const body = { email: 'nobody@example.com' };
      expect(await statuses(api(sample), [body, body, body], client)).toEqual([200, 200, 429]);
      expect((await postJson(api(sample), body, randomLoopbackAddress())).status).toBe(200);
    });

    it('answers 429 once a client passes the login limit, right password or not; other clients go on', async () => {
      const client = randomLoopbackAddress();
      const login = `${sample.url}/auth/login`;
      const wrong = { email: JANE.email, password: 'wrong-password' };
      expect(await statuses(login, [wrong, wrong, { email: JANE.email, password: JANE.password }], client)).toEqual([
        401, 401, 429,
      ]);
      expect(
        (await postJson(login, { email: JANE.email, password: JANE.password }, randomLoopbackAddress())).status,
      ).toBe(200);
    });

    it('answers 429 once a client passes the token limit, on validate and confirm together', async () => {
      const client = randomLoopbackAddress();
      const token = 'x'.repeat(32);
      const validate = api(sample, 'validate_token/');
      const confirm = api(sample, 'confirm/');
      expect(await statuses(validate, [{ token }, { token }], client)).toEqual([404, 404]);
      expect((await postJson(confirm, { token, password: 'Tr1cky-new-passphrase' }, client)).status).toBe(404);
      expect((await postJson(confirm, { token, password: 'Tr1cky-new-passphrase' }, client)).status).toBe(429);
      expect((await postJson(validate, { token }, randomLoopbackAddress())).status).toBe(404);
    });
  });

  describe('ACCOUNT_THROTTLE_LIMIT, and REQUEST_THROTTLE_LIMIT=0', () => {
    let sample: SampleApp;
    beforeAll(async () => {
      sample = await startSample({
        seed: [JANE, SAM],
        env: {
          ...sink().env,
          ACCOUNT_THROTTLE_LIMIT: '1',
          ACCOUNT_THROTTLE_TTL_SECONDS: '60',
          REQUEST_THROTTLE_LIMIT: '0',
          // The sentinel request below must run after the ones before it.
          ...IN_ORDER,
        },
      });
    }, 180_000);

    it('issues one token per account per window, answering every request the same', async () => {
      const before = sink().mails.length;
      for (let i = 0; i < 3; i++) {
        const response = await postJson(api(sample), { email: JANE.email }, randomLoopbackAddress());
        expect(response).toEqual({ status: 200, body: { status: 'OK' } });
      }
      // A sentinel for another account, worked on after Jane's: once its mail is in, any second mail to Jane would be.
      await postJson(api(sample), { email: SAM.email }, randomLoopbackAddress());
      await sink().waitForMailTo(SAM.email, before);
      expect(
        sink()
          .mails.slice(before)
          .map((mail) => mail.recipients)
          .sort(),
      ).toEqual([[JANE.email], [SAM.email]]);
    });

    it('switches the per-client request limit off with 0 (the default allows 20)', async () => {
      const bodies = Array.from({ length: 25 }, (_, i) => ({ email: `nobody${i}@example.com` }));
      expect(new Set(await statuses(api(sample), bodies, randomLoopbackAddress()))).toEqual(new Set([200]));
    });
  });

  describeWithRedis('REDIS_URL', () => {
    it('shares the counters between instances', async () => {
      const env = {
        REDIS_URL,
        THROTTLE_KEY_SECRET,
        QUEUE_PREFIX,
        REQUEST_THROTTLE_LIMIT: '2',
        REQUEST_THROTTLE_TTL_SECONDS: '60',
      };
      const first = await startSample({ seed: [JANE], env });
      const second = await startSample({ seed: [JANE], env, databaseUrl: first.databaseUrl });
      // A fresh client address: no counters from earlier runs in the same Redis.
      const client = randomLoopbackAddress();
      const body = { email: 'nobody@example.com' };
      expect((await postJson(api(first), body, client)).status).toBe(200);
      expect((await postJson(api(second), body, client)).status).toBe(200);
      expect((await postJson(api(first), body, client)).status).toBe(429);
      expect((await postJson(api(second), body, client)).status).toBe(429);
    }, 180_000);

    it('answers 503 in about a second while Redis is down, instead of holding the request', async () => {
      const sample = await startSample({
        seed: [JANE],
        env: {
          REDIS_URL: `redis://127.0.0.1:${new URL(await unreachableUrl()).port}`,
          THROTTLE_KEY_SECRET,
          QUEUE_PREFIX,
        },
      });
      for (const path of ['', 'validate_token/']) {
        const started = Date.now();
        const answer = await postJson(api(sample, path), path ? { token: 'x'.repeat(32) } : { email: JANE.email });
        expect(answer).toEqual({
          status: 503,
          body: {
            statusCode: 503,
            message: 'The service is unavailable. Try again later.',
            error: 'Service Unavailable',
          },
        });
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
        expect(Date.now() - started).toBeLessThan(3000);
      }
    }, 180_000);
  });
});
