import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { User } from '../fixtures/user.entity.js';
import {
  closingTestApps,
  expireToken,
  INVALID_TOKEN_BODY,
  issueToken,
  NEW_PASSWORD,
  ROUTES,
} from '../fixtures/reset-requests.js';
import { createUser, TestApp, tokenRows } from '../fixtures/test-app.js';

describe('POST /password_reset/validate_token/', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  it('answers exactly {"status":"OK"} for a live token by default', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const token = await issueToken(t);
    const { text } = await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
    expect(text).toBe('{"status":"OK"}');
  });

  it('adds username and email with userDetailsOnValidation: true', async () => {
    t = await startApp({ options: { userDetailsOnValidation: true } });
    await createUser(t.dataSource, { email: 'Jane@Example.com' });
    const token = await issueToken(t, { email: 'jane@example.com' });
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token })
      .expect(200, { status: 'OK', username: 'jane', email: 'Jane@Example.com' });
  });

  it('accepts a token with the whitespace a copy-paste adds', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token: ` ${token}\n` })
      .expect(200);
  });

  it('does not consume the token', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
    expect(await tokenRows(t)).toHaveLength(1);
  });

  it('answers 404 for an expired token and deletes its row', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const token = await issueToken(t);
    const [row] = await tokenRows(t);
    await expireToken(t, row.id);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404, INVALID_TOKEN_BODY);
    expect(await tokenRows(t)).toHaveLength(0);
  });

  it("answers 404 for an inactive user's token but keeps it for when the account is reactivated", async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await t.dataSource.getRepository(User).update({ id: user.id }, { isActive: false });
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404, INVALID_TOKEN_BODY);
    expect(await tokenRows(t)).toHaveLength(1);
    await t.dataSource.getRepository(User).update({ id: user.id }, { isActive: true });
    await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
  });

  it.each([
    ['password', { password: '$2b$04$changedByTheProfilePageXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' }],
    ['email', { email: 'jane.new@example.com' }],
  ])("answers 404 once the user's %s changed by another route after issue", async (_, change) => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await t.dataSource.getRepository(User).update({ id: user.id }, change);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404, INVALID_TOKEN_BODY);
    // Deleted, not just refused: restoring the old credentials (say, from a backup) cannot bring it back.
    expect(await tokenRows(t)).toHaveLength(0);
    await t.dataSource.getRepository(User).update({ id: user.id }, { password: user.password, email: user.email });
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404, INVALID_TOKEN_BODY);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD })
      .expect(404, INVALID_TOKEN_BODY);
  });

  it('answers 404 once the user is deleted (the token goes with it)', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const token = await issueToken(t);
    await t.dataSource.getRepository(User).delete({ id: user.id });
    // SQL deletes it with the user (ON DELETE CASCADE). Redis knows no users: the token stays until its TTL
    // (validateToken does not delete a token whose user is gone), and a user who later gets the same id has
    // other credentials, so the fingerprint refuses it.
    if (t.tokens.store === 'database') expect(await tokenRows(t)).toHaveLength(0);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404, INVALID_TOKEN_BODY);
  });

  it('gives byte-identical 404 bodies for missing, malformed, expired, used and ineligible-user tokens', async () => {
    t = await startApp();
    const users = t.dataSource.getRepository(User);
    const bodies: Record<string, string> = {};
    const validate = async (name: string, token: string) => {
      const { text } = await request(t.server).post(ROUTES.validate).send({ token }).expect(404);
      bodies[name] = text;
    };

    await validate('missing', 'NoSuchTokenNoSuchTokenNoSuchTok1');
    await validate('malformed (too long)', 'A'.repeat(300));
    await validate('malformed (characters no generator makes)', '../../etc/passwd%00<script>');

    const jane = await createUser(t.dataSource);
    const expired = await issueToken(t);
    await expireToken(t, (await tokenRows(t))[0].id);
    await validate('expired', expired);

    const used = await issueToken(t);
    await request(t.server).post(ROUTES.confirm).send({ token: used, password: NEW_PASSWORD }).expect(200);
    await validate('used', used);

    const inactive = await issueToken(t);
    await users.update({ id: jane.id }, { isActive: false });
    await validate('ineligible user', inactive);

    expect(JSON.parse(bodies.missing)).toEqual(INVALID_TOKEN_BODY);
    for (const text of Object.values(bodies)) expect(text).toBe(bodies.missing);
    expect(Object.keys(bodies)).toHaveLength(6);
  });
});
