import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { ObjectLiteral } from 'typeorm';
import { PasswordResetUserStore } from '../../lib/index.js';
import { TypeOrmUserStore } from '../../lib/typeorm.js';
import { Gate } from '../fixtures/gate.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';

const ATTEMPTS = 20;
const ROUNDS = 3;

async function post(baseUrl: string, path: string, body: object): Promise<number> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The default store, but a lookup can be held (after reading the account, before the token is written). */
@Injectable()
class HoldingUserStore extends TypeOrmUserStore {
  /** Each lookup waits here after reading the accounts, while the gate is closed. */
  afterLookup?: Gate;
  /** Called with the password hash each lookup read. */
  onLookup?: (passwordHash: string | null) => void;

  override async findByLookup(field: string, value: string): Promise<ObjectLiteral[]> {
    const users = await super.findByLookup(field, value);
    this.onLookup?.(users[0] ? this.getPasswordHash(users[0]) : null);
    await this.afterLookup?.pass();
    return users;
  }
}

/** Single use and one live token per account, decided by the database under real concurrent HTTP requests. */
describe(`concurrency (${process.env.DB_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let baseUrl: string;
  let jane: ObjectLiteral;
  // Throttling would turn concurrent attempts into 429s: the database alone must decide here.
  beforeEach(async () => {
    t = await createTestApp({
      options: { throttle: false },
      extras: { extraProviders: [{ provide: PasswordResetUserStore, useClass: HoldingUserStore }] },
    });
    baseUrl = await t.listen();
    jane = await createUser(t.dataSource);
  });
  afterEach(async () => t.close());

  const issue = async () => (await t.service.issueTokenFor(jane)).token;
  const validate = (token: string) => post(baseUrl, ROUTES.validate, { token });

  it(`gives exactly one 200 among ${ATTEMPTS} concurrent confirms of one token, and keeps the winner's password`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const token = await issue();
      const passwords = Array.from({ length: ATTEMPTS }, (_, i) => `${NEW_PASSWORD}-${round}-${i}`);
      const statuses = await Promise.all(
        passwords.map((password) => post(baseUrl, ROUTES.confirm, { token, password })),
      );

      const winners = statuses.flatMap((status, i) => (status === 200 ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(statuses.filter((status) => status === 404)).toHaveLength(ATTEMPTS - 1);
      for (const [i, password] of passwords.entries()) {
        expect(await passwordWorks(t.dataSource, jane.id, password)).toBe(i === winners[0]);
      }
      expect(t.events.postReset).toHaveLength(round + 1);
      expect(await tokenRows(t)).toHaveLength(0);
      jane = await t.dataSource.getRepository('User').findOneByOrFail({ id: jane.id });
    }
  });

  it(`leaves one live token after ${ATTEMPTS} concurrent service.requestToken calls for one account`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: ATTEMPTS }, () => t.service.requestToken('jane@example.com')),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const rows = await tokenRows(t);
    expect(rows).toHaveLength(1);
    const statuses = await Promise.all(t.events.created.map(({ token }) => validate(token)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  });

  it(`leaves one live token after ${ATTEMPTS} concurrent HTTP requests for one account`, async () => {
    const statuses = await Promise.all(
      Array.from({ length: ATTEMPTS }, () => post(baseUrl, ROUTES.request, { email: 'jane@example.com' })),
    );
    expect(statuses).toEqual(Array(ATTEMPTS).fill(200));
    await t.settle();
    expect(t.events.created).toHaveLength(ATTEMPTS);
    expect(await tokenRows(t)).toHaveLength(1);
    const valid = await Promise.all(t.events.created.map(({ token }) => validate(token)));
    expect(valid.filter((status) => status === 200)).toHaveLength(1);
  });

  // Deterministic: the racing request reads the account, then waits at the gate until the confirm has answered
  // (new hash stored, the user's tokens deleted) and only then writes its token, with the old credentials.
  it('never lets a request that read the account before a reset leave a usable token', async () => {
    const store = t.app.get(PasswordResetUserStore) as HoldingUserStore;
    const token = await issue();
    const oldHash = jane.password as string;
    const afterLookup = (store.afterLookup = new Gate());
    const racing = t.service.requestToken('jane@example.com');
    try {
      await afterLookup.reached;
      expect(await post(baseUrl, ROUTES.confirm, { token, password: NEW_PASSWORD })).toBe(200);
      expect(t.events.postReset).toHaveLength(1);
      expect(await tokenRows(t)).toHaveLength(0);
    } finally {
      afterLookup.open();
    }
    await racing;

    const [event] = t.events.created.slice(1);
    expect((event.user as ObjectLiteral).password).toBe(oldHash);
    // Its row outlived the confirm's cleanup: only the credential check can refuse it, and then deletes it.
    const rows = await tokenRows(t);
    expect(rows.map((row) => row.id)).toEqual([event.resetToken.id]);
    expect(await validate(event.token)).toBe(404);
    expect(await post(baseUrl, ROUTES.confirm, { token: event.token, password: 'Racing-passphrase-41' })).toBe(404);
    expect(await tokenRows(t)).toHaveLength(0);
    expect(await passwordWorks(t.dataSource, jane.id, NEW_PASSWORD)).toBe(true);

    // A request that reads the account after the reset was asked for by someone who can read the new mail.
    const [fresh] = await Promise.all([
      new Promise<string | null>((resolve) => (store.onLookup = resolve)),
      t.service.requestToken('jane@example.com'),
    ]);
    expect(fresh).not.toBe(oldHash);
    expect(await validate(t.events.created.at(-1)!.token)).toBe(200);
  });
});
