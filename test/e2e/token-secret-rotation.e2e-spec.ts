import { afterEach, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { PasswordResetModuleOptions, RandomNumberTokenGenerator } from '../../lib/index.js';
import { issueToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { describeWithSqlTokens } from '../fixtures/token-store.js';
import { createTestDatabase, TestDatabase } from '../fixtures/test-database.js';

const OLD_KEY = 'the-old-key-of-at-least-32-characters!!';
const NEW_KEY = 'the-new-key-of-at-least-32-characters!!';

/**
 * Rotation as the README describes it: a restart with [new, old] keeps every live token working and signs
 * new ones with the new key; a restart without the old key ends the old tokens. One database across restarts.
 */
describeWithSqlTokens(
  'the restarts share one database, and each test app keeps Redis tokens under a prefix of its own',
)('tokenSecret rotation', () => {
  let database: TestDatabase | undefined;
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await database?.drop();
    database = undefined;
  });

  async function restart(options: PasswordResetModuleOptions): Promise<TestApp> {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    database ??= await createTestDatabase(undefined, { shared: true });
    const app = await createTestApp({ database, options: { throttle: false, ...options } });
    apps.push(app);
    return app;
  }

  it.each([
    ['long tokens', {}, {}],
    ['account-bound codes', { tokenGenerator: new RandomNumberTokenGenerator() }, { email: 'jane@example.com' }],
  ])('keeps %s of the old key working beside the new one, then ends them', async (_kind, options, account) => {
    let t = await restart({ ...options, tokenSecret: OLD_KEY });
    const user = await createUser(t.dataSource);
    const oldToken = await issueToken(t);

    t = await restart({ ...options, tokenSecret: [NEW_KEY, OLD_KEY] });
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token: oldToken, ...account })
      .expect(200);
    // New tokens are signed with the first key.
    const newToken = await issueToken(t);
    const [row] = await tokenRows(t);
    const signed = Object.keys(account).length ? `${user.id}\u0000${newToken}` : newToken;
    expect(row.tokenDigest).toBe(createHmac('sha256', NEW_KEY).update(signed).digest('hex'));

    // The replaced old token is dead; issue an old-key token again to see the old key dropped.
    t = await restart({ ...options, tokenSecret: OLD_KEY });
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token: newToken, ...account })
      .expect(404);
    const another = await issueToken(t);
    t = await restart({ ...options, tokenSecret: NEW_KEY });
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token: another, ...account })
      .expect(404);

    t = await restart({ ...options, tokenSecret: [NEW_KEY, OLD_KEY] });
    const last = await issueToken(t);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token: last, password: NEW_PASSWORD, ...account })
      .expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });
});
