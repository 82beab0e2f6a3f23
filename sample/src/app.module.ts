import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  PasswordResetModule,
  PasswordResetModuleOptions,
  PasswordResetThrottleStorage,
  RandomNumberTokenGenerator,
  ResetTokenStore,
} from 'nestjs-password-reset';
import { RedisResetTokenStore } from 'nestjs-password-reset/redis';
import { AuthController } from './auth.controller.js';
import type { SampleConfig } from './config.js';
import type { SampleGraphQL } from './graphql.js';
import { SAMPLE_CONFIG, SampleConfigModule, THROTTLE_STORAGE, TokenRedis } from './config.module.js';
import { ResetMailer } from './reset-mailer.js';
import { ResetPageController } from './reset-page.controller.js';
import { SessionsService } from './sessions.service.js';
import { User } from './user.entity.js';

@Module({})
export class AppModule {
  /** `graphql`: the GraphQL server and mutations, when GRAPHQL=true (main.ts loads them). */
  static forRoot(config: SampleConfig, graphql?: SampleGraphQL): DynamicModule {
    const { tokenStore } = config;
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
          // TOKEN_STORE=redis: the tokens in Redis, the users still in the database (the table is then not created).
          extraProviders: [
            ...(tokenStore.type === 'redis'
              ? [
                  {
                    provide: ResetTokenStore,
                    inject: [TokenRedis],
                    useFactory: (redis: TokenRedis) =>
                      new RedisResetTokenStore(redis, { keyPrefix: tokenStore.keyPrefix }),
                  },
                ]
              : []),
            // GRAPHQL=true: the three mutations, on the same service, limits and rules as the routes.
            ...(graphql ? [graphql.resetResolver] : []),
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
          }),
        }),
        ...(graphql ? [graphql.server] : []),
      ],
      controllers: [AuthController, ResetPageController],
      providers: [ResetMailer, SessionsService, ...(graphql?.resolvers ?? [])],
    };
  }
}
