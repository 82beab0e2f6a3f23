import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import bcrypt from 'bcrypt';
import { Redis } from 'ioredis';
import { PasswordResetUserStore } from 'nestjs-password-reset';
import { AppModule } from './app.module.js';
// Shared with the other packed apps: pack-check.mjs copies it in from scripts/pack-check.
import { TokenInbox } from './token-inbox.js';
import type { MapUserStore } from './users.js';

const OLD_PASSWORD = 'Old-harbour-light-1961';
const NEW_PASSWORD = 'Sunny-harbour-1987';

interface Check {
  name: string;
  ok: boolean;
  detail?: unknown;
}

/** Every key under `prefix`, by SCAN. */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/**
 * One reset over real HTTP in an app without TypeORM: tokens in Redis (REDIS_URL, under REDIS_KEY_PREFIX), users
 * in the app's own store; prints one result line.
 */
async function main(): Promise<void> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: unknown) => checks.push({ name, ok, ...(ok ? {} : { detail }) });
  const keyPrefix = process.env.REDIS_KEY_PREFIX!;
  const redis = new Redis(process.env.REDIS_URL!);
  // BullMQ's workers need a client that waits for Redis rather than failing a command.
  const queueRedis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queuePrefix = `${keyPrefix.slice(0, -1)}queue`;

  const app = await NestFactory.create(AppModule.register(redis, keyPrefix, queueRedis, queuePrefix), {
    logger: ['error', 'warn'],
  });
  try {
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const post = async (path: string, body: object) => {
      const response = await fetch(`${base}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const users = app.get(PasswordResetUserStore) as MapUserStore;
    const user = users.add({
      email: 'ada@example.com',
      username: 'ada',
      passwordHash: await bcrypt.hash(OLD_PASSWORD, 4),
      isActive: true,
    });
    const inbox = app.get(TokenInbox);

    const requested = await post('password_reset/', { email: user.email });
    check('request answers 200 OK', requested.status === 200 && requested.body.status === 'OK', requested);
    const token = await inbox.next();
    check('TokenCreated carries a token', token.length >= 20, token.length);
    const stored = await keysUnder(redis, keyPrefix);
    check('the token is in Redis (its record and its user pointer)', stored.length === 2, stored);

    const valid = await post('password_reset/validate_token/', { token });
    check('validate answers 200 OK', valid.status === 200 && valid.body.status === 'OK', valid);
    const confirmed = await post('password_reset/confirm/', { token, password: NEW_PASSWORD });
    check('confirm answers 200 OK', confirmed.status === 200 && confirmed.body.status === 'OK', confirmed);

    const hash = (await users.findById(user.id))?.passwordHash ?? '';
    check('the stored hash matches the new password', await bcrypt.compare(NEW_PASSWORD, hash));
    const login = await post('login', { email: user.email, password: NEW_PASSWORD });
    check('login with the new password answers 200', login.status === 200, login);
    const oldLogin = await post('login', { email: user.email, password: OLD_PASSWORD });
    check('login with the old password answers 401', oldLogin.status === 401, oldLogin);
    const left = await keysUnder(redis, keyPrefix);
    check('confirm left no key in Redis', left.length === 0, left);
    const queued = (await keysUnder(redis, queuePrefix)).filter((key) => /:\d+$/.test(key));
    check('the queue kept no job of the finished request', queued.length === 0, queued);
    const reused = await post('password_reset/confirm/', { token, password: 'Another-harbour-2001' });
    check('the used token gets 404', reused.status === 404, reused);
  } catch (error) {
    check('the reset flow ran to the end', false, error instanceof Error ? error.stack : String(error));
  } finally {
    await app.close();
    // The app owns the client: it deletes what it may have left and closes it.
    const left = [...(await keysUnder(redis, keyPrefix)), ...(await keysUnder(redis, queuePrefix))];
    if (left.length) await redis.del(...left);
    await Promise.all([redis.quit(), queueRedis.quit()]);
  }
  console.log(`PACK-CHECK-RESULT ${JSON.stringify({ checks })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
