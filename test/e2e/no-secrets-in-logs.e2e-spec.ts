import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import request from 'supertest';
import {
  defaultPasswordValidators,
  PasswordResetEvents,
  PasswordValidator,
  PwnedPasswordValidator,
  TokenCreatedEvent,
} from '../../lib/index.js';
import { LogRecorder, ProcessOutputCapture } from '../fixtures/log-recorder.js';
import { expireToken, INVALID_TOKEN_BODY, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import type { DatabaseEngine } from '../fixtures/test-database.js';
import { unreachableUrl } from '../fixtures/unreachable-url.js';

const OLD_PASSWORD = 'Old-Secret-Passphrase-0451';
const NEW_PASSWORD = 'New-Secret-Passphrase-7392';
/** Refused by the validators (entirely numeric), yet distinctive enough to search the logs for. */
const WEAK_PASSWORD = '86753091123581321';
/** Refused for bcrypt's 72-byte limit. */
const LONG_PASSWORD = `Long-Secret-${'Passphrase-'.repeat(8)}`;
const UNTRIED_PASSWORD = 'Untried-Secret-Passphrase-1188';
/** Written through console.error while the output is captured, to prove console output is searched too. */
const CONSOLE_CANARY = 'console-canary-3b1f9e';
/** Makes the app's own validator below crash. */
const CRASHING_PASSWORD = 'Crashing-Secret-Passphrase-5521';

/** An app's validator whose backing service fails, with an error that quotes its input. */
class StrengthMeterValidator extends PasswordValidator {
  validate(password: string): string[] {
    if (password === CRASHING_PASSWORD) throw new Error(`strength meter failed on "${password}"`);
    return [];
  }
}

/** The app's mailer: fails, when told to, with an error that quotes the reset link, as SMTP errors can. */
@Injectable()
class LeakyMailer {
  failing = false;
  readonly errors: Error[] = [];

  @OnEvent(PasswordResetEvents.TokenCreated, { suppressErrors: false })
  deliver({ token }: TokenCreatedEvent): void {
    if (!this.failing) return;
    const error = new Error(`554 rejected: https://app.example.com/reset?token=${token}`, {
      cause: new Error(`token ${token} refused by relay`),
    });
    this.errors.push(error);
    throw error;
  }
}

/** Statements that make the next write to `table` fail inside the database itself. */
function failingWriteTrigger(engine: DatabaseEngine, table: string, on: 'INSERT' | 'UPDATE'): string[] {
  const name = `refuse_${table}_${on}`.toLowerCase();
  if (engine === 'sqlite') {
    return [`CREATE TRIGGER ${name} BEFORE ${on} ON ${table} BEGIN SELECT RAISE(ABORT, 'storage is read-only'); END`];
  }
  if (engine === 'postgres') {
    return [
      `CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'storage is read-only'; END $$ LANGUAGE plpgsql`,
      `CREATE TRIGGER ${name} BEFORE ${on} ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`,
    ];
  }
  return [
    `CREATE TRIGGER ${name} BEFORE ${on} ON \`${table}\` FOR EACH ROW ` +
      `SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'storage is read-only'`,
  ];
}

describe('no secrets in logs', () => {
  let t: TestApp;
  let mailer: LeakyMailer;
  const logs = new LogRecorder(new ConsoleLogger({ colors: false }));
  let output: ProcessOutputCapture;
  const tokens: string[] = [];
  const post = (route: keyof typeof ROUTES, body: object) => request(t.server).post(ROUTES[route]).send(body);

  /** Requests a token for Jane and returns its plaintext, as the mailer received it (on the last of `runs`). */
  async function requestToken(runs = 1): Promise<string> {
    const before = t.events.created.length;
    await post('request', { email: 'jane@example.com' }).expect(200);
    await t.settle();
    expect(t.events.created).toHaveLength(before + runs);
    tokens.push(...t.events.created.slice(before).map(({ token }) => token));
    return tokens.at(-1)!;
  }

  beforeAll(async () => {
    t = await createTestApp({
      providers: [LeakyMailer],
      options: {
        // Throttling is off so the flow can request several tokens for one account.
        throttle: false,
        // Every outcome's audit line is searched too.
        auditLogLevel: 'log',
        // A failed delivery is retried once: the retry's warning and the last attempt's error are searched too.
        queue: { attempts: 2, backoff: 0 },
        // Its API is unreachable: the check fails open and logs a warning, one more log line to search.
        passwordValidators: [
          ...defaultPasswordValidators(),
          new PwnedPasswordValidator({ baseUrl: await unreachableUrl(), timeoutMs: 500 }),
          new StrengthMeterValidator(),
        ],
      },
    });
    mailer = t.app.get(LeakyMailer);
    t.app.useLogger(logs);
    const jane = await createUser(t.dataSource, { plainPassword: OLD_PASSWORD });
    output = new ProcessOutputCapture();
    try {
      console.error(new Error('canary', { cause: CONSOLE_CANARY }));
      await runFlow(jane.id);
    } finally {
      output.stop();
    }
  });
  afterAll(async () => t.close());

  async function runFlow(janeId: number): Promise<void> {
    // An unknown account: the same 200, nothing issued.
    await post('request', { email: 'nobody@example.com' }).expect(200);
    await t.settle();

    const token = await requestToken();
    await post('validate', { token }).expect(200);
    await post('confirm', { token, password: WEAK_PASSWORD }).expect(400);
    await post('confirm', { token, password: LONG_PASSWORD }).expect(400);
    await post('confirm', { token, password: CRASHING_PASSWORD }).expect(500);
    // A PreReset listener vetoes the reset with an error the app did not map to HTTP: a 500, token kept.
    t.events.vetoReset = new Error('reset blocked by the fraud check');
    await post('confirm', { token, password: NEW_PASSWORD }).expect(500);
    t.events.vetoReset = undefined;
    await post('confirm', { token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, janeId, NEW_PASSWORD)).toBe(true);
    await post('confirm', { token, password: NEW_PASSWORD }).expect(404, INVALID_TOKEN_BODY);

    // The mailer fails with the token in its message: the request still answers 200.
    mailer.failing = true;
    await requestToken(2);
    mailer.failing = false;

    const expired = await requestToken();
    await expireToken(t, (await tokenRows(t))[0].id);
    await post('validate', { token: expired }).expect(404, INVALID_TOKEN_BODY);
    await post('confirm', { token: expired, password: UNTRIED_PASSWORD }).expect(404, INVALID_TOKEN_BODY);

    // The database refuses writes: storing the new password fails (500), then issuing a token fails (logged).
    const live = await requestToken();
    for (const sql of failingWriteTrigger(t.engine, 'users', 'UPDATE')) await t.dataSource.query(sql);
    await post('confirm', { token: live, password: UNTRIED_PASSWORD }).expect(500);
    // The failed confirm put its token back: the request replaces that row, so refuse updates too. In Redis,
    // the store's connection goes away instead.
    if (t.tokens.cutConnection) t.tokens.cutConnection();
    else {
      for (const operation of ['INSERT', 'UPDATE'] as const) {
        for (const sql of failingWriteTrigger(t.engine, 'password_reset_tokens', operation))
          await t.dataSource.query(sql);
      }
    }
    await post('request', { email: 'jane@example.com' }).expect(200);
    await t.settle();
    expect(await passwordWorks(t.dataSource, janeId, NEW_PASSWORD)).toBe(true);
  }

  /** Everything the flow left behind: log entries (with stacks and causes) and all console output. */
  function everythingLogged(): string {
    return [...logs.lines(), output.text()].join('\n');
  }

  it('captured the failures it is about (so the search below means something)', () => {
    const errors = logs.lines('error').join('\n');
    expect(errors).toMatch(/password_reset\.token_created listener failed: Error: 554 rejected: .*\[redacted\]/);
    expect(errors).toContain('reset blocked by the fraud check');
    expect(errors).toContain('strength meter failed on "[redacted]"');
    expect(errors).toContain('storage is read-only');
    expect(errors).toMatch(/Token request failed/);
    expect(logs.lines('warn').join('\n')).toMatch(/Breached-password lookup failed/);
    const audit = logs.lines('log').join('\n');
    for (const outcome of [
      'request_unmatched',
      'token_created',
      'password_rejected',
      'post_reset',
      'delivery_failed',
      'token_rejected',
    ]) {
      expect(audit).toMatch(new RegExp(`^password_reset\\.${outcome} `, 'm'));
    }
    expect(output.text()).toContain('reset blocked by the fraud check');
    // Jest's console in a multi-file run writes to no stream: console.* output must be captured on its own.
    expect(everythingLogged()).toContain(CONSOLE_CANARY);
    expect(mailer.errors).toHaveLength(2);
    expect(tokens).toHaveLength(5);
  });

  it('never shows a token, not even the one the failing listener put in its error', () => {
    expect(mailer.errors[0].message).toContain(tokens[1]);
    const logged = everythingLogged();
    for (const token of tokens) expect(logged).not.toContain(token);
  });

  it.each([
    ['the old password', OLD_PASSWORD],
    ['the new password', NEW_PASSWORD],
    ['a refused weak password', WEAK_PASSWORD],
    ['a refused long password', LONG_PASSWORD],
    ['a password whose reset failed in the database', UNTRIED_PASSWORD],
    ['a password an app validator crashed on', CRASHING_PASSWORD],
  ])('never shows %s', (_, password) => {
    expect(everythingLogged()).not.toContain(password);
  });

  it('never shows a password hash, not even in the failed UPDATE the exception handler prints', () => {
    expect(logs.lines('error').join('\n')).toMatch(/UPDATE .*users/);
    expect(everythingLogged()).not.toMatch(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/);
  });
});
