import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import {
  PasswordResetModule,
  PasswordResetModuleOptions,
  PasswordResetOpenApiDocumenter,
  RandomNumberTokenGenerator,
  SecondFactorVerifier,
} from '../../lib/index.js';
import {
  closingTestApps,
  INVALID_TOKEN_BODY,
  issueToken,
  NEW_PASSWORD,
  resetRoutes,
  ROUTES,
} from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TEST_BCRYPT_COST, TestApp } from '../fixtures/test-app.js';
import { currentTotp, TotpTestVerifier } from '../fixtures/totp-verifier.js';
import { User } from '../fixtures/user.entity.js';

const SECRET = 'a-server-secret-of-at-least-32-characters!';
const FORMATS = ['application/json', 'application/x-www-form-urlencoded'];

/** The JSON the document is made of, read without a schema of its own. */
interface Json {
  readonly [key: string]: Json;
}

function documentOf(t: TestApp): OpenAPIObject {
  return SwaggerModule.createDocument(t.app, new DocumentBuilder().setTitle('test').build());
}

/** One operation: its JSON body schema (after checking the form-encoded one is the same) and its response codes. */
function operation(document: OpenAPIObject, path: string) {
  const post = document.paths[path]?.post;
  expect(post).toBeDefined();
  const content = (post!.requestBody as { content: Record<string, { schema: Json }> }).content;
  expect(Object.keys(content).sort()).toEqual(FORMATS);
  expect(content['application/x-www-form-urlencoded'].schema).toEqual(content['application/json'].schema);
  return { post: post!, body: content['application/json'].schema, responses: post!.responses as unknown as Json };
}

function paths(base: string) {
  return { request: `/${base}`, validate: `/${base}/validate_token`, confirm: `/${base}/confirm` };
}

