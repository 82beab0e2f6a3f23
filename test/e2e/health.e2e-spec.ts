import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import request from 'supertest';
import { PasswordResetThrottleStorage, ThrottleStorageRecord, TokenRequestQueue } from '../../lib/index.js';
import { BullMqTokenRequestQueue } from '../../lib/bullmq.js';
import { PasswordResetHealthIndicator } from '../../lib/terminus.js';
import { closingTestApps } from '../fixtures/reset-requests.js';
import { TestApp, TestAppOptions } from '../fixtures/test-app.js';
import { REDIS_URL } from '../fixtures/token-store.js';

/** The health endpoint as an app would write it. */
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly passwordReset: PasswordResetHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.passwordReset.isHealthy()]);
  }
}

/** A shared throttle storage on Redis, as an app would configure one (fixed windows, no blocking). */
class RedisThrottleStorage implements PasswordResetThrottleStorage {
  constructor(readonly redis: Redis) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottleStorageRecord> {
    const [[, hits], [, left]] = (await this.redis.multi().incr(key).pttl(key).exec()) as [
      [null, number],
      [null, number],
    ];
    if (left < 0) await this.redis.pexpire(key, ttl);
    const timeToExpire = Math.ceil((left < 0 ? ttl : left) / 1000);
    return { totalHits: hits, timeToExpire, isBlocked: hits > limit, timeToBlockExpire: 0 };
  }
}

describe('PasswordResetHealthIndicator (nestjs-password-reset/terminus)', () => {
  const startApp = closingTestApps();
  const clients: Redis[] = [];
  /** BullMQ key prefixes a test used: its queue leaves a `meta` key behind, removed here so runs leave nothing. */
  const queuePrefixes: string[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
    if (!queuePrefixes.length) return;
    const redis = new Redis(REDIS_URL);
    try {
      for (const prefix of queuePrefixes.splice(0)) {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
      }
    } finally {
      await redis.quit();
    }
  });

  function healthApp(setup: TestAppOptions = {}): Promise<TestApp> {
    return startApp({
      ...setup,
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [PasswordResetHealthIndicator],
      controllers: [HealthController],
    });
  }

  const health = (t: TestApp) => request(t.server).get('/health');

  it('is up while the token store answers, and down once its database connection is gone', async () => {
    const t = await healthApp();
    const up = await health(t).expect(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      info: { password_reset: { status: 'up', tokenStore: 'up', queue: 'up' } },
    });
    expect(up.body.info.password_reset).not.toHaveProperty('throttleStore');

    if (t.tokens.cutConnection) t.tokens.cutConnection();
    else await t.dataSource.destroy();
    const down = await health(t).expect(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { password_reset: { status: 'down', tokenStore: 'down', queue: 'up' } },
    });
  });

  it('checks the BullMQ queue and the configured throttle storage, down when their Redis stops answering', async () => {
    const queueRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    clients.push(queueRedis);
    const storage = new RedisThrottleStorage(new Redis(REDIS_URL));
    clients.push(storage.redis);
    const prefix = `health-${process.pid}-${Date.now()}`;
    queuePrefixes.push(prefix);
    const t = await healthApp({
      options: { throttle: { storage, storageTimeout: 1000, keySecret: 'health-check-throttle-key-0123456789abcdef' } },
      extras: {
        extraProviders: [
          {
            provide: TokenRequestQueue,
            useFactory: () => new BullMqTokenRequestQueue({ connection: queueRedis, prefix }),
          },
        ],
      },
    });
    // Connected first: on a loaded machine a fresh client's first command can outlast the 1 s health deadline.
    await Promise.all([queueRedis.ping(), storage.redis.ping()]);
    const up = await health(t).expect(200);
    expect(up.body.info.password_reset).toEqual({
      status: 'up',
      tokenStore: 'up',
      queue: 'up',
      throttleStore: 'up',
    });

    storage.redis.disconnect();
    queueRedis.disconnect();
    const down = await health(t).expect(503);
    expect(down.body.error.password_reset).toEqual({
      status: 'down',
      tokenStore: 'up',
      queue: 'down',
      throttleStore: 'down',
    });

    // Redis back: up again (and the app can shut down cleanly).
    await Promise.all([storage.redis.connect(), queueRedis.connect()]);
    await health(t).expect(200);
  }, 30_000);
});
