import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import request from 'supertest';
import { EntityManager } from 'typeorm';
import { PasswordResetEvents, ResetCommittingEvent } from '../../lib/index.js';
import { issueToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

const OLD_PASSWORD = 'correct horse battery';

/** Ends sessions the way an app would, through the reset's unit of work; fails while `failing` is set. */
@Injectable()
class SessionRevoker {
  failing = false;
  readonly seen: ResetCommittingEvent[] = [];

  @OnEvent(PasswordResetEvents.ResetCommitting, { suppressErrors: false })
  async revoke(event: ResetCommittingEvent<User>): Promise<void> {
    this.seen.push(event);
    // A write inside the transaction where there is one: it must go with the rest of the reset.
    if (event.session instanceof EntityManager) {
      await event.session.getRepository(User).update({ id: event.user.id }, { username: 'revoked' });
    }
    if (this.failing) throw new Error('the session store is down');
  }
}

/**
 * A review saw a PostReset session revocation fail while the API said 200 and the old session lived on.
 * ResetCommitting runs inside the reset: its failure undoes the reset on every store.
 */
describe.each([
  ['the TypeORM store (DB_ENGINE)', false],
  ['the Redis store', true],
])('ResetCommitting with %s', (_name, onRedis) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const start = (): Promise<TestApp> =>
    createTestApp({ providers: [SessionRevoker], tokenStore: onRedis ? 'redis' : 'database' });

  it('a failing step answers 5xx, leaves the password and the token as they were; the token then works', async () => {
    t = await start();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    const revoker = t.app.get(SessionRevoker);
    revoker.failing = true;

    const failed = await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(revoker.seen).toHaveLength(1);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(false);
    expect(t.events.postReset).toHaveLength(0);
    if (!onRedis) expect(await tokenRows(t)).toHaveLength(1);

    revoker.failing = false;
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(false);
    expect(t.events.postReset).toHaveLength(1);
    await request(t.server).post(ROUTES.confirm).send({ token, password: 'Another-new-passphrase-9' }).expect(404);
  });

  it('runs after the password is written, inside the transaction where the engine has one', async () => {
    t = await start();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    const revoker = t.app.get(SessionRevoker);
    revoker.failing = true;
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD });
    const [event] = revoker.seen;
    expect(event.user).toMatchObject({ id: user.id });
    const inTransaction = !onRedis && (t.engine === 'postgres' || t.engine === 'mariadb');
    expect(event.session instanceof EntityManager).toBe(inTransaction);
    // The listener's own write went with the rolled-back transaction.
    const stored = await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
    if (inTransaction) expect(stored.username).toBe('jane');
  });
});