describe('OpenAPI document (with @nestjs/swagger installed)', () => {
  const start = closingTestApps();

  it('lists the three endpoints with their bodies, examples and every answer, each example one the app really gives', async () => {
    const t = await start();
    const document = documentOf(t);
    const p = paths('password_reset');
    expect(Object.keys(document.paths).sort()).toEqual(Object.values(p).sort());

    const requestOp = operation(document, p.request);
    expect(requestOp.body).toMatchObject({
      type: 'object',
      required: ['email'],
      additionalProperties: false,
      properties: { email: { type: 'string', format: 'email', maxLength: 254 } },
      example: { email: 'jane@example.com' },
    });
    expect(Object.keys(requestOp.responses).sort()).toEqual(['200', '400', '429', '503']);

    const validateOp = operation(document, p.validate);
    expect(validateOp.body).toMatchObject({
      required: ['token'],
      additionalProperties: false,
      example: { token: expect.any(String) },
    });
    expect(Object.keys(validateOp.body.properties)).toEqual(['token']);
    expect(Object.keys(validateOp.responses).sort()).toEqual(['200', '400', '404', '429', '503']);

    const confirmOp = operation(document, p.confirm);
    expect(confirmOp.body).toMatchObject({
      required: ['token', 'password'],
      additionalProperties: false,
      properties: { password: { type: 'string', format: 'password', maxLength: 4096 } },
      example: { token: expect.any(String), password: expect.any(String) },
    });
    expect(Object.keys(confirmOp.responses).sort()).toEqual(['200', '400', '404', '429', '503']);

    const example = (op: { responses: Json }, status: number) =>
      op.responses[status].content['application/json'].schema.example;
    // The documented answers are the ones the endpoints give.
    await request(t.server).post(ROUTES.request).send({}).expect(400, example(requestOp, 400));
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token: 'no-such-token' })
      .expect(404, example(validateOp, 404));
    expect(example(confirmOp, 404)).toEqual(INVALID_TOKEN_BODY);
    await request(t.server).post(ROUTES.request).send(requestOp.body.example).expect(200, example(requestOp, 200));
    expect(example(validateOp, 200)).toEqual({ status: 'OK' });
    expect(validateOp.responses[200].content['application/json'].schema.required).toEqual(['status']);

    for (const op of [requestOp, validateOp, confirmOp]) {
      expect(op.responses[400].content['application/json'].schema).toMatchObject({
        required: ['statusCode', 'message', 'error'],
        properties: { statusCode: { enum: [400] }, error: { enum: ['Bad Request'] } },
      });
      expect(op.responses[429]).toMatchObject({
        headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
        content: { 'application/json': { schema: { example: { statusCode: 429, error: 'Too Many Requests' } } } },
      });
      expect(op.responses[503]).toMatchObject({
        content: { 'application/json': { schema: { example: { statusCode: 503, error: 'Service Unavailable' } } } },
      });
    }
    expect(requestOp.post.tags).toEqual(['PasswordReset']);
    expect(requestOp.post.operationId).toBe('PasswordResetController_requestToken');
  });

  it('keeps every route working: a full reset, and the 429 with Retry-After its document promises', async () => {
    const t = await start({ options: { throttle: { token: { limit: 2, ttl: 60 } } } });
    expect(Object.keys(operation(documentOf(t), '/password_reset/confirm').responses)).toContain('429');
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.validate).type('form').send({ token }).expect(200, { status: 'OK' });
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200, { status: 'OK' });
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    const throttled = await request(t.server).post(ROUTES.validate).send({ token }).expect(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('follows the options: lookup field, account-bound codes, user details, no leakage and no throttling', async () => {
    const t = await start({
      options: {
        lookupField: 'username',
        tokenGenerator: new RandomNumberTokenGenerator(),
        tokenSecret: SECRET,
        userDetailsOnValidation: true,
        noInformationLeakage: false,
        throttle: false,
      },
    });
    const document = documentOf(t);
    const p = paths('password_reset');

    const requestOp = operation(document, p.request);
    expect(requestOp.body).toMatchObject({ required: ['username'], example: { username: 'jane' } });
    expect(requestOp.body.properties.username.format).toBeUndefined();
    expect(Object.keys(requestOp.responses).sort()).toEqual(['200', '400']);
    // With leakage allowed, an unknown account is a documented 400, and the example is the real answer.
    const unknown = requestOp.responses[400].content['application/json'].schema.example;
    await request(t.server).post(ROUTES.request).send({ username: 'nobody' }).expect(400, unknown);

    const validateOp = operation(document, p.validate);
    expect(validateOp.body).toMatchObject({
      required: ['token', 'username'],
      example: { token: expect.any(String), username: 'jane' },
    });
    expect(Object.keys(validateOp.responses).sort()).toEqual(['200', '400', '404']);
    expect(validateOp.responses[200].content['application/json'].schema).toMatchObject({
      required: ['status', 'username', 'email'],
      properties: { username: { type: 'string', nullable: true }, email: { type: 'string', nullable: true } },
    });

    const confirmOp = operation(document, p.confirm);
    expect(confirmOp.body.required).toEqual(['token', 'username', 'password']);
    expect(Object.keys(confirmOp.responses).sort()).toEqual(['200', '400', '404']);

    // The documented bodies are the ones the endpoints take.
    const user = await createUser(t.dataSource);
    const code = await issueToken(t, { username: 'jane' });
    const answer = await request(t.server).post(ROUTES.validate).send({ token: code, username: 'jane' }).expect(200);
    expect(answer.body).toEqual({ status: 'OK', username: 'jane', email: 'jane@example.com' });
    await request(t.server)
      .post(ROUTES.confirm)
      .type('form')
      .send({ token: code, username: 'jane', password: NEW_PASSWORD })
      .expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('documents the second factor: optional proof fields, the 403, and secondFactorRequired on validate', async () => {
    const verifier = new TotpTestVerifier();
    const t = await start({
      options: { secondFactorOnValidation: true, throttle: false },
      extras: { extraProviders: [{ provide: SecondFactorVerifier, useValue: verifier }] },
    });
    const document = documentOf(t);
    const p = paths('password_reset');

    const confirmOp = operation(document, p.confirm);
    expect(confirmOp.body).toMatchObject({
      required: ['token', 'password'],
      additionalProperties: false,
      properties: { otp: { type: 'string', maxLength: 8192 }, recoveryCode: { type: 'string', maxLength: 8192 } },
      example: { token: expect.any(String), password: expect.any(String) },
    });
    expect(Object.keys(confirmOp.body.example)).toEqual(['token', 'password']);
    expect(Object.keys(confirmOp.responses).sort()).toEqual(['200', '400', '403', '404']);
    const validateOp = operation(document, p.validate);
    expect(Object.keys(validateOp.body.properties)).toEqual(['token']);
    expect(validateOp.responses[200].content['application/json'].schema).toMatchObject({
      required: ['status'],
      properties: { secondFactorRequired: { type: 'boolean', enum: [true] } },
    });

    // The documented 403 is the one the endpoint gives, and the documented proof field is the one it takes.
    const user = await createUser(t.dataSource);
    const secret = verifier.enrol(user as User);
    const token = await issueToken(t);
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token })
      .expect(200, { status: 'OK', secondFactorRequired: true });
    const forbidden = confirmOp.responses[403].content['application/json'].schema;
    expect(forbidden).toMatchObject({
      required: ['statusCode', 'message', 'error', 'secondFactorRequired'],
      properties: { statusCode: { enum: [403] }, error: { enum: ['Forbidden'] } },
    });
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(403, forbidden.example);
    await request(t.server)
      .post(ROUTES.confirm)
      .type('form')
      .send({ token, password: NEW_PASSWORD, otp: await currentTotp(secret) })
      .expect(200, { status: 'OK' });
  });

  it('documents Accept-Language on every route, with the locales the app answers in', async () => {
    const t = await start({ options: { defaultLocale: 'de', translations: { it: { invalidToken: 'Link scaduto' } } } });
    const document = documentOf(t);
    for (const path of Object.values(paths('password_reset'))) {
      expect(operation(document, path).post.parameters).toEqual([
        {
          in: 'header',
          name: 'Accept-Language',
          required: false,
          description: expect.stringContaining('among en, pt-BR, es, de, fr, it; anything else gets de.'),
          schema: { type: 'string', example: 'pt-BR, en;q=0.8' },
        },
      ]);
    }
    // What it promises: the example header gets Portuguese.
    const response = await request(t.server)
      .post(paths('password_reset').validate)
      .set('Accept-Language', 'pt-BR, en;q=0.8')
      .send({ token: 'x' })
      .expect(404);
    expect(response.body.message).toBe('O token de redefinição de senha é inválido ou expirou.');
  });

  it('documents the routes under a custom path', async () => {
    const t = await start({ extras: { path: 'api/v2/reset' } });
    expect(Object.keys(documentOf(t).paths).sort()).toEqual(Object.values(paths('api/v2/reset')).sort());
    await createUser(t.dataSource);
    const routes = resetRoutes('api/v2/reset');
    const token = await issueToken(t, undefined, routes.request);
    await request(t.server).post(routes.validate).send({ token }).expect(200, { status: 'OK' });
  });

  it('gives the same document with forRootAsync, where the options are known only at start-up', async () => {
    const options: PasswordResetModuleOptions = {
      lookupField: 'username',
      userDetailsOnValidation: true,
      bcryptCost: TEST_BCRYPT_COST,
    };
    const sync = await start({ options });

    @Injectable()
    class ResetSettings {
      readonly lookupField = 'username';
    }
    @Module({ providers: [ResetSettings], exports: [ResetSettings] })
    class ResetSettingsModule {}

    const async = await start({
      passwordResetModule: [
        PasswordResetModule.forRootAsync({
          user: { entity: User },
          imports: [ResetSettingsModule],
          inject: [ResetSettings],
          useFactory: async (settings: ResetSettings) => ({ ...options, lookupField: settings.lookupField }),
        }),
      ],
    });
    const document = documentOf(async);
    expect(operation(document, '/password_reset').body.required).toEqual(['username']);
    expect(document).toEqual(documentOf(sync));
  });

  it('keeps two mounts apart, and documents a module registered twice from scratch', async () => {
    const byEmail = await start();
    const module = PasswordResetModule.forRoot({
      user: { entity: User },
      lookupField: 'username',
      bcryptCost: TEST_BCRYPT_COST,
    });
    const byUsername = await start({ passwordResetModule: [module] });
    const first = documentOf(byUsername);
    expect(operation(first, '/password_reset').body.required).toEqual(['username']);
    // The other app's controller still documents (and takes) its own lookup field.
    expect(operation(documentOf(byEmail), '/password_reset').body.required).toEqual(['email']);

    // Same module definition, same controller class, documented a second time: nothing accumulates.
    const again = await start({ passwordResetModule: [module] });
    expect(documentOf(again)).toEqual(first);
    expect(documentOf(byUsername)).toEqual(first);
    await request(again.server).post(ROUTES.request).send({ username: 'jane' }).expect(200, { status: 'OK' });
  });
});

describe('without @nestjs/swagger', () => {
  const start = closingTestApps();

  /** The real documenter, looking for a package that is not installed, as in an app without Swagger. */
  @Injectable()
  class DocumenterWithoutSwagger extends PasswordResetOpenApiDocumenter {
    protected override readonly swaggerPackage = 'nestjs-password-reset-absent-swagger';
  }

  it('starts, serves a whole reset, and leaves the routes undocumented', async () => {
    const t = await start({
      extras: { extraProviders: [{ provide: PasswordResetOpenApiDocumenter, useClass: DocumenterWithoutSwagger }] },
    });
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(200, { status: 'OK' });
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200, { status: 'OK' });
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);

    // The app's own document still lists the routes Nest mounted, with none of the module's descriptions.
    const confirm = documentOf(t).paths['/password_reset/confirm'].post!;
    expect(Object.keys(confirm.responses)).not.toContain('404');
    expect(JSON.stringify(confirm)).not.toContain('additionalProperties');
  });
});
