import { afterEach, describe, expect, it } from '@jest/globals';
import { INestApplication, Provider, ValidationPipe } from '@nestjs/common';
import request from 'supertest';
import { passwordResetResolver } from '../../lib/graphql.js';
import {
  INVALID_TOKEN_MESSAGE,
  MemoryThrottleStorage,
  PasswordResetModuleOptions,
  PasswordResetThrottleStorage,
  RandomNumberTokenGenerator,
  SECOND_FACTOR_REQUIRED_MESSAGE,
  SecondFactorVerifier,
  TOO_MANY_REQUESTS_MESSAGE,
} from '../../lib/index.js';
import { graphQLModule, GraphQLServerOptions, PingResolver, postGraphQL } from '../fixtures/graphql.js';
import { databaseState, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { currentTotp, TotpTestVerifier, wrongTotp } from '../fixtures/totp-verifier.js';
import type { User } from '../fixtures/user.entity.js';

const KEY_SECRET = 'graphql-throttle-key-secret-0123456789abcdef';
const OLD_PASSWORD = 'correct horse battery';

const REQUEST = 'mutation Request($email: String!) { requestPasswordReset(email: $email) { status } }';
const VALIDATE = 'mutation Validate($token: String!) { validatePasswordResetToken(token: $token) { status } }';
const CONFIRM =
  'mutation Confirm($token: String!, $password: String!) { confirmPasswordReset(token: $token, password: $password) { status } }';

interface GraphQLErrorBody {
  message: string;
  path?: string[];
  extensions?: { code?: string; reasons?: string[]; retryAfter?: number; secondFactorRequired?: boolean };
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorBody[];
}

/** Counts every hit the throttle storage is asked for, by limit name. */
function countingStorage(): { storage: PasswordResetThrottleStorage; hits: string[]; close(): void } {
  const memory = new MemoryThrottleStorage();
  const hits: string[] = [];
  return {
    hits,
    storage: {
      increment: (...args) => {
        hits.push(args[4]);
        const [key, ttl, limit, blockDuration] = args;
        return memory.increment(key, ttl, limit, blockDuration);
      },
    },
    close: () => memory.close(),
  };
}

describe('GraphQL mutations (Apollo on Express, Mercurius on Fastify)', () => {
  let t: TestApp;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((cleanup) => cleanup());
    await t?.close();
  });

  function start(
    options: PasswordResetModuleOptions = {},
    server: GraphQLServerOptions = {},
    configureApp?: (app: INestApplication) => void,
    extraProviders: Provider[] = [],
  ) {
    return createTestApp({
      imports: [graphQLModule(server)],
      providers: [PingResolver],
      extras: { extraProviders: [passwordResetResolver(), ...extraProviders] },
      options,
      configureApp,
    });
  }

  async function post(query: string, variables?: object): Promise<GraphQLBody & { status: number; text: string }> {
    const response = await postGraphQL(t.server, { query, variables });
    return { status: response.status, text: response.text, ...(response.body as GraphQLBody) };
  }

  /** A mutation's single error: HTTP 200, no data, one error at the field, its message and code. */
  function expectFieldError(body: GraphQLBody & { status: number }, field: string, message: string, code: string) {
    expect(body.status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message, path: [field], extensions: { code } });
  }

  async function requestToken(email = 'jane@example.com'): Promise<string> {
    const before = t.events.created.length;
    const body = await post(REQUEST, { email });
    expect(body).toMatchObject({ status: 200, data: { requestPasswordReset: { status: 'OK' } } });
    await t.settle();
    expect(t.events.created).toHaveLength(before + 1);
    return t.events.created[before].token;
  }

  it('runs the whole flow: request, the TokenCreated event, validate, confirm; the new password logs in', async () => {
    t = await start();
    const user = await createUser(t.dataSource);
    const token = await requestToken();
    expect(t.events.created[0].user).toMatchObject({ id: user.id });
    expect(await tokenRows(t)).toHaveLength(1);

    const validated = await post(VALIDATE, { token });
    expect(validated).toMatchObject({ status: 200, data: { validatePasswordResetToken: { status: 'OK' } } });
    expect(validated.errors).toBeUndefined();
    const confirmed = await post(CONFIRM, { token, password: NEW_PASSWORD });
    expect(confirmed).toMatchObject({ status: 200, data: { confirmPasswordReset: { status: 'OK' } } });
    expect(confirmed.errors).toBeUndefined();

    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(false);
    expect(await tokenRows(t)).toHaveLength(0);
    expect(t.events.postReset).toHaveLength(1);
    // Single use: the token is gone.
    expectFieldError(
      await post(CONFIRM, { token, password: NEW_PASSWORD }),
      'confirmPasswordReset',
      INVALID_TOKEN_MESSAGE,
      'NOT_FOUND',
    );
  });

  it('works under a strict global ValidationPipe, as many apps install one', async () => {
    t = await start({}, {}, (app) =>
      app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true })),
    );
    const user = await createUser(t.dataSource);
    const token = await requestToken();
    expect((await post(CONFIRM, { token, password: NEW_PASSWORD })).data).toEqual({
      confirmPasswordReset: { status: 'OK' },
    });
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('answers an unknown account byte for byte as a known one, and issues nothing for it', async () => {
    t = await start();
    await createUser(t.dataSource);
    const known = await postGraphQL(t.server, { query: REQUEST, variables: { email: 'jane@example.com' } });
    const unknown = await postGraphQL(t.server, { query: REQUEST, variables: { email: 'nobody@example.com' } });
    await t.settle();
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    expect(unknown.body).toEqual({ data: { requestPasswordReset: { status: 'OK' } } });
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
    expect(t.events.created.map((event) => event.user)).toEqual([
      expect.objectContaining({ email: 'jane@example.com' }),
    ]);
  });

  it('names the request argument after lookupField, and refuses any other argument without doing anything', async () => {
    t = await start({ lookupField: 'username' });
    const user = await createUser(t.dataSource);
    const schema = await post('{ __type(name: "Mutation") { fields { name args { name } } } }');
    expect(schema.data).toEqual({
      __type: {
        fields: [
          { name: 'requestPasswordReset', args: [{ name: 'username' }] },
          { name: 'validatePasswordResetToken', args: [{ name: 'token' }] },
          { name: 'confirmPasswordReset', args: [{ name: 'token' }, { name: 'password' }] },
        ],
      },
    });

    const refused = await post('mutation { requestPasswordReset(email: "jane@example.com") { status } }');
    // Refused by the server's validation (Apollo answers 400, Mercurius 200), before any resolver runs.
    expect(refused.status).toBeLessThan(500);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toContainEqual(
      expect.objectContaining({ message: 'Unknown argument "email" on field "Mutation.requestPasswordReset".' }),
    );
    await t.settle();
    expect(t.events.created).toHaveLength(0);

    const asked = await post('mutation($u: String!) { requestPasswordReset(username: $u) { status } }', { u: 'JANE' });
    expect(asked.data).toEqual({ requestPasswordReset: { status: 'OK' } });
    await t.settle();
    expect(t.events.created.map((event) => event.user)).toEqual([expect.objectContaining({ id: user.id })]);
  });

  it('takes the account beside the code when tokens are bound to it', async () => {
    t = await start({
      tokenGenerator: new RandomNumberTokenGenerator(),
      tokenSecret: 'a-server-secret-of-at-least-32-characters!',
    });
    const user = await createUser(t.dataSource);
    await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
    const code = await requestToken();
    const schema = await post('{ __type(name: "Mutation") { fields { name args { name } } } }');
    expect(schema.data).toEqual({
      __type: {
        fields: [
          { name: 'requestPasswordReset', args: [{ name: 'email' }] },
          { name: 'validatePasswordResetToken', args: [{ name: 'token' }, { name: 'email' }] },
          { name: 'confirmPasswordReset', args: [{ name: 'token' }, { name: 'password' }, { name: 'email' }] },
        ],
      },
    });
    expect((await post(VALIDATE, { token: code })).status).toBe(400);

    const validateFor =
      'mutation($token: String!, $email: String!) { validatePasswordResetToken(token: $token, email: $email) { status } }';
    const confirmFor =
      'mutation($token: String!, $password: String!, $email: String!) { confirmPasswordReset(token: $token, password: $password, email: $email) { status } }';
    expectFieldError(
      await post(validateFor, { token: code, email: 'john@example.com' }),
      'validatePasswordResetToken',
      INVALID_TOKEN_MESSAGE,
      'NOT_FOUND',
    );
    expect((await post(validateFor, { token: code, email: 'jane@example.com' })).data).toEqual({
      validatePasswordResetToken: { status: 'OK' },
    });
    const confirmed = await post(confirmFor, { token: code, password: NEW_PASSWORD, email: 'jane@example.com' });
    expect(confirmed.data).toEqual({ confirmPasswordReset: { status: 'OK' } });
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('names the user on validate only with userDetailsOnValidation', async () => {
    const details = 'mutation($token: String!) { validatePasswordResetToken(token: $token) { status username email } }';
    t = await start({ userDetailsOnValidation: true });
    await createUser(t.dataSource);
    expect((await post(details, { token: await requestToken() })).data).toEqual({
      validatePasswordResetToken: { status: 'OK', username: 'jane', email: 'jane@example.com' },
    });
    await t.close();
    t = await start();
    await createUser(t.dataSource);
    expect((await post(details, { token: await requestToken() })).data).toEqual({
      validatePasswordResetToken: { status: 'OK', username: null, email: null },
    });
  });

  it('answers with the REST bodies’ messages and a code for each status', async () => {
    t = await start({ throttle: false });
    const user = await createUser(t.dataSource);

    expectFieldError(
      await post(REQUEST, { email: 'not an email' }),
      'requestPasswordReset',
      'email must be an email address',
      'BAD_USER_INPUT',
    );
    // A malformed token gets the very answer of a missing one (the REST contract's one 404).
    const missing = await post(VALIDATE, { token: 'no-such-token' });
    expectFieldError(missing, 'validatePasswordResetToken', INVALID_TOKEN_MESSAGE, 'NOT_FOUND');
    expect((await post(VALIDATE, { token: 'x'.repeat(10_000) })).text).toBe(missing.text);
    expect((await post(VALIDATE, { token: 'bad\u0000token' })).text).toBe(missing.text);

    // The validators' reasons: the REST body's `message` list, one by one in extensions.reasons; the token is kept.
    const token = await requestToken();
    const rest = await request(t.server).post(ROUTES.confirm).send({ token, password: '12345678' }).expect(400);
    const weak = await post(CONFIRM, { token, password: '12345678' });
    expect(rest.body.message.length).toBeGreaterThan(1);
    expectFieldError(weak, 'confirmPasswordReset', rest.body.message.join('; '), 'BAD_USER_INPUT');
    expect(weak.errors![0].extensions!.reasons).toEqual(rest.body.message);
    expect(await tokenRows(t)).toHaveLength(1);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
  });

  it('says an account is unknown only with noInformationLeakage: false', async () => {
    t = await start({ noInformationLeakage: false, throttle: false });
    expectFieldError(
      await post(REQUEST, { email: 'nobody@example.com' }),
      'requestPasswordReset',
      "We couldn't find an account associated with that email. Please try a different email.",
      'BAD_USER_INPUT',
    );
  });

  it('limits each client with TOO_MANY_REQUESTS, counting refused input, and shares the counter with REST', async () => {
    t = await start({ throttle: { request: { limit: 3, ttl: 60 }, token: { limit: 2, ttl: 60 } } });
    await createUser(t.dataSource);
    expect((await post(REQUEST, { email: 'not an email' })).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(200);
    expect((await post(REQUEST, { email: 'jane@example.com' })).data).toEqual({
      requestPasswordReset: { status: 'OK' },
    });
    const limited = await post(REQUEST, { email: 'jane@example.com' });
    expectFieldError(limited, 'requestPasswordReset', TOO_MANY_REQUESTS_MESSAGE, 'TOO_MANY_REQUESTS');
    expect(limited.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(59);
    expect(limited.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(60);
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(429);
    await t.settle();
    expect(t.events.created).toHaveLength(2);

    // validate and confirm share the token limit.
    expect((await post(VALIDATE, { token: 'x' })).errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await post(CONFIRM, { token: 'x', password: NEW_PASSWORD })).errors![0].extensions!.code).toBe('NOT_FOUND');
    expectFieldError(
      await post(VALIDATE, { token: 'x' }),
      'validatePasswordResetToken',
      TOO_MANY_REQUESTS_MESSAGE,
      'TOO_MANY_REQUESTS',
    );
  });

  it('keeps the per-account limit silent: the same OK, and no token past it', async () => {
    t = await start({ throttle: { request: false, accountPerClient: false, account: { limit: 2, ttl: 60 } } });
    await createUser(t.dataSource);
    const answers = new Set<string>();
    for (const email of ['jane@example.com', 'JANE@example.com', 'jane@example.com']) {
      answers.add((await post(REQUEST, { email })).text);
      await t.settle();
    }
    expect([...answers].map((text) => JSON.parse(text))).toEqual([
      { data: { requestPasswordReset: { status: 'OK' } } },
    ]);
    expect(t.events.created).toHaveLength(2);
  });

  it('answers SERVICE_UNAVAILABLE when the throttle storage cannot count, and does nothing', async () => {
    const storage: PasswordResetThrottleStorage = { increment: () => Promise.reject(new Error('storage down')) };
    t = await start({ throttle: { storage, keySecret: KEY_SECRET } });
    await createUser(t.dataSource);
    const before = await databaseState(t);
    const body = await post(REQUEST, { email: 'jane@example.com' });
    expectFieldError(
      body,
      'requestPasswordReset',
      'The service is unavailable. Try again later.',
      'SERVICE_UNAVAILABLE',
    );
    await t.settle();
    expect(t.events.created).toHaveLength(0);
    expect(await databaseState(t)).toEqual(before);
  });

  describe('batches', () => {
    const ONE_PER_REQUEST = 'only one password reset mutation may be sent per request';

    it('runs one password-reset field of an operation with aliases; the others cost no limit and issue nothing', async () => {
      const counter = countingStorage();
      cleanups.push(counter.close);
      t = await start({
        throttle: { request: { limit: 2, ttl: 60 }, storage: counter.storage, keySecret: KEY_SECRET },
      });
      await createUser(t.dataSource);
      const fields = Array.from(
        { length: 200 },
        (_, i) => `a${i}: requestPasswordReset(email: "jane@example.com") { status }`,
      );
      const body = await post(`mutation { ${fields.join(' ')} }`);
      await t.settle();
      // The second field is refused, which ends the operation (the fields are non-null).
      expectFieldError(body, 'a1', ONE_PER_REQUEST, 'BAD_USER_INPUT');
      expect(t.events.created).toHaveLength(1);
      expect(counter.hits).toEqual(['request', 'accountPerClient', 'account']);

      // The whole batch was one hit of the limit of 2: one more request gets through, the next does not.
      expect((await post(REQUEST, { email: 'nobody@example.com' })).data).toEqual({
        requestPasswordReset: { status: 'OK' },
      });
      expect((await post(REQUEST, { email: 'nobody@example.com' })).errors![0].extensions!.code).toBe(
        'TOO_MANY_REQUESTS',
      );
    });

    it('mixes no other password-reset mutation into the same operation', async () => {
      t = await start({ throttle: false });
      await createUser(t.dataSource);
      const token = await requestToken();
      const body = await post(
        `mutation { validatePasswordResetToken(token: "${token}") { status } confirmPasswordReset(token: "${token}", password: "${NEW_PASSWORD}") { status } }`,
      );
      expectFieldError(body, 'confirmPasswordReset', ONE_PER_REQUEST, 'BAD_USER_INPUT');
      expect(await tokenRows(t)).toHaveLength(1);
    });

    it('refuses array batches while the server keeps them off (its default)', async () => {
      t = await start({ throttle: false });
      await createUser(t.dataSource);
      const response = await postGraphQL(t.server, [
        { query: REQUEST, variables: { email: 'jane@example.com' } },
        { query: REQUEST, variables: { email: 'jane@example.com' } },
      ]);
      expect(response.status).toBe(400);
      await t.settle();
      expect(t.events.created).toHaveLength(0);
    });

    it('serves one password-reset field per HTTP request when the server allows array batches', async () => {
      const counter = countingStorage();
      cleanups.push(counter.close);
      t = await start({ throttle: { storage: counter.storage, keySecret: KEY_SECRET } }, { batching: true });
      await createUser(t.dataSource);
      const batch = Array.from({ length: 20 }, () => ({ query: REQUEST, variables: { email: 'jane@example.com' } }));
      const response = await postGraphQL(t.server, batch);
      await t.settle();
      expect(response.status).toBe(200);
      const answers = response.body as GraphQLBody[];
      expect(answers).toHaveLength(20);
      expect(answers[0]).toEqual({ data: { requestPasswordReset: { status: 'OK' } } });
      for (const answer of answers.slice(1)) {
        expect(answer.errors).toEqual([expect.objectContaining({ message: ONE_PER_REQUEST })]);
      }
      expect(t.events.created).toHaveLength(1);
      expect(counter.hits).toEqual(['request', 'accountPerClient', 'account']);
    });
  });

  describe('hostile input: never a 5xx, nothing issued, nothing changed', () => {
    const cases: [string, object | string][] = [
      ['a 50,000-character email', { query: REQUEST, variables: { email: `${'a'.repeat(50_000)}@example.com` } }],
      ['a 50,000-character password', { query: CONFIRM, variables: { token: 'x', password: 'p'.repeat(50_000) } }],
      ['a NUL in the email', { query: REQUEST, variables: { email: 'jane@example.com\u0000' } }],
      [
        'a lone surrogate',
        '{"query":"mutation($e: String!) { requestPasswordReset(email: $e) { status } }","variables":{"e":"\\ud800@example.com"}}',
      ],
      ['a number for a string literal', { query: 'mutation { requestPasswordReset(email: 5) { status } }' }],
      ['an object for a string variable', { query: REQUEST, variables: { email: { $ne: null } } }],
      [
        'a list for a string variable',
        { query: REQUEST, variables: { email: ['jane@example.com', 'john@example.com'] } },
      ],
      ['a null variable', { query: REQUEST, variables: { email: null } }],
      ['a missing argument', { query: 'mutation { requestPasswordReset { status } }' }],
      [
        'an extra argument',
        { query: 'mutation { requestPasswordReset(email: "jane@example.com", admin: true) { status } }' },
      ],
      [
        'a selection inside a string',
        { query: 'mutation { requestPasswordReset(email: "jane@example.com") { status { x } } }' },
      ],
      ['a selection 30,000 levels deep', { query: `{${'a{'.repeat(30_000)}${'}'.repeat(30_001)}` }],
      [
        'introspection nested 400 levels',
        { query: `{ __schema { types { ${'fields { type { '.repeat(400)}name${' } }'.repeat(400)} } } }` },
      ],
      [
        'a fragment that spreads itself',
        {
          query:
            'mutation { ...F } fragment F on Mutation { ...F requestPasswordReset(email: "jane@example.com") { status } }',
        },
      ],
      [
        'the same field 1,500 times',
        { query: `mutation { ${'validatePasswordResetToken(token: "x") { status } '.repeat(1_500)} }` },
      ],
      ['a query that is not a string', { query: { mutation: 'requestPasswordReset' } }],
      ['no query', { variables: { email: 'jane@example.com' } }],
      ['a body that is not JSON', '{"query": "mutation {'],
    ];

    it.each(cases)('%s', async (_, body) => {
      t = await start({ throttle: false });
      await createUser(t.dataSource);
      const before = await databaseState(t);
      const response = await request(t.server)
        .post('/graphql')
        .set('content-type', 'application/json')
        .send(typeof body === 'string' ? body : JSON.stringify(body));
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(500);
      // Refused by the HTTP layer (4xx), or answered with errors.
      const errors = (response.body as GraphQLBody).errors;
      if (response.status === 200) expect(errors?.length).toBeGreaterThan(0);
      for (const error of errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      await t.settle();
      expect(t.events.created).toHaveLength(0);
      expect(await databaseState(t)).toEqual(before);
    });
  });
  it('asks an enrolled user for the second factor: FORBIDDEN without it, the reset with the current code', async () => {
    const verifier = new TotpTestVerifier();
    t = await start({ throttle: false, secondFactorOnValidation: true }, {}, undefined, [
      { provide: SecondFactorVerifier, useValue: verifier },
    ]);
    const user = await createUser(t.dataSource);
    const secret = verifier.enrol(user as User);
    const token = await requestToken();
    const validated = await post(
      'mutation V($token: String!) { validatePasswordResetToken(token: $token) { status secondFactorRequired } }',
      { token },
    );
    expect(validated.data).toEqual({ validatePasswordResetToken: { status: 'OK', secondFactorRequired: true } });

    const withOtp =
      'mutation C($token: String!, $password: String!, $otp: String) ' +
      '{ confirmPasswordReset(token: $token, password: $password, otp: $otp) { status } }';
    const missing = await post(withOtp, { token, password: NEW_PASSWORD });
    expectFieldError(missing, 'confirmPasswordReset', SECOND_FACTOR_REQUIRED_MESSAGE, 'FORBIDDEN');
    expect(missing.errors![0].extensions).toMatchObject({ secondFactorRequired: true });
    const wrong = await post(withOtp, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret) });
    expect(wrong.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', secondFactorRequired: true });
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);

    const confirmed = await post(withOtp, { token, password: NEW_PASSWORD, otp: await currentTotp(secret) });
    expect(confirmed).toMatchObject({ status: 200, data: { confirmPasswordReset: { status: 'OK' } } });
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });
});
