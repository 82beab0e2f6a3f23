import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import request from 'supertest';
import {
  MinimumLengthValidator,
  PasswordResetMessages,
  PasswordResetModule,
  PasswordResetModuleOptions,
  PasswordResetOptionsFactory,
  PasswordResetService,
} from '../../lib/index.js';
import {
  closingTestApps,
  expireToken,
  issueToken,
  NEW_PASSWORD,
  resetRoutes,
  ROUTES,
} from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TEST_BCRYPT_COST, TestApp, tokenRows } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

const OLD_PASSWORD = 'correct horse battery';

/** The README's registerAs example: the options as a config namespace. */
const passwordResetConfig = registerAs('passwordReset', (): PasswordResetModuleOptions => ({
  lookupField: 'username',
  tokenTtl: 900,
  bcryptCost: TEST_BCRYPT_COST,
}));

/** What the app's env schema would do: turn the strings of the environment into typed, checked values. */
function validateEnvironment(env: Record<string, unknown>): Record<string, unknown> {
  const ttl = Number(env.PASSWORD_RESET_TOKEN_TTL);
  if (!Number.isSafeInteger(ttl) || ttl <= 0)
    throw new Error('PASSWORD_RESET_TOKEN_TTL must be a whole number of seconds');
  return { ...env, PASSWORD_RESET_TOKEN_TTL: ttl };
}

/** The README's useClass / useExisting example. */
@Injectable()
class PasswordResetConfigService implements PasswordResetOptionsFactory {
  constructor(private readonly config: ConfigService) {}

  createPasswordResetOptions(): PasswordResetModuleOptions {
    return {
      tokenTtl: this.config.getOrThrow<number>('PASSWORD_RESET_TOKEN_TTL'),
      lookupField: this.config.get<string>('PASSWORD_RESET_LOOKUP_FIELD', 'email'),
      bcryptCost: TEST_BCRYPT_COST,
    };
  }
}

/** An app module that already provides the options factory, for useExisting. */
@Module({ imports: [ConfigModule], providers: [PasswordResetConfigService], exports: [PasswordResetConfigService] })
class PasswordResetConfigModule {}

/** A feature that uses the service without importing PasswordResetModule: works only if it is global. */
@Injectable()
class InviteService {
  constructor(private readonly passwordReset: PasswordResetService) {}

  async invite(user: object): Promise<string> {
    return (await this.passwordReset.issueTokenFor(user)).token;
  }
}

@Module({ providers: [InviteService] })
class InviteModule {}

/** ConfigModule.forRoot as apps use it, reading these variables of the process environment. */
function configFromEnvironment(env: Record<string, string>) {
  beforeEach(() => {
    Object.assign(process.env, env);
  });
  afterEach(() => {
    for (const key of Object.keys(env)) delete process.env[key];
  });
  return () => ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnvironment });
}

/**
 * Requests a token under `base`, checks the lifetime the running app gave it, validates and confirms it
 * over HTTP, and proves the new password now logs in and the old one no longer does.
 */
async function resetOverHttp(t: TestApp, base: string, body: object, lifetimeSeconds: number): Promise<void> {
  const user = await createUser(t.dataSource);
  const routes = resetRoutes(base);
  const token = await issueToken(t, body, routes.request);
  const [row] = await tokenRows(t);
  expect((row.expiresAt.getTime() - row.createdAt.getTime()) / 1000).toBe(lifetimeSeconds);
  await request(t.server).post(routes.validate).send({ token }).expect(200, { status: 'OK' });
  await request(t.server).post(routes.confirm).send({ token, password: NEW_PASSWORD }).expect(200, { status: 'OK' });
  expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(false);
}

