import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { PasswordResetThrottleOptions, PasswordResetThrottleStorage } from '../../lib/index.js';
import { MemoryThrottleStorage } from '../../lib/index.js';
import { createTestApp, createUser, TestApp, tokenRows } from '../fixtures/test-app.js';

const KEY_SECRET = 'throttle-key-secret-for-the-tests-0123456789';

describe('throttling', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('limits the request endpoint per client with 429 and Retry-After, counting malformed requests', async () => {
    t = await createTestApp({ options: { throttle: { request: { limit: 3, ttl: 60 }, account: false } } });
    await request(t.server).post('/password_reset/').send({ email: 'not an email' }).expect(400);
    await request(t.server).post('/password_reset/').send({}).expect(400);
    await request(t.server).post('/password_reset/').send({ email: 'a@example.com' }).expect(200);
    const limited = await request(t.server).post('/password_reset/').send({ email: 'b@example.com' }).expect(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      message: 'Too many requests. Try again later.',
      error: 'Too Many Requests',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('counts clients by the configured IP header', async () => {
    t = await createTestApp({
      options: { ipAddressHeader: 'x-forwarded-for', throttle: { request: { limit: 1, ttl: 60 }, account: false } },
    });
    const from = (ip: string) => request(t.server).post('/password_reset/').set('X-Forwarded-For', ip);
    await from('1.1.1.1').send({ email: 'a@example.com' }).expect(200);
    await from('1.1.1.1, 9.9.9.9').send({ email: 'a@example.com' }).expect(429);
    await from('2.2.2.2').send({ email: 'a@example.com' }).expect(200);
  });

  // The README: by default the limits count the socket address; X-Forwarded-For is any client's to choose.
  describe.each([
    ['by default', {}],
    ['with trust proxy set on the platform', { httpAdapter: { trustProxy: true } }],
  ])('%s', (_, setup) => {
    it('ignores X-Forwarded-For: a new value gets no fresh counter', async () => {
      t = await createTestApp({
        ...setup,
        options: { throttle: { request: { limit: 1, ttl: 3600 }, account: false } },
      });
      const from = (ip: string) => request(t.server).post('/password_reset/').set('X-Forwarded-For', ip);
      await from('1.1.1.1').send({ email: 'a@example.com' }).expect(200);
      await from('2.2.2.2').send({ email: 'a@example.com' }).expect(429);
      await request(t.server).post('/password_reset/').send({ email: 'a@example.com' }).expect(429);
    });
  });

  it('limits per account silently: same 200, no token, whether or not the account exists', async () => {
    t = await createTestApp({ options: { throttle: { request: false, account: { limit: 2, ttl: 60 } } } });
    await createUser(t.dataSource);
    for (const email of ['jane@example.com', 'JANE@example.com', 'jane@example.com']) {
      await request(t.server).post('/password_reset/').send({ email }).expect(200, { status: 'OK' });
      await t.settle();
    }
    // Two tokens were issued (the second replaced the first); the third request was over the limit.
    expect(t.events.created).toHaveLength(2);
    expect(await tokenRows(t)).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await request(t.server)
        .post('/password_reset/')
        .send({ email: 'ghost@example.com' })
        .expect(200, { status: 'OK' });
    }
    await request(t.server).post('/password_reset/').send({ email: 'other@example.com' }).expect(200);
  });

  it('limits validate and confirm together per client', async () => {
    t = await createTestApp({ options: { throttle: { token: { limit: 2, ttl: 60 } } } });
    await request(t.server).post('/password_reset/validate_token/').send({ token: 'x' }).expect(404);
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token: 'x', password: 'Unguessable-42' })
      .expect(404);
    await request(t.server).post('/password_reset/validate_token/').send({ token: 'x' }).expect(429);
    await request(t.server).post('/password_reset/confirm/').send({}).expect(429);
  });

  it('switches off with throttle: false', async () => {
    t = await createTestApp({ options: { throttle: false } });
    for (let i = 0; i < 40; i++) {
      await request(t.server).post('/password_reset/validate_token/').send({ token: 'x' }).expect(404);
    }
  });

  it('counts in the storage the app provides, under keys that do not reveal the identifier', async () => {
    const memory = new MemoryThrottleStorage();
    const calls: Parameters<PasswordResetThrottleStorage['increment']>[] = [];
    const storage: PasswordResetThrottleStorage = {
      increment: (...args) => {
        calls.push(args);
        const [key, ttl, limit, blockDuration] = args;
        return memory.increment(key, ttl, limit, blockDuration);
      },
    };
    t = await createTestApp({
      options: { throttle: { request: { limit: 5, ttl: 60 }, storage, keySecret: KEY_SECRET } },
    });
    await request(t.server).post('/password_reset/').send({ email: 'a@example.com' }).expect(200);
    expect(calls.map(([, ttl, limit, , name]) => [name, ttl, limit])).toEqual([
      ['request', 60_000, 5],
      ['accountPerClient', 3_600_000, 3],
      ['account', 3_600_000, 10],
    ]);
    expect(calls.map(([key]) => key).join(' ')).not.toMatch(/a@example\.com|127\.0\.0\.1/);
    memory.close();
  });

  it('refuses a storage of its own without a key secret at start-up, naming the option', async () => {
    const storage: PasswordResetThrottleStorage = { increment: () => Promise.reject(new Error('unused')) };
    await expect(createTestApp({ options: { throttle: { storage } } })).rejects.toThrow(
      /option "throttle\.keySecret" \(or tokenSecret\) is required with throttle\.storage/,
    );
    t = await createTestApp({ options: { tokenSecret: KEY_SECRET, throttle: { storage } } });
  });

  describe('client identity', () => {
    const from = (ip: string) =>
      request(t.server).post('/password_reset/').set('X-Forwarded-For', ip).send({ email: 'a@example.com' });
    const behindProxy = (throttle: PasswordResetThrottleOptions = {}) =>
      createTestApp({
        options: {
          ipAddressHeader: 'x-forwarded-for',
          throttle: { request: { limit: 1, ttl: 60 }, account: false, ...throttle },
        },
      });

    it('counts every spelling of an IPv4-mapped IPv6 address as the IPv4 client', async () => {
      t = await behindProxy();
      await from('203.0.113.200').expect(200);
      for (const mapped of ['::ffff:203.0.113.200', '::FFFF:CB00:71C8', '0:0:0:0:0:ffff:cb00:71c8']) {
        await from(mapped).expect(429);
      }
      await from('203.0.113.201').expect(200);
    });

    it('counts an IPv6 /64 as one client by default', async () => {
      t = await behindProxy();
      await from('2001:db8:1:2::1').expect(200);
      await from('2001:db8:1:2:ffff:1234:5678:9abc').expect(429);
      await from('2001:db8:1:3::1').expect(200);
    });

    it('counts by the prefix set in throttle.ipv6Prefix', async () => {
      t = await behindProxy({ ipv6Prefix: 128 });
      await from('2001:db8:1:2::1').expect(200);
      await from('2001:db8:1:2::2').expect(200);
      await from('2001:db8:1:2:0:0:0:1').expect(429);
    });
  });

  describe('a throttle storage that cannot count', () => {
    const body = { request: { email: 'a@example.com' }, validate: { token: 'x' } };

    it('answers 503 within storageTimeout when the storage never answers, on every route', async () => {
      const storage: PasswordResetThrottleStorage = { increment: () => new Promise(() => {}) };
      t = await createTestApp({ options: { throttle: { storage, keySecret: KEY_SECRET, storageTimeout: 200 } } });
      for (const [route, sent] of [
        ['/password_reset/', body.request],
        ['/password_reset/validate_token/', body.validate],
        ['/password_reset/confirm/', { token: 'x', password: 'Unguessable-42' }],
      ] as const) {
        const started = Date.now();
        const answer = await request(t.server).post(route).send(sent);
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({
          statusCode: 503,
          message: 'The service is unavailable. Try again later.',
          error: 'Service Unavailable',
        });
        expect(Date.now() - started).toBeLessThan(2000);
      }
    });
  });

  it('refuses malformed limits at start-up, naming the option', async () => {
    await expect(createTestApp({ options: { throttle: { token: { limit: 0, ttl: 60 } } } })).rejects.toThrow(
      /throttle\.token/,
    );
    await expect(createTestApp({ options: { throttle: { tokens: false } as never } })).rejects.toThrow(
      /throttle\.tokens/,
    );
    t = await createTestApp();
  });
});
