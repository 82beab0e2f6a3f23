import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { InProcessTokenRequestQueue, TokenRequestQueue } from '../../lib/index.js';
import { HungMailer } from '../fixtures/hung-mailer.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { INVALID_TOKEN_BODY, requestEach, ROUTES, SERVICE_UNAVAILABLE_BODY } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, TestApp, tokenRows } from '../fixtures/test-app.js';
import { waitUntil } from '../fixtures/wait-until.js';

/** The in-process queue (the default): what it promises for requests answered before their work ran. */
describe('the in-process queue of answered token requests', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('refuses requests past queue.maxPending with a 503, warns once, counts them, and takes more once drained', async () => {
    const logs = new LogRecorder();
    // A long start delay keeps the first three waiting.
    t = await createTestApp({
      logger: logs,
      options: { throttle: false, queue: { maxPending: 3, delay: { min: 60_000, max: 60_000 } } },
    });
    await createUser(t.dataSource);
    for (let i = 0; i < 3; i++) {
      const answer = await request(t.server)
        .post(ROUTES.request)
        .send({ email: `nobody${i}@example.com` });
      expect(answer.status).toBe(200);
    }
    // The account's own request arrives at a full queue: refused, for a known account exactly as for an unknown one.
    const refused = await requestEach(t, ['jane@example.com', 'nobody9@example.com']);
    for (const answer of refused) expect(answer).toMatchObject({ status: 503, body: SERVICE_UNAVAILABLE_BODY });
    expect(refused[0].text).toBe(refused[1].text);
    const queue = t.app.get(TokenRequestQueue) as InProcessTokenRequestQueue;
    expect(queue).toBeInstanceOf(InProcessTokenRequestQueue);
    expect(queue.refusedCount).toBe(2);
    expect(queue.size).toBe(3);
    // At most once a minute, however many are refused.
    expect(logs.lines('warn').filter((line) => line.includes('queue.maxPending'))).toHaveLength(1);

    await t.settle();
    expect(queue.size).toBe(0);
    expect((await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' })).status).toBe(200);
    await t.settle();
    expect(t.events.created).toHaveLength(1);
  });

  it('starts the work after the random delay, never inside the answer', async () => {
    t = await createTestApp({ options: { throttle: false, queue: { delay: { min: 600, max: 600 } } } });
    await createUser(t.dataSource);
    const answered = Date.now();
    expect((await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' })).status).toBe(200);
    expect(t.events.created).toHaveLength(0);
    expect(await tokenRows(t)).toHaveLength(0);
    await waitUntil(() => t!.events.created.length === 1, 10_000, 'the token');
    expect(Date.now() - answered).toBeGreaterThanOrEqual(600);
    expect(await tokenRows(t)).toHaveLength(1);
  });

  it('retries a failing delivery with a fresh token each time, then emits DeliveryFailed once and withdraws the token', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({
      logger: logs,
      options: { throttle: false, queue: { attempts: 3, backoff: 10, delay: { min: 0, max: 0 } } },
    });
    const user = await createUser(t.dataSource);
    // A careless mailer quotes the token in its error.
    t.events.failDelivery = (event) => new Error(`451 try later, link ?token=${event.token}`);
    expect((await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' })).status).toBe(200);
    await waitUntil(() => t!.events.deliveryFailed.length === 1, 10_000, 'DeliveryFailed');
    await t.settle();

    const tokens = t.events.created.map((event) => event.token);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(3);
    expect(t.events.deliveryFailed).toHaveLength(1);
    const [failed] = t.events.deliveryFailed;
    expect(failed.attempts).toBe(3);
    expect(failed.user).toMatchObject({ id: user.id, email: 'jane@example.com' });
    expect(failed.resetToken.id).toBe(t.events.created[2].resetToken.id);
    expect(String((failed.error as Error).message)).toContain('451 try later');
    for (const token of tokens) {
      expect(String((failed.error as Error).message)).not.toContain(token);
      for (const line of logs.lines()) expect(line).not.toContain(token);
    }
    // None of the tokens works: the last was withdrawn, the others replaced.
    expect(await tokenRows(t)).toHaveLength(0);
    for (const token of tokens) {
      const answer = await request(t.server).post(ROUTES.validate).send({ token });
      expect(answer.body).toEqual(INVALID_TOKEN_BODY);
    }
    expect(logs.lines('warn').filter((line) => line.includes('to be retried'))).toHaveLength(2);
    expect(
      logs.lines('error').filter((line) => line.includes('(last attempt, 3; the token is withdrawn)')),
    ).toHaveLength(1);
  });

  it('delivers on a retry after failures: the delivered token works, the undelivered ones do not', async () => {
    t = await createTestApp({
      options: { throttle: false, queue: { attempts: 3, backoff: 10, delay: { min: 0, max: 0 } } },
    });
    await createUser(t.dataSource);
    t.events.failDelivery = new Error('421 service not available');
    t.events.failDeliveries = 2;
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' });
    await waitUntil(() => t!.events.created.length === 3, 10_000, 'the third attempt');
    await t.settle();
    expect(t.events.deliveryFailed).toHaveLength(0);
    const [first, second, delivered] = t.events.created.map((event) => event.token);
    expect((await request(t.server).post(ROUTES.validate).send({ token: delivered })).status).toBe(200);
    for (const token of [first, second]) {
      expect((await request(t.server).post(ROUTES.validate).send({ token })).status).toBe(404);
    }
  });

  it('does not let a hung listener hold the shutdown past queue.shutdownTimeout', async () => {
    const logs = new LogRecorder();
    const app = await createTestApp({
      logger: logs,
      providers: [HungMailer],
      options: { throttle: false, queue: { shutdownTimeout: 300, delay: { min: 0, max: 0 } } },
    });
    await createUser(app.dataSource);
    await request(app.server).post(ROUTES.request).send({ email: 'jane@example.com' });
    await waitUntil(() => app.app.get(HungMailer).called, 5000, 'the mailer to be called');
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logs.lines('warn').some((line) => line.includes('did not finish within 300 ms'))).toBe(true);
  });
});
