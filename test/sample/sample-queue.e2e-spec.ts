import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  postJson,
  resetLinkToken,
  SampleApp,
  startSample,
  stopAllSamples,
  storedPasswordHash,
  useSmtpSink,
} from '../fixtures/sample-process.js';
import type { ReceivedMail } from '../fixtures/smtp-sink.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import {
  deleteRedisKeysUnder,
  describeWithRedis,
  REDIS_URL,
  redisTexts,
  uniqueQueuePrefix,
} from '../fixtures/token-store.js';
import { waitUntil } from '../fixtures/wait-until.js';

const JANE = { email: 'jane@example.com', username: 'jane', password: 'Original-passphrase-1', isActive: true };
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const APP_URL = 'http://localhost/reset-password';
const QUEUE_PREFIX = uniqueQueuePrefix();
/**
 * Several instances on one database and one Redis, as in production: the queue and the throttle counters in Redis
 * (a prefix and a key of this run's own). A lapsed lock is taken over within about 2 × QUEUE_LOCK_MS.
 */
const ENV = {
  APP_URL,
  REDIS_URL,
  QUEUE_PREFIX,
  QUEUE_LOCK_MS: '2000',
  THROTTLE_KEY_SECRET: randomBytes(32).toString('hex'),
  REQUEST_THROTTLE_LIMIT: '0',
  ACCOUNT_THROTTLE_LIMIT: '0',
  ACCOUNT_PER_CLIENT_THROTTLE_LIMIT: '0',
  // The login's counters live in the shared Redis too, keyed by address alone: every pass logs in from 127.0.0.1.
  LOGIN_THROTTLE_LIMIT: '0',
};

const api = (sample: SampleApp, path = '') => `${sample.url}/api/password_reset/${path}`;

/** Every token that reached the sink, from the reset mails' links (the password-changed notices carry none). */
const tokensIn = (mails: ReceivedMail[]) =>
  mails
    .filter((mail) => mail.parsed.subject === 'Reset your password')
    .map((mail) => resetLinkToken(mail.parsed.text, APP_URL));

/** Confirms with the mailed token through `sample`, then checks the new password is the one stored. */
async function confirmWorks(sample: SampleApp, mail: ReceivedMail): Promise<void> {
  const token = resetLinkToken(mail.parsed.text, APP_URL);
  expect(await postJson(api(sample, 'confirm/'), { token, password: NEW_PASSWORD })).toMatchObject({ status: 200 });
  const login = await postJson(`${sample.url}/auth/login`, { email: JANE.email, password: NEW_PASSWORD });
  expect(login.status).toBe(200);
  expect(await storedPasswordHash(sample, JANE.email)).not.toBeNull();
}

// Two processes on one SQLite file would contend for its write lock; the queue is the same on every engine.
(DB_ENGINE === 'sqlite' ? describe.skip : describeWithRedis)(`sample app: the queue in Redis (${DB_ENGINE})`, () => {
  const sink = useSmtpSink();
  const seen = { tokens: [] as string[], passwords: [JANE.password, NEW_PASSWORD] };

  afterEach(async () => {
    seen.tokens.push(...tokensIn(sink().mails));
    await stopAllSamples();
  }, 30_000);

  // After every run: nothing of a finished request in Redis, under the queue's prefix or the throttles'.
  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const texts = [
        ...(await redisTexts(redis, `${QUEUE_PREFIX}*`)),
        ...(await redisTexts(redis, 'password_reset:*')),
      ].join('\n');
      expect(seen.tokens.length).toBeGreaterThan(0);
      for (const secret of [...seen.tokens, ...seen.passwords]) expect(texts).not.toContain(secret);
      expect(texts.toLowerCase()).not.toContain(JANE.email);
      // Waiting, running or delayed jobs would still hold a lookup value.
      expect(texts).not.toContain('"lookupValue"');
    } finally {
      await redis.quit();
      await deleteRedisKeysUnder(QUEUE_PREFIX);
    }
  });

  it('delivers a request whose instance was killed while its mail was in flight, from the other instance', async () => {
    const a = await startSample({ seed: [JANE], env: { ...ENV, ...sink().env } });
    sink().holdAnswers = true;
    expect((await postJson(api(a), { email: JANE.email })).status).toBe(200);
    // A's mailer has sent DATA and waits for the answer: the mail is in flight.
    await waitUntil(() => sink().held === 1, 15_000, 'the mail to be in flight');
    const b = await startSample({ seed: [JANE], env: { ...ENV, ...sink().env }, databaseUrl: a.databaseUrl });
    sink().holdAnswers = false;
    await a.kill();

    // B finds the request's lock lapsed, runs it again, and its mail arrives.
    const mail = await sink().waitForMailTo(JANE.email, 0, 30_000);
    expect(sink().mails).toHaveLength(1);
    await confirmWorks(b, mail);
  }, 90_000);

  it('delivers after an SMTP outage: the mail server answers 451 for 3 s around the request', async () => {
    const sample = await startSample({ seed: [JANE], env: { ...ENV, ...sink().env } });
    const since = sink().mails.length;
    const outageEnds = Date.now() + 3000;
    sink().refuseUntil = outageEnds;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await postJson(api(sample), { email: JANE.email })).status).toBe(200);

    // The first run met the outage; a retry (QUEUE_BACKOFF_MS, default 3 s, then doubling) delivered.
    const mail = await sink().waitForMailTo(JANE.email, since, 30_000);
    expect(sink().refused).toBeGreaterThanOrEqual(1);
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    expect(sink().mails.slice(since)).toHaveLength(1);
    await confirmWorks(sample, mail);
  }, 90_000);

  it('runs with web-only instances and a worker-only process (SAMPLE_ROLE)', async () => {
    const web = await startSample({ seed: [JANE], env: { ...ENV, ...sink().env, SAMPLE_ROLE: 'web' } });
    const worker = await startSample({
      env: { ...ENV, ...sink().env, SAMPLE_ROLE: 'worker' },
      databaseUrl: web.databaseUrl,
    });
    expect(worker.stdout()).toContain('Sample worker running');
    const since = sink().mails.length;
    expect((await postJson(api(web), { email: JANE.email })).status).toBe(200);
    const mail = await sink().waitForMailTo(JANE.email, since, 30_000);
    await confirmWorks(web, mail);

    // Without the worker, the web instance takes requests and sends nothing.
    await worker.stop();
    const before = sink().mails.length;
    expect((await postJson(api(web), { email: JANE.email })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(sink().mails).toHaveLength(before);
    // A worker started later delivers it: the request waited in Redis.
    await startSample({ env: { ...ENV, ...sink().env, SAMPLE_ROLE: 'worker' }, databaseUrl: web.databaseUrl });
    await sink().waitForMailTo(JANE.email, before, 30_000);
  }, 90_000);
});
