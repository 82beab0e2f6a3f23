import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import request from 'supertest';
import { PasswordResetConfigurationError, TokenRequestQueue } from '../../lib/index.js';
import { BullMqTokenRequestQueue, BullMqTokenRequestQueueOptions } from '../../lib/bullmq.js';
import { HungMailer } from '../fixtures/hung-mailer.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { NEW_PASSWORD, requestEach, ROUTES, SERVICE_UNAVAILABLE_BODY } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp, TestAppOptions } from '../fixtures/test-app.js';
import { createTestDatabase, TestDatabase } from '../fixtures/test-database.js';
import {
  describeWithRedis,
  REDIS_URL,
  redisKeysMatching,
  redisTexts,
  uniqueRedisKeyPrefix,
} from '../fixtures/token-store.js';
import { waitUntil } from '../fixtures/wait-until.js';

/**
 * The BullMQ queue on the machine's real Redis. Each test's queue lives under a prefix of its own; afterwards the
 * test checks what is left there (nothing of a finished request) and deletes it.
 */
describeWithRedis('BullMqTokenRequestQueue', () => {
  let admin: Redis;
  let prefix: string;
  const apps: TestApp[] = [];
  const clients: Redis[] = [];

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    await Promise.all(clients.splice(0).map((client) => client.quit()));
    const left = await redisKeysMatching(admin, `${prefix}*`);
    if (left.length) await admin.del(...left);
  });

  /** A client as BullMQ's workers need it; closed after the test. */
  function connection(url = REDIS_URL): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: null });
    clients.push(client);
    return client;
  }

  async function startApp(
    queue: Partial<BullMqTokenRequestQueueOptions> = {},
    setup: TestAppOptions = {},
  ): Promise<TestApp> {
    const provider = {
      provide: TokenRequestQueue,
      useFactory: () => new BullMqTokenRequestQueue({ connection: connection(), prefix, ...queue }),
    };
    const app = await createTestApp({
      ...setup,
      options: { throttle: false, ...setup.options },
      extras: { extraProviders: [provider] },
    });
    apps.push(app);
    return app;
  }

  beforeEach(() => {
    prefix = uniqueRedisKeyPrefix().slice(0, -1);
  });

  it('runs the whole flow through Redis and keeps nothing of a finished request there', async () => {
    const t = await startApp({}, { options: { queue: { delay: { min: 0, max: 0 } } } });
    const user = await createUser(t.dataSource);
    const answer = await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'OK' });
    await waitUntil(() => t.events.created.length === 1, 10_000, 'the worker to issue the token');
    await t.settle();
    const [{ token }] = t.events.created;

    const texts = (await redisTexts(admin, `${prefix}*`)).join('\n');
    expect(texts).not.toContain(token);
    expect(texts.toLowerCase()).not.toContain('jane@example.com');
    expect(await admin.exists(`${prefix}:token-requests:wait`)).toBe(0);

    expect((await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD })).status).toBe(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('runs a failing delivery exactly queue.attempts times, then emits DeliveryFailed once', async () => {
    const logs = new LogRecorder();
    const t = await startApp(
      {},
      { logger: logs, options: { queue: { attempts: 3, backoff: 50, delay: { min: 0, max: 0 } } } },
    );
    await createUser(t.dataSource);
    t.events.failDelivery = (event) => new Error(`421 closing, ?token=${event.token}`);
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' });
    await waitUntil(() => t.events.deliveryFailed.length === 1, 15_000, 'DeliveryFailed');
    await t.settle();
    // Nothing runs again later.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.events.created).toHaveLength(3);
    expect(t.events.deliveryFailed).toHaveLength(1);
    expect(t.events.deliveryFailed[0].attempts).toBe(3);
    expect(await t.tokens.list()).toHaveLength(0);

    const texts = (await redisTexts(admin, `${prefix}*`)).join('\n');
    for (const { token } of t.events.created) {
      expect(texts).not.toContain(token);
      for (const line of logs.lines()) expect(line).not.toContain(token);
    }
    expect(texts.toLowerCase()).not.toContain('jane@example.com');
  });

  it("carries the request's locale through Redis to TokenCreated, on every retry, and to DeliveryFailed", async () => {
    const t = await startApp({}, { options: { queue: { attempts: 2, backoff: 50, delay: { min: 0, max: 0 } } } });
    await createUser(t.dataSource);
    t.events.failDelivery = new Error('421 closing');
    await request(t.server).post(ROUTES.request).set('Accept-Language', 'pt-BR').send({ email: 'jane@example.com' });
    await waitUntil(() => t.events.deliveryFailed.length === 1, 15_000, 'DeliveryFailed');
    await t.settle();
    expect(t.events.created.map((event) => event.locale)).toEqual(['pt-BR', 'pt-BR']);
    expect(t.events.deliveryFailed[0].locale).toBe('pt-BR');
  });

  it('lets a web instance without a worker hand requests to another instance that works', async () => {
    const database: TestDatabase = await createTestDatabase(undefined, { shared: true });
    try {
      const options = { queue: { delay: { min: 0, max: 0 } } };
      // Tokens in the shared database: on the Redis pass each test app would get a key prefix of its own.
      const web = await startApp({ worker: false }, { database, options, tokenStore: 'database' });
      const worker = await startApp({ worker: true }, { database, options, tokenStore: 'database' });
      await createUser(web.dataSource);
      expect((await request(web.server).post(ROUTES.request).send({ email: 'jane@example.com' })).status).toBe(200);
      await waitUntil(() => worker.events.created.length === 1, 10_000, 'the worker instance to deliver');
      expect(web.events.created).toHaveLength(0);
      const { token } = worker.events.created[0];
      expect((await request(web.server).post(ROUTES.validate).send({ token })).status).toBe(200);
    } finally {
      for (const app of apps.splice(0).reverse()) await app.close();
      await database.drop();
    }
  });

  it('does not let a hung listener hold the shutdown past queue.shutdownTimeout, leaving its request to another worker', async () => {
    const logs = new LogRecorder();
    const t = await startApp(
      {},
      {
        logger: logs,
        providers: [HungMailer],
        options: { queue: { shutdownTimeout: 300, delay: { min: 0, max: 0 } } },
      },
    );
    await createUser(t.dataSource);
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' });
    await waitUntil(() => t.app.get(HungMailer).called, 10_000, 'the mailer to be called');
    apps.splice(apps.indexOf(t), 1);
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logs.lines('warn').some((line) => line.includes('left to another worker'))).toBe(true);
    // The request is still in Redis, active under a lock that will lapse: not lost.
    expect(await admin.llen(`${prefix}:token-requests:active`)).toBe(1);
  });

  it('answers 503 alike for every account when Redis cannot take the request', async () => {
    const provider = {
      provide: TokenRequestQueue,
      // Nothing listens on port 1: every command waits in ioredis's offline queue.
      useFactory: () =>
        new BullMqTokenRequestQueue({
          connection: connection('redis://127.0.0.1:1'),
          prefix,
          worker: false,
          enqueueTimeout: 200,
        }),
    };
    const t = await createTestApp({ options: { throttle: false }, extras: { extraProviders: [provider] } });
    apps.push(t);
    await createUser(t.dataSource);
    const answers = await requestEach(t, ['jane@example.com', 'nobody@example.com']);
    for (const answer of answers) expect(answer).toMatchObject({ status: 503, body: SERVICE_UNAVAILABLE_BODY });
    expect(answers[0].text).toBe(answers[1].text);
    expect(t.events.created).toHaveLength(0);
    // Closing must not wait for the Redis that never answered. The client is the app's, closed after the app, as
    // the README says: disconnecting it first raced BullMQ's readiness wait against the close.
    const app = apps.pop()!;
    await app.close();
    clients.splice(0).forEach((client) => client.disconnect());
  });

  it.each([
    [{}, /option "connection" is required/],
    [{ connection: {}, concurrency: 0 }, /option "concurrency" must be an integer from 1 to 1000/],
    [{ connection: {}, lockDuration: 10 }, /option "lockDuration" must be at least 1000 ms/],
    [{ connection: {}, queueName: 'a:b' }, /option "queueName"/],
    [{ connection: {}, workers: 2 }, /unknown option "workers"/],
  ])('refuses bad options %j at construction, naming the option', (options, message) => {
    expect(() => new BullMqTokenRequestQueue(options as never)).toThrow(PasswordResetConfigurationError);
    expect(() => new BullMqTokenRequestQueue(options as never)).toThrow(message);
  });
});
