import { afterEach, describe, expect, it } from '@jest/globals';
import { ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  PasswordResetEvents,
  PasswordResetService,
  PostResetEvent,
  PreResetEvent,
  TokenCreatedEvent,
} from '../../lib/index.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { closingTestApps, issueToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

const OLD_PASSWORD = 'correct horse battery';

/** A mailer whose SMTP server refuses, with the token in the error as a careless client would put it. */
@Injectable()
class RefusingMailer {
  @OnEvent(PasswordResetEvents.TokenCreated, { suppressErrors: false })
  deliver(event: TokenCreatedEvent<User>): void {
    throw new Error(`550 mailbox unavailable for ${event.user.email}: link ?token=${event.token}`);
  }
}

/** Reads the stored hash while each reset event is handled, as a session-revoking listener would. */
@Injectable()
class StoredHashProbe {
  readonly seen: { event: string; hash: string | null }[] = [];
  constructor(private readonly dataSource: DataSource) {}

  @OnEvent(PasswordResetEvents.PreReset, { suppressErrors: false })
  async beforeReset(event: PreResetEvent<User>): Promise<void> {
    await this.record('pre', event.user.id);
  }

  @OnEvent(PasswordResetEvents.PostReset, { suppressErrors: false })
  async afterReset(event: PostResetEvent<User>): Promise<void> {
    await this.record('post', event.user.id);
  }

  private async record(event: string, id: number): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOneByOrFail({ id });
    this.seen.push({ event, hash: user.password });
  }
}

describe('events', () => {
  let t: TestApp;
  let logs: LogRecorder | undefined;
  const startApp = closingTestApps();
  afterEach(() => {
    if (logs) Logger.overrideLogger(false);
    logs = undefined;
  });

  /** Nest's static logger, which the module logs through, pointed at a recorder for this test. */
  function recordLogs(): LogRecorder {
    logs = new LogRecorder();
    Logger.overrideLogger(logs);
    return logs;
  }

  it('TokenCreated carries the user, the plaintext token, the row without it, the IP and the user agent', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    await request(t.server)
      .post(ROUTES.request)
      .set('User-Agent', 'ResetTest/1.0')
      .send({ email: 'jane@example.com' })
      .expect(200);
    await t.settle();

    expect(t.events.created).toHaveLength(1);
    const event = t.events.created[0];
    const [row] = await tokenRows(t);
    expect(event).toBeInstanceOf(TokenCreatedEvent);
    expect(event.user).toMatchObject({ id: user.id, email: 'jane@example.com', username: 'jane' });
    expect(event.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(event.resetToken).toMatchObject({
      id: row.id,
      userId: user.id,
      tokenDigest: row.tokenDigest,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      ipAddress: row.ipAddress,
      userAgent: 'ResetTest/1.0',
    });
    expect(JSON.stringify(event.resetToken)).not.toContain(event.token);
    expect(Object.values(event.resetToken)).not.toContain(event.token);
    expect(event.ipAddress).toBe(row.ipAddress);
    expect(event.ipAddress).not.toBeNull();
    expect(event.userAgent).toBe('ResetTest/1.0');
  });

  it('PreReset and PostReset carry the user and the token row; PostReset comes after the new hash is stored', async () => {
    t = await startApp({ providers: [StoredHashProbe] });
    const user = await createUser(t.dataSource);
    const oldHash = (await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id })).password;
    const token = await issueToken(t);
    const created = t.events.created[0].resetToken;
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);

    for (const events of [t.events.preReset, t.events.postReset]) {
      expect(events).toHaveLength(1);
      expect(events[0].user).toMatchObject({ id: user.id, email: 'jane@example.com' });
      expect(events[0].resetToken).toMatchObject({ id: created.id, userId: user.id, tokenDigest: created.tokenDigest });
      expect(JSON.stringify(events[0].resetToken)).not.toContain(token);
    }
    expect(t.events.preReset[0]).toBeInstanceOf(PreResetEvent);
    expect(t.events.postReset[0]).toBeInstanceOf(PostResetEvent);

    const probe = t.app.get(StoredHashProbe);
    expect(probe.seen.map((entry) => entry.event)).toEqual(['pre', 'post']);
    expect(probe.seen[0].hash).toBe(oldHash);
    expect(probe.seen[1].hash).not.toBe(oldHash);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  describe('a PreReset listener that throws', () => {
    it.each([
      ['a plain error: 500', new Error('account locked by compliance'), 500],
      ['an HttpException: its own answer', new ForbiddenException('Resets are frozen'), 403],
    ])('aborts the reset (%s), keeps the password and the token, which works afterwards', async (_, error, status) => {
      t = await startApp();
      const user = await createUser(t.dataSource);
      const token = await issueToken(t);
      t.events.vetoReset = error;

      await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(status);
      expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
      expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(false);
      expect(await tokenRows(t)).toHaveLength(1);
      expect(t.events.postReset).toHaveLength(0);

      t.events.vetoReset = undefined;
      await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
      await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
      expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    });
  });

  describe('a failing TokenCreated listener', () => {
    it.each([
      ['by default', {}],
      ['with noInformationLeakage: false', { noInformationLeakage: false }],
    ])('leaves the answer 200 and is logged without the token (%s)', async (_, options) => {
      t = await startApp({ options, providers: [RefusingMailer] });
      await createUser(t.dataSource);
      const logs = recordLogs();
      const answer = await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' });
      await t.settle();

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'OK' });
      const [event] = t.events.created;
      const errors = logs.lines('error');
      expect(errors).toEqual([expect.stringContaining('550 mailbox unavailable for jane@example.com')]);
      expect(errors[0]).toContain(PasswordResetEvents.TokenCreated);
      for (const line of logs.lines()) expect(line).not.toContain(event.token);
    });
  });

  describe('issueTokenFor(user)', () => {
    it('issues a token for a user the app picked, emits TokenCreated and replaces the earlier token', async () => {
      t = await startApp();
      const user = await createUser(t.dataSource);
      const earlier = await issueToken(t);
      const service = t.app.get(PasswordResetService);

      const issued = await service.issueTokenFor(user, { ipAddress: '203.0.113.7', userAgent: 'AdminConsole' });
      expect(t.events.created).toHaveLength(2);
      const event = t.events.created[1];
      expect(event.token).toBe(issued.token);
      expect(event.user).toMatchObject({ id: user.id });
      expect(event).toMatchObject({ ipAddress: '203.0.113.7', userAgent: 'AdminConsole' });

      const rows = await tokenRows(t);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: issued.resetToken.id, ipAddress: '203.0.113.7', userAgent: 'AdminConsole' });
      await request(t.server).post(ROUTES.validate).send({ token: earlier }).expect(404);
      await request(t.server).post(ROUTES.confirm).send({ token: issued.token, password: NEW_PASSWORD }).expect(200);
      expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    });

    it('rejects when a TokenCreated listener fails, so the caller knows delivery failed', async () => {
      t = await startApp({ providers: [RefusingMailer] });
      const user = await createUser(t.dataSource);
      await expect(t.app.get(PasswordResetService).issueTokenFor(user)).rejects.toThrow(/550 mailbox unavailable/);
    });
  });
});
