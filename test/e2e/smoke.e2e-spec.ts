import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('runs the whole flow', async () => {
    const user = await createUser(t.dataSource);
    await request(t.server).post('/password_reset/').send({ email: 'jane@example.com' }).expect(200, { status: 'OK' });
    await t.settle();
    expect(t.events.created).toHaveLength(1);
    const { token } = t.events.created[0];
    const rows = await tokenRows(t);
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenDigest).not.toContain(token);
    await request(t.server).post('/password_reset/validate_token/').send({ token }).expect(200, { status: 'OK' });
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token, password: 'Tr1cky-new-passphrase' })
      .expect(200, { status: 'OK' });
    expect(await passwordWorks(t.dataSource, user.id, 'Tr1cky-new-passphrase')).toBe(true);
    expect(await tokenRows(t)).toHaveLength(0);
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token, password: 'Tr1cky-new-passphrase' })
      .expect(404);
  });
});
