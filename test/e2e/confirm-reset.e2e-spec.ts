import { describe, expect, it } from '@jest/globals';
import { Provider } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { DataSource, ObjectLiteral } from 'typeorm';
import { PASSWORD_RESET_OPTIONS } from '../../lib/password-reset.constants.js';
import { TypeOrmUserStore } from '../../lib/typeorm.js';
import request from 'supertest';
import {
  BcryptPasswordHasher,
  PasswordHasher,
  PasswordResetUserStore,
  ResolvedPasswordResetOptions,
} from '../../lib/index.js';
import {
  closingTestApps,
  expireToken,
  INVALID_TOKEN_BODY,
  issueToken,
  NEW_PASSWORD,
  ROUTES,
  tokenRowsOf,
} from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TEST_BCRYPT_COST, TestApp, tokenRows } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

const OLD_PASSWORD = 'correct horse battery';

/** bcrypt at the suite's cost, running `beforeHash` first: a hook between a confirm's validate and its claim. */
class HookedHasher extends BcryptPasswordHasher {
  beforeHash?: () => Promise<void>;

  override async hash(password: string): Promise<string> {
    const hook = this.beforeHash;
    this.beforeHash = undefined;
    await hook?.();
    return super.hash(password);
  }
}

/** A user store whose password write fails once, after the token was claimed. */
class FailingWriteUserStore extends TypeOrmUserStore {
  failNext = false;

  override async setPasswordHash(user: ObjectLiteral, passwordHash: string, session?: unknown): Promise<boolean> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('the users table is unavailable');
    }
    return super.setPasswordHash(user, passwordHash, session);
  }
}

describe('POST /password_reset/confirm/', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  it("sets the new password, removes the user's token and leaves other users' tokens", async () => {
    t = await startApp();
    const jane = await createUser(t.dataSource);
    const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
    const token = await issueToken(t);
    const johns = await issueToken(t, { email: 'john@example.com' });

    const { text } = await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(text).toBe('{"status":"OK"}');
    expect(await passwordWorks(t.dataSource, jane.id, NEW_PASSWORD)).toBe(true);
    expect(await passwordWorks(t.dataSource, jane.id, OLD_PASSWORD)).toBe(false);
    expect(await tokenRowsOf(t, jane.id)).toHaveLength(0);
    expect(await tokenRowsOf(t, john.id)).toHaveLength(1);
    await request(t.server).post(ROUTES.validate).send({ token: johns }).expect(200);
  });

  it('hashes the new password at the configured bcryptCost', async () => {
    t = await startApp({ options: { bcryptCost: 5 } });
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    const { password } = await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
    expect(password).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  // A new request replaces the token row in place (same id, new digest): the claim must check the digest too.
  it('answers 404 when a new request replaced the token between validate and claim, and the new token lives', async () => {
    const hasher = new HookedHasher({ cost: TEST_BCRYPT_COST });
    t = await startApp({ extras: { extraProviders: [{ provide: PasswordHasher, useValue: hasher }] } });
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    const [before] = await tokenRows(t);
    hasher.beforeHash = () => t.service.requestToken('jane@example.com');

    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD })
      .expect(404, INVALID_TOKEN_BODY);
    expect(hasher.beforeHash).toBeUndefined();
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
    expect(t.events.created).toHaveLength(2);
    const [replaced] = await tokenRows(t);
    // The table replaces in place, so the row id alone cannot tell the tokens apart (Redis draws a new id).
    if (t.tokens.store === 'database') expect(replaced.id).toBe(before.id);
    expect(replaced.tokenDigest).not.toBe(before.tokenDigest);
    await request(t.server).post(ROUTES.validate).send({ token: t.events.created[1].token }).expect(200);
  });

  it('answers 404 to a used token and keeps the password set with it', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: 'Another-fresh-passphrase-9' })
      .expect(404, INVALID_TOKEN_BODY);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('answers 404 to an expired token, deletes it and keeps the password', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await expireToken(t, (await tokenRows(t))[0].id);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD })
      .expect(404, INVALID_TOKEN_BODY);
    expect(await tokenRows(t)).toHaveLength(0);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
  });

  it("answers 404 to an inactive user's token, keeps the token and the password", async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await t.dataSource.getRepository(User).update({ id: user.id }, { isActive: false });
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD })
      .expect(404, INVALID_TOKEN_BODY);
    expect(await tokenRows(t)).toHaveLength(1);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(false);
  });

  it('answers 404 to an unknown or malformed token without touching any account', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    await issueToken(t);
    for (const token of ['NoSuchTokenNoSuchTokenNoSuchTok1', 'A'.repeat(300)]) {
      await request(t.server)
        .post(ROUTES.confirm)
        .send({ token, password: NEW_PASSWORD })
        .expect(404, INVALID_TOKEN_BODY);
    }
    expect(await tokenRows(t)).toHaveLength(1);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
  });

  it('lets exactly one of 10 parallel confirms of one token win', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    const passwords = Array.from({ length: 10 }, (_, i) => `Parallel-passphrase-${i}-zq`);
    const answers = await Promise.all(
      passwords.map((password) => request(t.server).post(ROUTES.confirm).send({ token, password })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(9);
    const winner = passwords[statuses.indexOf(200)];
    expect(await passwordWorks(t.dataSource, user.id, winner)).toBe(true);
    expect(t.events.postReset).toHaveLength(1);
    expect(await tokenRows(t)).toHaveLength(0);
  });
  it('does not overwrite a password another route set while the confirm was under way: 404', async () => {
    const hasher = new HookedHasher({ cost: TEST_BCRYPT_COST });
    t = await startApp({ extras: { extraProviders: [{ provide: PasswordHasher, useValue: hasher }] } });
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    // The app's own "change password" route, while the confirm is between its checks and its write.
    hasher.beforeHash = async () => {
      const elsewhere = await bcrypt.hash('Changed-on-the-settings-page-7', TEST_BCRYPT_COST);
      await t.dataSource.getRepository(User).update({ id: user.id }, { password: elsewhere });
    };
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD })
      .expect(404, INVALID_TOKEN_BODY);
    expect(await passwordWorks(t.dataSource, user.id, 'Changed-on-the-settings-page-7')).toBe(true);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(false);
    expect(t.events.postReset).toHaveLength(0);
  });

  it('keeps the token when the password write fails after the claim, so the same link works again', async () => {
    const store: Provider = {
      provide: PasswordResetUserStore,
      useFactory: (dataSource: DataSource, options: ResolvedPasswordResetOptions) =>
        new FailingWriteUserStore(dataSource, { entity: User }, options),
      inject: [DataSource, PASSWORD_RESET_OPTIONS],
    };
    t = await startApp({ extras: { extraProviders: [store] } });
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    (t.app.get(PasswordResetUserStore) as FailingWriteUserStore).failNext = true;
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(500);
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
    expect(await tokenRowsOf(t, user.id)).toHaveLength(1);
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });
});
