import { DynamicModule, FactoryProvider, Global, Module, OnApplicationShutdown, ValueProvider } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import type { SampleConfig } from './config.js';

export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');
export const THROTTLE_STORAGE = Symbol('THROTTLE_STORAGE');

/** The token store's Redis connection (TOKEN_STORE=redis); a provider, so Nest closes it on shutdown. */
export class TokenRedis extends Redis implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await this.quit();
  }
}

/** The queue's Redis connection (REDIS_URL); BullMQ's workers need `maxRetriesPerRequest: null`. */
export class QueueRedis extends Redis implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await this.quit();
  }
}

/**
 * The checked environment for every module, the shared throttle store and the queue's connection when REDIS_URL is
 * set, and the token store's connection with TOKEN_STORE=redis.
 */
@Global()
@Module({})
export class SampleConfigModule {
  static forRoot(config: SampleConfig): DynamicModule {
    const providers: (ValueProvider | FactoryProvider)[] = [{ provide: SAMPLE_CONFIG, useValue: config }];
    if (config.redisUrl) {
      // A provider, so Nest closes its Redis connection on shutdown.
      providers.push({
        provide: THROTTLE_STORAGE,
        useFactory: () => new ThrottlerStorageRedisService(config.redisUrl),
      });
    }
    if (config.queue.type === 'bullmq') {
      providers.push({
        provide: QueueRedis,
        useFactory: () => new QueueRedis(config.redisUrl!, { maxRetriesPerRequest: null }),
      });
    }
    if (config.tokenStore.type === 'redis') {
      // A request fails after a second while Redis is down, rather than waiting for it to come back.
      providers.push({
        provide: TokenRedis,
        useFactory: () => new TokenRedis(config.redisUrl!, { commandTimeout: 1000 }),
      });
    }
    return { module: SampleConfigModule, providers, exports: providers.map(({ provide }) => provide) };
  }
}
