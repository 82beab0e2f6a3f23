import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { ObjectLiteral } from 'typeorm';
import { PasswordResetUserStore } from '../../lib/index.js';
import { TypeOrmUserStore } from '../../lib/typeorm.js';
import { EXPIRED_CLEANUP_INTERVAL_MS } from '../../lib/password-reset.service.js';
import {
  closingTestApps,
  expireToken,
  INVALID_TOKEN_BODY,
  issueToken,
  NEW_PASSWORD,
  requestTokens,
  ROUTES,
  tokenRowsOf,
} from '../fixtures/reset-requests.js';
import { Gate } from '../fixtures/gate.js';
import { createUser, passwordWorks, TestApp, TestAppOptions, tokenRows } from '../fixtures/test-app.js';
import { describeWithSqlTokens, itWithSqlTokens } from '../fixtures/token-store.js';
import { User } from '../fixtures/user.entity.js';

/** A store whose lookup matches every account, as a sloppy custom store might: only the service's check remains. */
@Injectable()
class MatchEveryoneUserStore extends TypeOrmUserStore {
  override async findByLookup(): Promise<ObjectLiteral[]> {
    return this.repository.find({ order: { id: 'ASC' } });
  }
}

/** The default store, but every lookup waits at `lookups` while a test holds it closed. */
@Injectable()
class GatedUserStore extends TypeOrmUserStore {
  lookups?: Gate;

  override async findByLookup(field: string, value: string): Promise<ObjectLiteral[]> {
    await this.lookups?.pass();
    return super.findByLookup(field, value);
  }
}

/** A response's headers in the order sent, without the named ones. */
function headersBut(headers: Record<string, string>, ...left: string[]): [string, string][] {
  return Object.entries(headers).filter(([name]) => !left.includes(name.toLowerCase()));
}