describe('configuration', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  describe('forRootAsync with @nestjs/config', () => {
    it('takes a registerAs namespace through asProvider()', async () => {
      t = await startApp({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true })],
        passwordResetModule: [
          PasswordResetModule.forRootAsync({ user: { entity: User }, ...passwordResetConfig.asProvider() }),
        ],
      });
      // lookupField 'username' from the namespace: the email body is now refused.
      await request(t.server)
        .post(ROUTES.request)
        .send({ email: 'jane@example.com' })
        .expect(400, {
          statusCode: 400,
          message: ['property email should not exist', 'username should not be empty'],
          error: 'Bad Request',
        });
      await resetOverHttp(t, 'password_reset', { username: 'jane' }, 900);
    });

    describe('from the environment, validated by ConfigModule', () => {
      const configModule = configFromEnvironment({
        PASSWORD_RESET_TOKEN_TTL: '1800',
        PASSWORD_RESET_LOOKUP_FIELD: 'username',
      });

      it('takes useFactory with inject: [ConfigService]', async () => {
        t = await startApp({
          imports: [configModule()],
          passwordResetModule: [
            PasswordResetModule.forRootAsync({
              user: { entity: User },
              imports: [ConfigModule],
              inject: [ConfigService],
              useFactory: (config: ConfigService) => ({
                tokenTtl: config.getOrThrow<number>('PASSWORD_RESET_TOKEN_TTL'),
                lookupField: config.get<string>('PASSWORD_RESET_LOOKUP_FIELD', 'email'),
                bcryptCost: TEST_BCRYPT_COST,
              }),
            }),
          ],
        });
        await resetOverHttp(t, 'password_reset', { username: 'jane' }, 1800);
      });

      it.each([
        [
          'useClass, a class with createPasswordResetOptions()',
          { imports: [ConfigModule], useClass: PasswordResetConfigService },
        ],
        [
          'useExisting, a factory an imported module already provides',
          { imports: [PasswordResetConfigModule], useExisting: PasswordResetConfigService },
        ],
      ])('takes %s', async (_, factory) => {
        t = await startApp({
          imports: [configModule()],
          passwordResetModule: [PasswordResetModule.forRootAsync({ user: { entity: User }, ...factory })],
        });
        await resetOverHttp(t, 'password_reset', { username: 'jane' }, 1800);
      });
    });

    it('with isGlobal, serves a module that injects PasswordResetService without importing it', async () => {
      t = await startApp({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), InviteModule],
        passwordResetModule: [
          PasswordResetModule.forRootAsync({
            user: { entity: User },
            isGlobal: true,
            ...passwordResetConfig.asProvider(),
          }),
        ],
      });
      const user = await createUser(t.dataSource);
      const token = await t.app.get(InviteService).invite(user);
      const [row] = await tokenRows(t);
      expect((row.expiresAt.getTime() - row.createdAt.getTime()) / 1000).toBe(900);
      await request(t.server)
        .post(ROUTES.confirm)
        .send({ token, password: NEW_PASSWORD })
        .expect(200, { status: 'OK' });
      expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    });
  });

  describe('route prefixes', () => {
    it('mounts under RouterModule.register', async () => {
      t = await startApp({
        passwordResetModule: [
          PasswordResetModule.forRoot({ user: { entity: User }, bcryptCost: TEST_BCRYPT_COST }),
          RouterModule.register([{ path: 'auth', module: PasswordResetModule }]),
        ],
      });
      await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(404);
      await resetOverHttp(t, 'auth/password_reset', { email: 'jane@example.com' }, 86_400);
    });

    it('mounts under app.setGlobalPrefix and the path option', async () => {
      t = await startApp({
        extras: { path: 'account/reset' },
        configureApp: (app) => app.setGlobalPrefix('api'),
      });
      await request(t.server).post('/account/reset/').send({ email: 'jane@example.com' }).expect(404);
      await request(t.server).post('/api/password_reset/').send({ email: 'jane@example.com' }).expect(404);
      await resetOverHttp(t, 'api/account/reset', { email: 'jane@example.com' }, 86_400);
    });
  });

  describe('messages', () => {
    /** An app's French catalogue; the functions are called per answer, so they see the current locale. */
    let locale: 'fr' | 'de' = 'fr';
    const messages: PasswordResetMessages = {
      invalidToken: () =>
        locale === 'fr' ? 'Le jeton est invalide ou a expiré.' : 'Der Link ist ungültig oder abgelaufen.',
      unknownAccount: (field) => `Aucun compte ne correspond à ce champ : ${field}.`,
      tooManyRequests: 'Trop de requêtes. Réessayez plus tard.',
      invalidBody: 'Le corps de la requête doit être un objet.',
      unexpectedField: (field) => `Le champ ${field} est inattendu.`,
      emptyField: (field) => `Le champ ${field} est obligatoire.`,
      notAString: (field) => `Le champ ${field} doit être du texte.`,
      fieldTooLong: (field, max) => `Le champ ${field} dépasse ${max} caractères.`,
      invalidText: (field) => `Le champ ${field} contient des caractères interdits.`,
      invalidEmail: (field) => `Le champ ${field} doit être une adresse e-mail.`,
      passwordTooLong: (maxBytes) => `Ce mot de passe dépasse ${maxBytes} octets.`,
    };
    const notFound = (message: string) => ({ statusCode: 404, message, error: 'Not Found' });
    const badRequest = (...message: string[]) => ({ statusCode: 400, message, error: 'Bad Request' });

    beforeEach(() => {
      locale = 'fr';
    });

    it('answers every bad token with the one replaced 404 body', async () => {
      t = await startApp({ options: { messages } });
      const user = await createUser(t.dataSource);
      const expired = await issueToken(t);
      await expireToken(t, (await tokenRows(t))[0].id);
      const bodies = [];
      for (const token of ['nope', 'x'.repeat(1000), expired]) {
        const validated = await request(t.server).post(ROUTES.validate).send({ token }).expect(404);
        const confirmed = await request(t.server)
          .post(ROUTES.confirm)
          .send({ token, password: NEW_PASSWORD })
          .expect(404);
        bodies.push(validated.body, confirmed.body);
      }
      expect(bodies).toEqual(Array(6).fill(notFound('Le jeton est invalide ou a expiré.')));
      expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);

      locale = 'de';
      await request(t.server)
        .post(ROUTES.validate)
        .send({ token: 'nope' })
        .expect(404, notFound('Der Link ist ungültig oder abgelaufen.'));
    });

    it('replaces the body reasons, with the field names and limits', async () => {
      t = await startApp({ options: { messages } });
      await request(t.server)
        .post(ROUTES.request)
        .send({ emial: 'jane@example.com' })
        .expect(400, badRequest('Le champ emial est inattendu.', 'Le champ email est obligatoire.'));
      await request(t.server)
        .post(ROUTES.request)
        .send({ email: 42 })
        .expect(400, badRequest('Le champ email doit être du texte.'));
      await request(t.server)
        .post(ROUTES.request)
        .send({ email: 'jane' })
        .expect(400, badRequest('Le champ email doit être une adresse e-mail.'));
      await request(t.server)
        .post(ROUTES.request)
        .send({ email: `${'j'.repeat(250)}@example.com` })
        .expect(400, badRequest('Le champ email dépasse 254 caractères.'));
      await request(t.server)
        .post(ROUTES.confirm)
        .send({ token: 'abc', password: 'nul\u0000byte' })
        .expect(400, badRequest('Le champ password contient des caractères interdits.'));
      await request(t.server)
        .post(ROUTES.request)
        .set('content-type', 'application/json')
        .send('[]')
        .expect(400, badRequest('Le corps de la requête doit être un objet.'));
    });

    it("replaces the password refusals: the module's byte limit and the validators' own message option", async () => {
      t = await startApp({
        options: {
          messages,
          passwordValidators: [
            new MinimumLengthValidator({ minLength: 12, message: (min) => `Au moins ${min} caractères.` }),
          ],
        },
      });
      const user = await createUser(t.dataSource);
      const token = await issueToken(t);
      await request(t.server)
        .post(ROUTES.confirm)
        .send({ token, password: 'court' })
        .expect(400, badRequest('Au moins 12 caractères.'));
      await request(t.server)
        .post(ROUTES.confirm)
        .send({ token, password: 'é'.repeat(40) })
        .expect(400, badRequest('Ce mot de passe dépasse 72 octets.'));
      // Refused passwords keep the token: the reset still goes through.
      await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
      expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    });

    it('replaces the unknown-account 400 (noInformationLeakage: false) and the 429', async () => {
      t = await startApp({
        options: {
          messages,
          noInformationLeakage: false,
          throttle: { request: { limit: 1, ttl: 60 }, account: false },
        },
      });
      await request(t.server)
        .post(ROUTES.request)
        .send({ email: 'nobody@example.com' })
        .expect(400, badRequest('Aucun compte ne correspond à ce champ : email.'));
      const limited = await request(t.server).post(ROUTES.request).send({ email: 'nobody@example.com' }).expect(429);
      expect(limited.body).toEqual({
        statusCode: 429,
        message: 'Trop de requêtes. Réessayez plus tard.',
        error: 'Too Many Requests',
      });
    });

    it('come from ConfigService like any option', async () => {
      t = await startApp({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            load: [() => ({ resetMessages: { invalidToken: 'Jeton invalide.' } })],
          }),
        ],
        passwordResetModule: [
          PasswordResetModule.forRootAsync({
            user: { entity: User },
            imports: [ConfigModule],
            inject: [ConfigService],
            useFactory: (config: ConfigService) => ({
              messages: config.getOrThrow<PasswordResetMessages>('resetMessages'),
              bcryptCost: TEST_BCRYPT_COST,
            }),
          }),
        ],
      });
      await request(t.server).post(ROUTES.validate).send({ token: 'nope' }).expect(404, notFound('Jeton invalide.'));
    });

    it('fails the boot naming a misspelt key', async () => {
      await expect(
        startApp({ options: { messages: { invalidTokens: 'x' } as PasswordResetMessages } }),
      ).rejects.toThrow(/unknown option "messages\.invalidTokens"/);
    });
  });
});
