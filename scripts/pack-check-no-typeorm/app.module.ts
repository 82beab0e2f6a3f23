import { Body, Controller, DynamicModule, HttpCode, Module, Post, UnauthorizedException } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import bcrypt from 'bcrypt';
import type { Redis } from 'ioredis';
import { PasswordResetModule, PasswordResetUserStore, ResetTokenStore, TokenRequestQueue } from 'nestjs-password-reset';
import { BullMqTokenRequestQueue } from 'nestjs-password-reset/bullmq';
import { RedisResetTokenStore } from 'nestjs-password-reset/redis';
// Shared with the other packed apps: pack-check.mjs copies it in from scripts/pack-check.
import { TokenInbox } from './token-inbox.js';
import { MapUserStore } from './users.js';

/** The app's login: the stored hash, compared with bcrypt, decides. */
@Controller('login')
class LoginController {
  constructor(private readonly users: PasswordResetUserStore) {}

  @Post()
  @HttpCode(200)
  async login(@Body() body: { email: string; password: string }): Promise<{ status: 'OK' }> {
    const [user] = await this.users.findByLookup('email', body.email);
    const hash = user && this.users.getPasswordHash(user);
    if (!hash || !(await bcrypt.compare(body.password, hash))) throw new UnauthorizedException();
    return { status: 'OK' };
  }
}

/**
 * Tokens in Redis, users in the app's own store: neither needs TypeORM. The app owns the Redis clients; answered
 * requests wait in Redis for this process's BullMQ worker, under a prefix of their own.
 */
@Module({})
export class AppModule {
  static register(redis: Redis, keyPrefix: string, queueRedis: Redis, queuePrefix: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EventEmitterModule.forRoot(),
        PasswordResetModule.forRoot({
          bcryptCost: 4,
          queue: { delay: { min: 0, max: 0 } },
          extraProviders: [
            {
              provide: TokenRequestQueue,
              useFactory: () => new BullMqTokenRequestQueue({ connection: queueRedis, prefix: queuePrefix }),
            },
            { provide: ResetTokenStore, useFactory: () => new RedisResetTokenStore(redis, { keyPrefix }) },
            { provide: PasswordResetUserStore, useClass: MapUserStore },
          ],
        }),
      ],
      controllers: [LoginController],
      providers: [TokenInbox],
    };
  }
}
