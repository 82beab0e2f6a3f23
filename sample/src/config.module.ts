import { DynamicModule, FactoryProvider, Global, Module, ValueProvider } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { SampleConfig } from './config.js';

export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');
export const THROTTLE_STORAGE = Symbol('THROTTLE_STORAGE');

/** The checked environment for every module, and the shared throttle store when REDIS_URL is set. */
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
    return { module: SampleConfigModule, providers, exports: providers.map(({ provide }) => provide) };
  }
}
