import { afterEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request, { Response } from 'supertest';
import {
  PasswordRejectedEvent,
  PasswordResetEvents,
  PostResetEvent,
  RandomNumberTokenGenerator,
  RequestSuppressedEvent,
  RequestUnmatchedEvent,
  SecondFactorVerifier,
  ThrottledEvent,
  TokenRejectedEvent,
} from '../../lib/index.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { closingTestApps, expireToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createUser, TestApp, TestAppOptions } from '../fixtures/test-app.js';
import { TotpTestVerifier, wrongTotp } from '../fixtures/totp-verifier.js';
import { User } from '../fixtures/user.entity.js';

const SECRET = 'a-server-secret-of-at-least-32-characters!';
const AGENT = 'AuditTest/1.0';
/** How long the hostile audit listener holds at most before it throws: no answer may wait for it. */
const SLOW_LISTENER_MS = 1500;
const AUDIT_EVENTS: string[] = [
  PasswordResetEvents.RequestUnmatched,
  PasswordResetEvents.RequestSuppressed,
  PasswordResetEvents.Throttled,
  PasswordResetEvents.TokenRejected,
  PasswordResetEvents.PasswordRejected,
];
const PAYLOAD_CLASS: Record<string, abstract new (...args: never[]) => object> = {
  [PasswordResetEvents.RequestUnmatched]: RequestUnmatchedEvent,
  [PasswordResetEvents.RequestSuppressed]: RequestSuppressedEvent,
  [PasswordResetEvents.Throttled]: ThrottledEvent,
  [PasswordResetEvents.TokenRejected]: TokenRejectedEvent,
  [PasswordResetEvents.PasswordRejected]: PasswordRejectedEvent,
  [PasswordResetEvents.PostReset]: PostResetEvent,
};
const codes = { tokenGenerator: new RandomNumberTokenGenerator(), tokenSecret: SECRET };

interface Prepared {
  user?: User;
  token?: string;
}

interface Case {
  outcome: string;
  /** A fresh setup per app (each gets its own verifier and database). */
  setup?: () => TestAppOptions;
  prepare?: (t: TestApp) => Promise<Prepared>;
  act: (t: TestApp, prepared: Prepared) => Promise<Response>;
  /** Every `password_reset.*` event the act causes, in order. */
  events: string[];
  payload?: (prepared: Prepared, answer: Response) => object;
}

const post = (t: TestApp, route: string, body: object) =>
  request(t.server).post(route).set('User-Agent', AGENT).send(body);

async function issue(t: TestApp, values: Partial<User> = {}): Promise<Prepared> {
  const user = (await createUser(t.dataSource, values)) as User;
  return { user, token: (await t.service.issueTokenFor(user)).token };
}

async function setUser(t: TestApp, user: User, values: Partial<User>): Promise<void> {
  await t.dataSource.getRepository(User).update({ id: user.id }, values);
}

const rejected = (operation: string, reason: string, withUser: boolean) => (prepared: Prepared) => ({
  operation,
  reason,
  user: withUser ? expect.objectContaining({ id: prepared.user!.id }) : null,
  resetToken: withUser || reason === 'expired' ? expect.objectContaining({ userId: prepared.user!.id }) : null,
  ipAddress: expect.any(String),
});

const CASES: Case[] = [
  {
    outcome: 'a request for an unknown account',
    act: (t) => post(t, ROUTES.request, { email: 'nobody@example.com' }),
    events: [PasswordResetEvents.RequestUnmatched],
    payload: () => ({
      lookupValue: 'nobody@example.com',
      reason: 'unknown',
      user: null,
      ipAddress: expect.any(String),
      userAgent: AGENT,
    }),
  },
  ...(
    [
      ['inactive', { isActive: false }],
      ['unusable_password', { plainPassword: null }],
    ] as const
  ).map(([reason, values]): Case => ({
    outcome: `a request for an account that may not reset (${reason})`,
    prepare: async (t) => ({ user: (await createUser(t.dataSource, values)) as User }),
    act: (t) => post(t, ROUTES.request, { email: 'JANE@example.com' }),
    events: [PasswordResetEvents.RequestUnmatched],
    payload: (prepared) => ({
      lookupValue: 'JANE@example.com',
      reason,
      user: expect.objectContaining({ id: prepared.user!.id }),
      userAgent: AGENT,
    }),
  })),
  ...(['account', 'accountPerClient'] as const).map((limit): Case => ({
    outcome: `a request over the per-account limit (${limit})`,
    setup: () => ({ options: { throttle: { [limit]: { limit: 1, ttl: 60 } } } }),
    prepare: async (t) => {
      const user = (await createUser(t.dataSource)) as User;
      await post(t, ROUTES.request, { email: 'jane@example.com' }).expect(200);
      return { user };
    },
    act: (t) => post(t, ROUTES.request, { email: 'jane@example.com' }),
    events: [PasswordResetEvents.RequestSuppressed],
    payload: () => ({ lookupValue: 'jane@example.com', limit, ipAddress: expect.any(String), userAgent: AGENT }),
  })),
  {
    outcome: 'a request refused by the per-client limit',
    setup: () => ({ options: { throttle: { request: { limit: 1, ttl: 60 } } } }),
    prepare: async (t) => {
      await post(t, ROUTES.request, { email: 'nobody@example.com' }).expect(200);
      return {};
    },
    act: (t) => post(t, ROUTES.request, { email: 'nobody@example.com' }),
    events: [PasswordResetEvents.Throttled],
    payload: (_, answer) => ({
      limit: 'request',
      ipAddress: expect.any(String),
      retryAfter: Number(answer.headers['retry-after']),
    }),
  },
  {
    outcome: 'an unknown token on validate',
    act: (t) => post(t, ROUTES.validate, { token: 'x'.repeat(32) }),
    events: [PasswordResetEvents.TokenRejected],
    payload: () => ({ operation: 'validate', reason: 'unknown', user: null, resetToken: null }),
  },
  {
    outcome: 'an unknown token on confirm',
    act: (t) => post(t, ROUTES.confirm, { token: 'x'.repeat(32), password: NEW_PASSWORD }),
    events: [PasswordResetEvents.TokenRejected],
    payload: () => ({ operation: 'confirm', reason: 'unknown', user: null, resetToken: null }),
  },
  {
    outcome: 'an expired token',
    prepare: async (t) => {
      const prepared = await issue(t);
      const [row] = await t.tokens.list();
      await expireToken(t, row.id);
      return prepared;
    },
    act: (t, { token }) => post(t, ROUTES.validate, { token }),
    events: [PasswordResetEvents.TokenRejected],
    payload: rejected('validate', 'expired', false),
  },
  {
    outcome: 'a token whose account changed its password since',
    prepare: async (t) => {
      const prepared = await issue(t);
      await setUser(t, prepared.user!, { password: '$2b$04$changedElsewhere' });
      return prepared;
    },
    act: (t, { token }) => post(t, ROUTES.confirm, { token, password: NEW_PASSWORD }),
    events: [PasswordResetEvents.TokenRejected],
    payload: rejected('confirm', 'credentials_changed', true),
  },
  {
    outcome: 'a token of an account that may not reset',
    prepare: async (t) => {
      const prepared = await issue(t);
      await setUser(t, prepared.user!, { isActive: false });
      return prepared;
    },
    act: (t, { token }) => post(t, ROUTES.validate, { token }),
    events: [PasswordResetEvents.TokenRejected],
    payload: rejected('validate', 'ineligible', true),
  },
  {
    outcome: 'a wrong code',
    setup: () => ({ options: { ...codes, throttle: false } }),
    prepare: (t) => issue(t),
    act: (t, { token }) =>
      post(t, ROUTES.validate, { token: token === '000000' ? '111111' : '000000', email: 'jane@example.com' }),
    events: [PasswordResetEvents.TokenRejected],
    payload: (prepared) => ({
      operation: 'validate',
      reason: 'wrong_code',
      user: expect.objectContaining({ id: prepared.user!.id }),
    }),
  },
  {
    outcome: 'a code guess over the guess limit',
    setup: () => ({ options: { ...codes, throttle: { guess: { limit: 1, ttl: 60 } } } }),
    prepare: async (t) => {
      const prepared = await issue(t);
      await post(t, ROUTES.validate, { token: prepared.token, email: 'jane@example.com' }).expect(200);
      return prepared;
    },
    act: (t, { token }) => post(t, ROUTES.validate, { token, email: 'jane@example.com' }),
    events: [PasswordResetEvents.Throttled],
    payload: () => ({ limit: 'guess', ipAddress: expect.any(String), retryAfter: expect.any(Number) }),
  },
  ...(
    [
      ['second_factor_missing', async () => ({})],
      ['second_factor_wrong', async (secret: string) => ({ otp: await wrongTotp(secret) })],
    ] as const
  ).map(([reason, proof]): Case => ({
    outcome: `a confirm with a ${reason === 'second_factor_missing' ? 'missing' : 'wrong'} second factor`,
    setup: () => ({
      options: { throttle: false },
      extras: { extraProviders: [{ provide: SecondFactorVerifier, useValue: new TotpTestVerifier() }] },
    }),
    prepare: async (t) => {
      const prepared = await issue(t);
      const secret = (t.app.get(SecondFactorVerifier) as TotpTestVerifier).enrol(prepared.user!);
      return { ...prepared, secret } as Prepared;
    },
    act: async (t, prepared) =>
      post(t, ROUTES.confirm, {
        token: prepared.token,
        password: NEW_PASSWORD,
        ...(await proof((prepared as { secret: string }).secret)),
      }),
    events: [PasswordResetEvents.TokenRejected],
    payload: rejected('confirm', reason, true),
  })),
  {
    outcome: 'a password the validators refuse',
    prepare: (t) => issue(t),
    act: (t, { token }) => post(t, ROUTES.confirm, { token, password: '1357924680' }),
    events: [PasswordResetEvents.PasswordRejected],
    payload: (prepared, answer) => ({
      user: expect.objectContaining({ id: prepared.user!.id }),
      resetToken: expect.objectContaining({ userId: prepared.user!.id }),
      reasons: (answer.body as { message: string[] }).message,
    }),
  },
  {
    outcome: 'a completed reset',
    prepare: (t) => issue(t),
    act: (t, { token }) => post(t, ROUTES.confirm, { token, password: NEW_PASSWORD }),
    events: [PasswordResetEvents.PreReset, PasswordResetEvents.ResetCommitting, PasswordResetEvents.PostReset],
  },
];

/** What a client can observe of an answer, the date aside. */
function observable(answer: Response): object {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name !== 'date'));
  return { status: answer.status, headers, text: answer.text };
}