describe('POST /password_reset/ (request a token)', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  it('issues a token to a known active account and answers 200 {"status":"OK"}', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const created = await requestTokens(t, { email: 'jane@example.com' });
    expect(created).toHaveLength(1);
    expect(created[0].user).toMatchObject({ id: user.id, email: 'jane@example.com' });
    const rows = await tokenRows(t);
    expect(rows).toHaveLength(1);
    expect(rows[0].userId).toEqual(user.id);
  });

  describe.each([
    ['an unknown account', null],
    ['an inactive account', { isActive: false }],
    ['a password-less account', { plainPassword: null }],
    ['an account marked unusable ("!" hash, as Django does)', { password: '!unusable' }],
  ])('%s', (_, account) => {
    it('gets the same 200 body as a known one, no event and no row', async () => {
      t = await startApp();
      await createUser(t.dataSource, { email: 'known@example.com', username: 'known' });
      if (account) await createUser(t.dataSource, { ...account, email: 'jane@example.com' });
      const known = await request(t.server).post(ROUTES.request).send({ email: 'known@example.com' }).expect(200);
      await t.settle();
      const before = t.events.created.length;

      const answer = await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(200);
      await t.settle();
      expect(answer.text).toBe(known.text);
      expect(answer.body).toEqual({ status: 'OK' });
      // Every header alike too (names, order and values), but the clock's: `date` is the only one that may differ.
      expect(headersBut(answer.headers, 'date')).toEqual(headersBut(known.headers, 'date'));
      expect(t.events.created.length).toBe(before);
      expect(await tokenRows(t)).toHaveLength(1);
    });
  });

  // Response time must not tell whether an account exists: the lookup, issue and emit all run after the answer.
  it('answers before it looks the account up, stores or emits anything', async () => {
    t = await startApp({ extras: { extraProviders: [{ provide: PasswordResetUserStore, useClass: GatedUserStore }] } });
    await createUser(t.dataSource);
    const lookups = new Gate();
    (t.app.get(PasswordResetUserStore) as GatedUserStore).lookups = lookups;
    try {
      // A controller that awaited the token work would never answer while the lookup is held.
      const answer = await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).timeout(3000);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'OK' });
      await lookups.reached;
      expect(lookups.waiting).toBe(1);
      expect(t.events.created).toHaveLength(0);
      expect(await tokenRows(t)).toHaveLength(0);
    } finally {
      lookups.open();
    }
    await t.settle();
    expect(t.events.created).toHaveLength(1);
    expect(await tokenRows(t)).toHaveLength(1);
  });

  describe('with noInformationLeakage: false', () => {
    it("answers 400 with Nest's body for an unknown or inactive account, and 200 for a known one", async () => {
      t = await startApp({ options: { noInformationLeakage: false } });
      await createUser(t.dataSource);
      await createUser(t.dataSource, { email: 'off@example.com', username: 'off', isActive: false });

      for (const email of ['nobody@example.com', 'off@example.com']) {
        const { body } = await request(t.server).post(ROUTES.request).send({ email }).expect(400);
        expect(body).toEqual({
          statusCode: 400,
          message: ["We couldn't find an account associated with that email. Please try a different email."],
          error: 'Bad Request',
        });
      }
      expect(await tokenRows(t)).toHaveLength(0);

      await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(200, { status: 'OK' });
      // Not deferred in this mode: the token exists once the answer is in.
      expect(t.events.created).toHaveLength(1);
      expect(await tokenRows(t)).toHaveLength(1);
    });
  });

  it('lets a password-less account reset with requireUsablePassword: false', async () => {
    t = await startApp({ options: { requireUsablePassword: false } });
    const user = await createUser(t.dataSource, { plainPassword: null });
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('replaces the earlier token on a repeat request: one row, the old token dead, the new one live', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const first = await issueToken(t);
    const second = await issueToken(t);
    expect(second).not.toBe(first);
    expect(await tokenRowsOf(t, user.id)).toHaveLength(1);
    await request(t.server).post(ROUTES.validate).send({ token: first }).expect(404, INVALID_TOKEN_BODY);
    await request(t.server).post(ROUTES.validate).send({ token: second }).expect(200, { status: 'OK' });
  });

  itWithSqlTokens('row ids are SQL')(
    'replaces a token in place: repeat requests use up no row ids (PostgreSQL draws one per INSERT attempt)',
    async () => {
      t = await startApp();
      const jane = await createUser(t.dataSource);
      const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
      for (let i = 0; i < 3; i++) await issueToken(t);
      await issueToken(t, { email: 'john@example.com' });
      const [janes] = await tokenRowsOf(t, jane.id);
      const [johns] = await tokenRowsOf(t, john.id);
      expect(johns.id).toBe(Number(janes.id) + 1);
    },
  );

  it('gives two users a token each', async () => {
    t = await startApp();
    const jane = await createUser(t.dataSource);
    const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
    const janes = await issueToken(t, { email: 'jane@example.com' });
    const johns = await issueToken(t, { email: 'john@example.com' });
    expect(await tokenRowsOf(t, jane.id)).toHaveLength(1);
    expect(await tokenRowsOf(t, john.id)).toHaveLength(1);
    await request(t.server).post(ROUTES.confirm).send({ token: janes, password: NEW_PASSWORD }).expect(200);
    await request(t.server).post(ROUTES.validate).send({ token: johns }).expect(200);
    expect(await passwordWorks(t.dataSource, john.id, NEW_PASSWORD)).toBe(false);
  });

  it('looks accounts up ignoring case and trims the value, but addresses the stored account', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource, { email: 'Jane.Doe@Example.com' });
    const created = await requestTokens(t, { email: '  jane.doe@EXAMPLE.COM ' });
    expect(created).toHaveLength(1);
    expect(created[0].user).toMatchObject({ id: user.id, email: 'Jane.Doe@Example.com' });
  });

  describe('two accounts whose emails differ only in case', () => {
    async function setup(dupActive = true) {
      t = await startApp();
      const upper = await createUser(t.dataSource, { email: 'Dup@example.com', username: 'upper' });
      const lower = await createUser(t.dataSource, {
        email: 'dup@example.com',
        username: 'lower',
        isActive: dupActive,
      });
      return { upper, lower };
    }

    it('each get their own token, addressed to the stored account', async () => {
      const { upper, lower } = await setup();
      const created = await requestTokens(t, { email: 'DUP@EXAMPLE.COM' });
      expect(created.map((event) => [event.user, event.resetToken.userId])).toEqual(
        expect.arrayContaining([
          [expect.objectContaining({ id: upper.id, email: 'Dup@example.com' }), upper.id],
          [expect.objectContaining({ id: lower.id, email: 'dup@example.com' }), lower.id],
        ]),
      );
      expect(created).toHaveLength(2);

      const upperToken = created.find((event) => (event.user as User).id === upper.id)!.token;
      await request(t.server).post(ROUTES.confirm).send({ token: upperToken, password: NEW_PASSWORD }).expect(200);
      expect(await passwordWorks(t.dataSource, upper.id, NEW_PASSWORD)).toBe(true);
      expect(await passwordWorks(t.dataSource, lower.id, NEW_PASSWORD)).toBe(false);
      expect(await tokenRowsOf(t, lower.id)).toHaveLength(1);
    });

    it('are judged each on their own: an inactive twin gets nothing', async () => {
      const { upper } = await setup(false);
      const created = await requestTokens(t, { email: 'dup@example.com' });
      expect(created).toHaveLength(1);
      expect(created[0].user).toMatchObject({ id: upper.id, email: 'Dup@example.com' });
      expect((await tokenRows(t)).map((row) => row.userId)).toEqual([upper.id]);
    });
  });

  describe('look-alike Unicode addresses (CVE-2019-19844)', () => {
    const lookAlikes = [
      ['dotless ı', 'mıke@example.org'],
      ['dotted İ', 'MİKE@example.org'],
      ['Cyrillic ѕ in the local part', 'ѕam@example.org'],
      ['Cyrillic ѕ twice', 'ѕamѕ@example.org'],
      ['Cyrillic і', 'mіke@example.org'],
    ];

    async function setup(loose: boolean) {
      t = await startApp({
        extras: loose
          ? { extraProviders: [{ provide: PasswordResetUserStore, useClass: MatchEveryoneUserStore }] }
          : {},
      });
      await createUser(t.dataSource, { email: 'mike@example.org', username: 'mike' });
      await createUser(t.dataSource, { email: 'sam@example.org', username: 'sam' });
      await createUser(t.dataSource, { email: 'sams@example.org', username: 'sams' });
    }

    it.each(lookAlikes)('%s: 200, no token, no event', async (_, email) => {
      await setup(false);
      expect(await requestTokens(t, { email })).toHaveLength(0);
      expect(await tokenRows(t)).toHaveLength(0);
    });

    it.each(lookAlikes)('%s: refused even when the user store returns every account', async (_, email) => {
      await setup(true);
      expect(await requestTokens(t, { email })).toHaveLength(0);
      expect(await tokenRows(t)).toHaveLength(0);
    });

    it('still matches the real address, in any case, through that store', async () => {
      await setup(true);
      const created = await requestTokens(t, { email: 'MIKE@example.org' });
      expect(created.map((event) => (event.user as User).email)).toEqual(['mike@example.org']);
    });
  });

  // Redis drops expired keys itself: its deleteExpired finds nothing, so there is no purge to watch.
  describeWithSqlTokens('Redis expires tokens itself')('expired tokens', () => {
    // The request path's cleanup interval is read from Date.now(): a clock the test moves (and that stands still
    // otherwise) makes "within the interval" and "after it" exact, however slow the engine or the machine.
    let now: number;
    const advanceClock = (ms: number) => (now += ms);
    beforeEach(() => {
      now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now);
    });
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('are purged by requests, cleanupBatchSize per request while batches come back full, and live ones stay', async () => {
      t = await startApp({ options: { cleanupBatchSize: 2 } });
      for (let i = 0; i < 5; i++) await createUser(t.dataSource, { email: `old${i}@example.com`, username: `old${i}` });
      const live = await createUser(t.dataSource, { email: 'live@example.com', username: 'live' });
      for (let i = 0; i < 5; i++) await issueToken(t, { email: `old${i}@example.com` });
      await issueToken(t, { email: 'live@example.com' });
      for (const row of await tokenRows(t)) {
        if (row.userId !== live.id) await expireToken(t, row.id);
      }
      expect(await tokenRows(t)).toHaveLength(6);
      // The requests above found nothing expired: the next look comes after the interval.
      advanceClock(EXPIRED_CLEANUP_INTERVAL_MS);

      await requestTokens(t, { email: 'nobody@example.com' });
      expect(await tokenRows(t)).toHaveLength(4);
      await requestTokens(t, { email: 'nobody@example.com' });
      expect(await tokenRows(t)).toHaveLength(2);
      await requestTokens(t, { email: 'nobody@example.com' });
      const left = await tokenRows(t);
      expect(left.map((row) => row.userId)).toEqual([live.id]);
    });

    it('are looked for at most once per interval after a batch that was not full', async () => {
      t = await startApp({ options: { cleanupBatchSize: 2 } });
      const user = await createUser(t.dataSource);
      await issueToken(t);
      const [row] = await tokenRows(t);
      await expireToken(t, row.id);
      advanceClock(EXPIRED_CLEANUP_INTERVAL_MS);

      await requestTokens(t, { email: 'nobody@example.com' });
      expect(await tokenRows(t)).toHaveLength(0);
      await issueToken(t);
      const [next] = await tokenRows(t);
      await expireToken(t, next.id);
      advanceClock(EXPIRED_CLEANUP_INTERVAL_MS - 1);
      await requestTokens(t, { email: 'nobody@example.com' });
      expect((await tokenRows(t)).map((left) => left.userId)).toEqual([user.id]);

      advanceClock(1);
      await requestTokens(t, { email: 'nobody@example.com' });
      expect(await tokenRows(t)).toHaveLength(0);
    });

    it('leave fresh tokens of other users alone', async () => {
      t = await startApp();
      const jane = await createUser(t.dataSource);
      const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
      const janes = await issueToken(t);
      await issueToken(t, { email: 'john@example.com' });
      const [johns] = await tokenRowsOf(t, john.id);
      await expireToken(t, johns.id);
      advanceClock(EXPIRED_CLEANUP_INTERVAL_MS);

      await requestTokens(t, { email: 'nobody@example.com' });
      expect((await tokenRows(t)).map((row) => row.userId)).toEqual([jane.id]);
      await request(t.server).post(ROUTES.validate).send({ token: janes }).expect(200);
    });
  });

  describe('client details', () => {
    async function issued(setup: TestAppOptions, headers: Record<string, string> = {}) {
      t = await startApp(setup);
      await createUser(t.dataSource);
      const before = t.events.created.length;
      await request(t.server).post(ROUTES.request).set(headers).send({ email: 'jane@example.com' }).expect(200);
      await t.settle();
      const [event] = t.events.created.slice(before);
      const [row] = await tokenRows(t);
      return { event, row };
    }

    it('stores the socket address by default, and passes it to listeners', async () => {
      const { event, row } = await issued({}, { 'x-forwarded-for': '1.1.1.1' });
      expect(['127.0.0.1', '::ffff:127.0.0.1', '::1']).toContain(row.ipAddress);
      expect(event.ipAddress).toBe(row.ipAddress);
      expect(event.resetToken.ipAddress).toBe(row.ipAddress);
    });

    it('takes the first address of ipAddressHeader', async () => {
      const { event, row } = await issued(
        { options: { ipAddressHeader: 'x-forwarded-for' } },
        { 'X-Forwarded-For': '1.1.1.1, 2.2.2.2' },
      );
      expect(row.ipAddress).toBe('1.1.1.1');
      expect(event.ipAddress).toBe('1.1.1.1');
    });

    it('stores an IPv6 address from the header', async () => {
      const { row } = await issued({ options: { ipAddressHeader: 'x-real-ip' } }, { 'X-Real-IP': '2001:db8::1' });
      expect(row.ipAddress).toBe('2001:db8::1');
    });

    it.each([
      ['not an address', 'attacker.example'],
      ['SQL', "1.1.1.1' OR 1=1 --"],
      ['a too long value', '1'.repeat(80)],
    ])('stores null for %s in ipAddressHeader', async (_, value) => {
      const { event, row } = await issued(
        { options: { ipAddressHeader: 'x-forwarded-for' } },
        { 'X-Forwarded-For': value },
      );
      expect(row.ipAddress).toBeNull();
      expect(event.ipAddress).toBeNull();
    });

    it('stores the user agent, cut to 512 characters', async () => {
      const agent = `Mozilla/5.0 ${'x'.repeat(600)}`;
      const { event, row } = await issued({}, { 'User-Agent': agent });
      expect(row.userAgent).toBe(agent.slice(0, 512));
      expect(event.userAgent).toBe(agent.slice(0, 512));
    });

    it('reads the user agent from userAgentHeader', async () => {
      const { event, row } = await issued(
        { options: { userAgentHeader: 'x-client-agent' } },
        { 'User-Agent': 'ignored', 'X-Client-Agent': 'MobileApp/3.1' },
      );
      expect(row.userAgent).toBe('MobileApp/3.1');
      expect(event.userAgent).toBe('MobileApp/3.1');
    });
  });
});
