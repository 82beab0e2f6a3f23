import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Provider } from '@nestjs/common';
import { DataSource, ObjectLiteral } from 'typeorm';
import { PASSWORD_RESET_OPTIONS } from '../../lib/password-reset.constants.js';
import { User } from '../fixtures/user.entity.js';
import { PasswordResetUserStore, ResolvedPasswordResetOptions } from '../../lib/index.js';
import { ResetToken, TypeOrmUserStore } from '../../lib/typeorm.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';

const ATTEMPTS = 20;
const ROUNDS = 3;
const RACING_REQUESTS = 6;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(baseUrl: string, path: string, body: object): Promise<number> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Starts token requests for the account once a confirm has claimed its token (inside the password write), so
 * they race the password change and the confirm's final cleanup: some finish before it, some after.
 */
class RacingUserStore extends TypeOrmUserStore {
  start?: () => Promise<void>;
  readonly requests: Promise<void>[] = [];

  override async setPasswordHash(user: ObjectLiteral, passwordHash: string, session?: unknown): Promise<boolean> {
    const start = this.start;
    if (start) for (let i = 0; i < RACING_REQUESTS; i++) this.requests.push(delay(i).then(start));
    // Holding the write a moment lets the first requests read the account before the new hash.
    await delay(RACING_REQUESTS / 2);
    return super.setPasswordHash(user, passwordHash, session);
  }
}

const racingUserStore: Provider = {
  provide: PasswordResetUserStore,
  useFactory: (dataSource: DataSource, options: ResolvedPasswordResetOptions) =>
    new RacingUserStore(dataSource, { entity: User }, options),
  inject: [DataSource, PASSWORD_RESET_OPTIONS],
};

/** Single use and one live token per account, decided by the database under real concurrent HTTP requests. */
describe(`concurrency (${process.env.DB_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let baseUrl: string;
  let jane: ObjectLiteral;
  // Throttling would turn concurrent attempts into 429s: the database alone must decide here.
  beforeEach(async () => {
    t = await createTestApp({ options: { throttle: false }, extras: { extraProviders: [racingUserStore] } });
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
      expect(await tokenRows(t.dataSource)).toHaveLength(0);
      jane = await t.dataSource.getRepository('User').findOneByOrFail({ id: jane.id });
    }
  });

  it(`leaves one live token after ${ATTEMPTS} concurrent service.requestToken calls for one account`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: ATTEMPTS }, () => t.service.requestToken('jane@example.com')),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const rows = await tokenRows(t.dataSource);
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
    expect(await tokenRows(t.dataSource)).toHaveLength(1);
    const valid = await Promise.all(t.events.created.map(({ token }) => validate(token)));
    expect(valid.filter((status) => status === 200)).toHaveLength(1);
  });

  it('never leaves a token issued for the old password usable after a reset it raced', async () => {
    const racer = t.app.get(PasswordResetUserStore) as RacingUserStore;
    for (let round = 0; round < ROUNDS; round++) {
      const token = await issue();
      const oldHash = jane.password as string;
      const before = t.events.created.length;
      const password = `${NEW_PASSWORD}-${round}`;
      racer.start = () => t.service.requestToken('jane@example.com');
      expect(await post(baseUrl, ROUTES.confirm, { token, password })).toBe(200);
      await Promise.all(racer.requests.splice(0));
      expect(await passwordWorks(t.dataSource, jane.id, password)).toBe(true);

      jane = await t.dataSource.getRepository('User').findOneByOrFail({ id: jane.id });
      const created = t.events.created.slice(before);
      expect(created).toHaveLength(RACING_REQUESTS);
      // A request that read the account before the new hash was stored holds a dead token. One that read it
      // afterwards was asked for by someone who can read the new mail: the newest of those may stay live.
      const live: boolean[] = [];
      for (const event of created) {
        const status = await validate(event.token);
        if ((event.user as ObjectLiteral).password === oldHash) expect(status).toBe(404);
        else live.push(status === 200);
      }
      expect(live.filter(Boolean).length).toBeLessThanOrEqual(1);
      if (process.env.CONCURRENCY_REPORT) {
        console.log(
          `${t.engine}: ${created.length} racing requests, ${created.length - live.length} read the old password`,
        );
      }
      expect((await tokenRows(t.dataSource)).length).toBeLessThanOrEqual(1);
      await t.dataSource.getRepository(ResetToken).clear();
    }
  });
});