describe('audit events', () => {
  const startApp = closingTestApps();
  afterEach(() => Logger.overrideLogger(false));

  it.each([
    ['nothing by default', undefined],
    ["one line at the level the app chose ('warn')", 'warn' as const],
  ])('logs %s for an outcome', async (_, auditLogLevel) => {
    const t = await startApp({ options: { auditLogLevel, throttle: { request: { limit: 1, ttl: 60 } } } });
    const user = (await createUser(t.dataSource)) as User;
    const logs = new LogRecorder();
    Logger.overrideLogger(logs);
    await post(t, ROUTES.request, { email: 'nobody@example.com' }).expect(200);
    await post(t, ROUTES.request, { email: 'nobody@example.com' }).expect(429);
    const { token } = await t.service.issueTokenFor(user);
    await post(t, ROUTES.validate, { token: 'x'.repeat(32) }).expect(404);
    await t.settle();
    const audit = logs.entries.filter((entry) => entry.text.includes('password_reset.'));
    if (!auditLogLevel) return expect(audit).toEqual([]);
    expect(audit.map((entry) => entry.level)).toEqual(['warn', 'warn', 'warn']);
    const lines = audit.map((entry) => entry.text);
    // The unmatched request's line comes from the queued work, so after the others' perhaps.
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^password_reset\.request_unmatched reason="unknown" ipAddress="[^"]+"/),
        expect.stringMatching(/^password_reset\.throttled limit="request" ipAddress="[^"]+" retryAfter=\d+/),
        expect.stringMatching(/^password_reset\.token_rejected operation="validate" reason="unknown" ipAddress=/),
      ]),
    );
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain('nobody@example.com');
    }
  });

  it('reaches a listener of each kind alone: onAny, by wildcard, and by name added while the app runs', async () => {
    const t = await startApp({
      eventEmitter: { wildcard: true },
      options: { throttle: { request: { limit: 1, ttl: 60 } } },
      withoutEventRecorder: true,
    });
    const emitter = t.app.get(EventEmitter2);
    await post(t, ROUTES.request, { email: 'nobody@example.com' }).expect(200);
    const heard: string[] = [];
    /** Each kind subscribes `listener` and returns how to unsubscribe it. */
    const kinds: [string, (listener: () => void) => () => void][] = [
      [
        'any',
        (listener) => {
          const any = (name: string | string[]) => void (String(name) === PasswordResetEvents.Throttled && listener());
          emitter.onAny(any);
          return () => emitter.offAny(any);
        },
      ],
      [
        'wildcard',
        (listener) => (emitter.on('password_reset.*', listener), () => emitter.off('password_reset.*', listener)),
      ],
      [
        'by name',
        (listener) => (
          emitter.on(PasswordResetEvents.Throttled, listener),
          () => emitter.off(PasswordResetEvents.Throttled, listener)
        ),
      ],
    ];
    for (const [kind, listen] of kinds) {
      // Refused with no listener at all, then with this one alone, subscribed while the app runs.
      await post(t, ROUTES.request, { email: 'nobody@example.com' }).expect(429);
      const unsubscribe = listen(() => void heard.push(kind));
      await post(t, ROUTES.request, { email: 'nobody@example.com' }).expect(429);
      await t.settle();
      unsubscribe();
    }
    expect(heard).toEqual(['any', 'wildcard', 'by name']);
  });

  it.each(CASES.map((c) => [c.outcome, c] as const))('%s: exactly its event, the answer unchanged', async (_, c) => {
    const quiet = await startApp({ ...c.setup?.(), withoutEventRecorder: true });
    const audited = await startApp(c.setup?.());
    // Nest's static logger, which the module logs through, pointed at a recorder once the apps are up.
    const logs = new LogRecorder();
    Logger.overrideLogger(logs);
    const seen: { name: string; payload: unknown }[] = [];
    // A slow listener that then fails: neither may reach the answer. It holds until the test has the answer,
    // SLOW_LISTENER_MS at most, so an answer that waited for it takes that long and one that did not costs no wait.
    let release = () => {};
    let held = Promise.resolve();
    const hold = () => (held = new Promise<void>((resolve) => (release = resolve)));
    audited.app.get(EventEmitter2).onAny(async (name, payload) => {
      const event = String(name);
      if (!event.startsWith('password_reset.')) return;
      seen.push({ name: event, payload });
      if (!AUDIT_EVENTS.includes(event)) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SLOW_LISTENER_MS);
        void held.then(() => (clearTimeout(timer), resolve()));
      });
      throw new Error(`audit sink down for ${event}`);
    });

    const quietPrepared = (await c.prepare?.(quiet)) ?? {};
    const expected = observable(await c.act(quiet, quietPrepared));
    await quiet.settle();

    const prepared = (await c.prepare?.(audited)) ?? {};
    await audited.settle();
    seen.length = 0;
    hold();
    const started = Date.now();
    const answer = await c.act(audited, prepared);
    expect(Date.now() - started).toBeLessThan(SLOW_LISTENER_MS);
    release();
    await audited.settle();

    expect(observable(answer)).toEqual(expected);
    expect(seen.map((event) => event.name)).toEqual(c.events);
    const audit = seen.find((event) => AUDIT_EVENTS.includes(event.name));
    if (c.payload) expect(audit?.payload).toMatchObject(c.payload(prepared, answer));
    if (audit) {
      expect(audit.payload).toBeInstanceOf(PAYLOAD_CLASS[audit.name]);
      expect(logs.lines('error')).toContainEqual(expect.stringContaining(`A ${audit.name} listener failed`));
      const text = JSON.stringify(audit.payload);
      if (prepared.token) expect(text).not.toContain(prepared.token);
      expect(text).not.toContain(NEW_PASSWORD);
      expect(text).not.toContain('1357924680');
    }
  });
});
