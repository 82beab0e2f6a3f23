import { DynamicModule, Module, Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  PasswordResetModule,
  PasswordResetModuleOptions,
  PasswordResetThrottleStorage,
  RandomNumberTokenGenerator,
  ResetTokenStore,
  SecondFactorVerifier,
  TokenRequestQueue,
} from 'nestjs-password-reset';
import { RedisResetTokenStore } from 'nestjs-password-reset/redis';
import { AuthController } from './auth.controller.js';
import type { SampleConfig } from './config.js';
import { QueueRedis, SAMPLE_CONFIG, SampleConfigModule, THROTTLE_STORAGE, TokenRedis } from './config.module.js';
import type { SampleGraphQL } from './graphql.js';
import type { SampleNestI18n } from './nest-i18n.js';
import { ResetMailer } from './reset-mailer.js';
import { ResetPageController } from './reset-page.controller.js';
import { SessionsService } from './sessions.service.js';
import { TotpSecondFactorVerifier } from './totp-second-factor.verifier.js';
import { User } from './user.entity.js';

@Module({})
export class AppModule {
  /**
   * `graphql`: the GraphQL server and mutations, when GRAPHQL=true; `nestI18n`: nestjs-i18n and the package's
   * messages through it, when NEST_I18N=true (main.ts loads them).
   */
  static forRoot(config: SampleConfig, graphql?: SampleGraphQL, nestI18n?: SampleNestI18n): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SampleConfigModule.forRoot(config),
        // synchronize creates the tables on first start; a production app runs migrations instead.
        TypeOrmModule.forRoot({
          ...config.database,
          autoLoadEntities: true,
          synchronize: true,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        TypeOrmModule.forFeature([User]),
        EventEmitterModule.forRoot(),
        // The login's limit, in the reset throttles' store (Redis with several instances).
        ThrottlerModule.forRootAsync({
          inject: [SAMPLE_CONFIG, { token: THROTTLE_STORAGE, optional: true }],
          useFactory: ({ loginThrottle }: SampleConfig, storage?: ThrottlerStorage) => ({
            throttlers: loginThrottle
              ? [{ name: 'login', limit: loginThrottle.limit, ttl: loginThrottle.ttl * 1000 }]
              : [],
            storage,
          }),
        }),
        PasswordResetModule.forRootAsync({
          user: { entity: User },
          path: 'api/password_reset',
          extraProviders: [
            // Accounts seeded with a totpSecret need their code (`otp`) to reset; the others are not asked.
            { provide: SecondFactorVerifier, useClass: TotpSecondFactorVerifier },
            ...tokenStoreProviders(config),
            ...queueProviders(config),
            // GRAPHQL=true: the three mutations, on the same service, limits and rules as the routes.
            ...(graphql ? [graphql.resetResolver] : []),
            ...(nestI18n?.providers ?? []),
          ],
          inject: [SAMPLE_CONFIG, { token: THROTTLE_STORAGE, optional: true }],
          useFactory: (env: SampleConfig, storage?: PasswordResetThrottleStorage): PasswordResetModuleOptions => ({
            tokenTtl: env.tokenTtl,
            noInformationLeakage: env.noInformationLeakage,
            lookupField: env.lookupField,
            throttle: { ...env.throttle, storage, keySecret: env.throttleKeySecret },
            // RESET_CODES: 6-digit codes, which the package binds to the account (validate/confirm name it).
            tokenGenerator: env.resetCodes ? new RandomNumberTokenGenerator() : undefined,
            tokenSecret: env.tokenSecret,
            queue: { attempts: env.queueAttempts, backoff: env.queueBackoff, delay: env.queueDelay },
            // The reset page asks for the code before the new password.
            secondFactorOnValidation: true,
          }),
        }),
        ...(graphql ? [graphql.server] : []),
        ...(nestI18n ? [nestI18n.module] : []),
      ],
      controllers: [AuthController, ResetPageController],
      providers: [ResetMailer, SessionsService, ...(graphql?.resolvers ?? [])],
    };
  }
}

/** TOKEN_STORE=redis: the tokens in Redis, the users still in the database (the table is then not created). */
function tokenStoreProviders({ tokenStore }: SampleConfig): Provider[] {
  if (tokenStore.type !== 'redis') return [];
  return [
    {
      provide: ResetTokenStore,
      inject: [TokenRedis],
      useFactory: (redis: TokenRedis) => new RedisResetTokenStore(redis, { keyPrefix: tokenStore.keyPrefix }),
    },
  ];
}

/**
 * REDIS_URL: answered requests wait in Redis for a worker, so a crashed instance loses none and a failed mail is
 * retried; SAMPLE_ROLE=web runs no worker (dedicated `worker` processes do the work).
 */
function queueProviders({ queue, role }: SampleConfig): Provider[] {
  if (queue.type !== 'bullmq') return [];
  return [
    {
      provide: TokenRequestQueue,
      inject: [QueueRedis],
      // Imported here, so an app without REDIS_URL never loads bullmq.
      useFactory: async (redis: QueueRedis) => {
        const { BullMqTokenRequestQueue } = await import('nestjs-password-reset/bullmq');
        return new BullMqTokenRequestQueue({
          connection: redis,
          prefix: queue.prefix,
          worker: role !== 'web',
          lockDuration: queue.lockDuration,
          stalledInterval: queue.lockDuration,
        });
      },
    },
  ];
}
