import { describe, expect, it } from '@jest/globals';
import { Body, Controller, HttpCode, Inject, Injectable, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { PasswordResetModule, PasswordResetModuleOptions, PasswordResetService } from '../../lib/index.js';
import { closingTestApps, issueToken, NEW_PASSWORD, resetRoutes, ROUTES } from '../fixtures/reset-requests.js';
import {
  createTestApp,
  createUser,
  passwordWorks,
  TEST_BCRYPT_COST,
  TestApp,
  tokenRows,
} from '../fixtures/test-app.js';
import { createTestDatabase } from '../fixtures/test-database.js';
import { User } from '../fixtures/user.entity.js';

const RESET_SETTINGS = Symbol('RESET_SETTINGS');
interface ResetSettings {
  ttlSeconds: number;
}

/** An app's own configuration module: not global, so the module must import it. */
@Module({ providers: [{ provide: RESET_SETTINGS, useValue: { ttlSeconds: 600 } }], exports: [RESET_SETTINGS] })
class ResetSettingsModule {}

@Injectable()
class ResetOptionsFactory {
  constructor(@Inject(RESET_SETTINGS) private readonly settings: ResetSettings) {}

  createPasswordResetOptions(): PasswordResetModuleOptions {
    return { tokenTtl: this.settings.ttlSeconds, bcryptCost: TEST_BCRYPT_COST };
  }
}

@Module({ imports: [ResetSettingsModule], providers: [ResetOptionsFactory], exports: [ResetOptionsFactory] })
class ResetOptionsModule {}

/** An app feature that uses the service without importing the module: only works if the module is global. */
@Injectable()
class InviteService {
  constructor(readonly passwordReset: PasswordResetService) {}
}

@Module({ providers: [InviteService] })
class InviteModule {}

/** The app's own routes over the service, for apps that turn the bundled controller off. */
@Controller('account')
class AccountController {
  constructor(private readonly passwordReset: PasswordResetService) {}

  @Post('forgot')
  @HttpCode(202)
  async forgot(@Body() body: { login: string }): Promise<void> {
    await this.passwordReset.requestToken(body.login);
  }

  @Post('reset')
  @HttpCode(204)
  async reset(@Body() body: { code: string; newPassword: string }): Promise<void> {
    await this.passwordReset.confirmReset(body.code, body.newPassword);
  }
}

@Module({
  imports: [
    PasswordResetModule.forRoot({ user: { entity: User }, bcryptCost: TEST_BCRYPT_COST, registerController: false }),
  ],
  controllers: [AccountController],
})
class AccountModule {}

/** The token lifetime a running app really applies, read off a freshly issued row. */
async function issuedLifetimeSeconds(t: TestApp): Promise<number> {
  await createUser(t.dataSource);
  await issueToken(t);
  const [row] = await tokenRows(t);
  return (row.expiresAt.getTime() - row.createdAt.getTime()) / 1000;
}

describe('module registration', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  describe('forRootAsync', () => {
    it('builds options with useFactory from a provider of an imported, non-global module', async () => {
      t = await startApp({
        passwordResetModule: [
          PasswordResetModule.forRootAsync({
            user: { entity: User },
            imports: [ResetSettingsModule],
            inject: [RESET_SETTINGS],
            useFactory: (settings: ResetSettings) => ({ tokenTtl: settings.ttlSeconds, bcryptCost: TEST_BCRYPT_COST }),
          }),
        ],
      });
      expect(await issuedLifetimeSeconds(t)).toBe(600);
    });

    it('builds options with useClass (an options factory)', async () => {
      t = await startApp({
        passwordResetModule: [
          PasswordResetModule.forRootAsync({
            user: { entity: User },
            imports: [ResetSettingsModule],
            useClass: ResetOptionsFactory,
          }),
        ],
      });
      expect(await issuedLifetimeSeconds(t)).toBe(600);
    });

    it('builds options with useExisting (a factory the app already provides)', async () => {
      t = await startApp({
        passwordResetModule: [
          PasswordResetModule.forRootAsync({
            user: { entity: User },
            imports: [ResetOptionsModule],
            useExisting: ResetOptionsFactory,
          }),
        ],
      });
      expect(await issuedLifetimeSeconds(t)).toBe(600);
    });

    it('honours isGlobal: true, so other modules inject the service without importing the module', async () => {
      t = await startApp({
        imports: [InviteModule],
        passwordResetModule: [
          PasswordResetModule.forRootAsync({
            user: { entity: User },
            isGlobal: true,
            useFactory: () => ({ bcryptCost: TEST_BCRYPT_COST }),
          }),
        ],
      });
      const user = await createUser(t.dataSource);
      const { token } = await t.app.get(InviteService).passwordReset.issueTokenFor(user);
      await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    });

    it('is not global without isGlobal (the app fails to start)', async () => {
      await expect(
        createTestApp({
          imports: [InviteModule],
          passwordResetModule: [
            PasswordResetModule.forRootAsync({
              user: { entity: User },
              useFactory: () => ({ bcryptCost: TEST_BCRYPT_COST }),
            }),
          ],
        }),
      ).rejects.toThrow(/PasswordResetService/);
    });

    it('fails at boot when the factory returns a bad option, naming it', async () => {
      await expect(
        createTestApp({
          passwordResetModule: [
            PasswordResetModule.forRootAsync({ user: { entity: User }, useFactory: () => ({ tokenTtl: 0 }) }),
          ],
        }),
      ).rejects.toThrow(/option "tokenTtl" must be a positive whole number of seconds/);
    });
  });

  it('mounts the endpoints at a custom path, and not at the default one', async () => {
    t = await startApp({ extras: { path: 'api/v1/password-reset' } });
    const user = await createUser(t.dataSource);
    const routes = resetRoutes('api/v1/password-reset');
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(404);
    const token = await issueToken(t, { email: 'jane@example.com' }, routes.request);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404);
    await request(t.server).post(routes.validate).send({ token }).expect(200);
    await request(t.server).post(routes.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it("with registerController: false mounts no endpoint, and the service serves the app's own routes", async () => {
    t = await startApp({ passwordResetModule: [AccountModule] });
    const user = await createUser(t.dataSource);
    for (const route of Object.values(ROUTES)) {
      await request(t.server).post(route).send({ email: 'jane@example.com' }).expect(404);
    }
    await request(t.server).post('/account/forgot').send({ login: 'jane@example.com' }).expect(202);
    expect(t.events.created).toHaveLength(1);
    const { token } = t.events.created[0];
    await request(t.server).post('/account/reset').send({ code: token, newPassword: NEW_PASSWORD }).expect(204);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  describe('bad configuration fails at boot, naming the option', () => {
    it.each([
      ['an unknown option', { tokenTTL: 60 }, /unknown option "tokenTTL"/],
      ['a negative tokenTtl', { tokenTtl: -1 }, /option "tokenTtl" must be a positive whole number/],
      [
        'a non-boolean noInformationLeakage',
        { noInformationLeakage: 'no' },
        /option "noInformationLeakage" must be a boolean/,
      ],
      ['a lookupField the entity lacks', { lookupField: 'phone' }, /lookupField: User has no column property "phone"/],
      ['a tokenGenerator that is no generator', { tokenGenerator: () => 'x' }, /option "tokenGenerator"/],
    ])('%s', async (_, options, message) => {
      await expect(createTestApp({ options: options as PasswordResetModuleOptions })).rejects.toThrow(message);
    });

    it('a missing user.entity', () => {
      expect(() => PasswordResetModule.forRoot({} as never)).toThrow(/user\.entity is required/);
      expect(() => PasswordResetModule.forRootAsync({ useFactory: () => ({}) })).toThrow(/user\.entity is required/);
    });

    it('a field map naming a column the entity lacks', async () => {
      await expect(
        createTestApp({ extras: { user: { entity: User, fields: { isActive: 'enabled' } } } }),
      ).rejects.toThrow(/user\.fields\.isActive: User has no column property "enabled"/);
    });

    it('no EventEmitterModule in the app', async () => {
      const database = await createTestDatabase();
      try {
        const boot = Test.createTestingModule({
          imports: [
            TypeOrmModule.forRoot({ ...database.options, entities: [User], autoLoadEntities: true, synchronize: true }),
            PasswordResetModule.forRoot({ user: { entity: User } }),
          ],
        }).compile();
        await expect(boot).rejects.toThrow(/EventEmitterModule\.forRoot\(\)/);
      } finally {
        await database.drop();
      }
    });
  });
});
