import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { databaseState, issueToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp } from '../fixtures/test-app.js';

describe('HTTP contract', () => {
  let t: TestApp;
  let userId: number;
  beforeEach(async () => {
    t = await createTestApp();
    userId = (await createUser(t.dataSource)).id as number;
  });
  afterEach(async () => t.close());

  it('accepts application/x-www-form-urlencoded bodies on all three routes', async () => {
    await request(t.server)
      .post(ROUTES.request)
      .type('form')
      .send('email=jane%40example.com')
      .expect(200, { status: 'OK' });
    await t.settle();
    const { token } = t.events.created[0];
    await request(t.server).post(ROUTES.validate).type('form').send({ token }).expect(200, { status: 'OK' });
    await request(t.server)
      .post(ROUTES.confirm)
      .type('form')
      .send(`token=${token}&password=${encodeURIComponent('new pass+word & more')}`)
      .expect(200, { status: 'OK' });
    expect(await passwordWorks(t.dataSource, userId, 'new pass+word & more')).toBe(true);
  });

  it('serves every route with and without the trailing slash', async () => {
    for (const route of ['/password_reset', '/password_reset/']) {
      await request(t.server).post(route).send({ email: 'jane@example.com' }).expect(200, { status: 'OK' });
      // One request's deferred work at a time: two racing ones may emit out of the order they wrote.
      await t.settle();
    }
    const { token } = t.events.created[1];
    for (const route of ['/password_reset/validate_token', '/password_reset/validate_token/']) {
      await request(t.server).post(route).send({ token }).expect(200, { status: 'OK' });
    }
    await request(t.server).post('/password_reset/confirm').send({ token, password: NEW_PASSWORD }).expect(200);
    const next = await issueToken(t);
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token: next, password: `${NEW_PASSWORD}-2` })
      .expect(200);
    expect(await passwordWorks(t.dataSource, userId, `${NEW_PASSWORD}-2`)).toBe(true);
  });

  it.each(Object.entries(ROUTES))("answers GET %s with Nest's 404", async (_, route) => {
    const { body } = await request(t.server).get(route).expect(404);
    expect(body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  describe('refuses malformed input with 400 and changes nothing', () => {
    let token: string;
    beforeEach(async () => {
      token = await issueToken(t);
    });

    /** Sends a bad body and checks the 400, and that no row, password or event changed. */
    async function refused(route: string, send: (test: request.Test) => request.Test): Promise<request.Response> {
      const before = await databaseState(t);
      const events = t.events.created.length + t.events.preReset.length;
      const answer = await send(request(t.server).post(route));
      await t.settle();
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400 });
      expect(await databaseState(t)).toEqual(before);
      expect(t.events.created.length + t.events.preReset.length).toBe(events);
      return answer;
    }

    const notObjects: [string, string][] = [
      ['an array', '[{"email":"jane@example.com"}]'],
      ['an empty array', '[]'],
      ['a string', '"jane@example.com"'],
      ['a number', '42'],
      ['null', 'null'],
      ['broken JSON', '{"email": "jane@example.com"'],
    ];

    it.each(Object.entries(ROUTES))('%s: bodies that are not objects', async (_, route) => {
      for (const [, raw] of notObjects) {
        await refused(route, (test) => test.set('Content-Type', 'application/json').send(raw));
      }
      await refused(route, (test) => test.set('Content-Type', 'text/plain').send('email=jane@example.com'));
    });

    it('request: wrong types, missing, empty and extra fields, and a value that is no email', async () => {
      for (const email of [5, true, ['jane@example.com'], { address: 'jane@example.com' }, null]) {
        const { body } = await refused(ROUTES.request, (test) => test.send({ email }));
        expect(body.message).toEqual([expect.stringMatching(/^email (must be a string|should not be empty)$/)]);
      }
      for (const email of ['', '   ', 'not-an-email', `${'a'.repeat(250)}@example.com`]) {
        await refused(ROUTES.request, (test) => test.send({ email }));
      }
      const missing = await refused(ROUTES.request, (test) => test.send({}));
      expect(missing.body.message).toEqual(['email should not be empty']);
      const extra = await refused(ROUTES.request, (test) => test.send({ email: 'jane@example.com', isAdmin: true }));
      expect(extra.body.message).toEqual(['property isAdmin should not exist']);
      await refused(ROUTES.request, (test) =>
        test.set('Content-Type', 'application/json').send('{"email":"jane@example.com","__proto__":{"x":1}}'),
      );
      await refused(ROUTES.request, (test) =>
        test.type('form').send('email=jane%40example.com&email=john%40example.com'),
      );
    });

    it('validate: wrong types, missing and extra fields', async () => {
      for (const body of [{ token: 12345 }, { token: [token] }, { token: { $ne: null } }, {}, { token: '  ' }]) {
        await refused(ROUTES.validate, (test) => test.send(body));
      }
      const extra = await refused(ROUTES.validate, (test) => test.send({ token, email: 'jane@example.com' }));
      expect(extra.body.message).toEqual(['property email should not exist']);
    });

    it('confirm: wrong types, missing and extra fields, even with a live token', async () => {
      const bodies = [
        { token, password: 12345678 },
        { token, password: [NEW_PASSWORD] },
        { token: [token], password: NEW_PASSWORD },
        { token },
        { password: NEW_PASSWORD },
        { token, password: '' },
        { token, password: NEW_PASSWORD, userId: 2 },
      ];
      for (const body of bodies) await refused(ROUTES.confirm, (test) => test.send(body));
      expect(await passwordWorks(t.dataSource, userId, NEW_PASSWORD)).toBe(false);
      // The token survived every refused attempt.
      await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    });
  });
});
