import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when the Redis the BullMQ runs need answers. */
export async function redisReachable(url = REDIS_URL) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * The sample's environment for the production topology: answered requests wait in Redis under a prefix of this
 * run's own, for SAMPLE_ROLE=worker processes. `cleanup()` deletes every key of that prefix.
 */
export function bullmqEnv() {
  const prefix = `{pr_bench_${randomBytes(4).toString('hex')}}`;
  return {
    env: { REDIS_URL, QUEUE_PREFIX: prefix, THROTTLE_KEY_SECRET: randomBytes(32).toString('hex') },
    cleanup: () => deleteKeys(`${prefix}*`),
  };
}

async function deleteKeys(pattern) {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (batch.length) await redis.del(...batch);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
