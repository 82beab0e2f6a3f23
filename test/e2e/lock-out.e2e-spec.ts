import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_RATE_LIMITS, RandomNumberTokenGenerator } from '../../lib/index.js';
import { NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';

const SECRET = 'a-server-secret-of-at-least-32-characters!';
const VICTIM = 'jane@example.com';
const ATTACKER_IP = '203.0.113.66';
const OWNER_IP = '198.51.100.7';

/**
 * The review locked a victim out of reset with 4 requests and 5 wrong guesses an hour, from one address: the
 * per-account request limit then kept the owner from getting a new code, and every mailed code was dead. Here
 * the attacker spends everything the default limits allow from one client, and the owner, at another, still
 * gets a fresh code and resets.
 */
describe('account-bound codes: no lock-out at the default limits', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const from = (ip: string, route: string, body: object) =>
    request(t.server).post(route).set('X-Forwarded-For', ip).send(body);

  it('lets the owner, at another address, get and use a fresh code after the attacker spent every limit', async () => {
    t = await createTestApp({
      options: {
        tokenGenerator: new RandomNumberTokenGenerator(),
        tokenSecret: SECRET,
        // How tests pick the client address: the module reads it from this header (a proxy would set it).
        ipAddressHeader: 'x-forwarded-for',
      },
    });
    const user = await createUser(t.dataSource);

    // The attacker: every request the per-client limit allows, all for the victim...
    for (let i = 0; i < DEFAULT_RATE_LIMITS.request.limit; i++) {
      await from(ATTACKER_IP, ROUTES.request, { email: VICTIM }).expect(200);
    }
    await from(ATTACKER_IP, ROUTES.request, { email: VICTIM }).expect(429);
    await t.settle();
    const mailed = t.events.created.map((event) => event.token);
    expect(mailed).toHaveLength(DEFAULT_RATE_LIMITS.accountPerClient.limit);

    // ...then every validate/confirm call its limit allows, with wrong codes: the live code is revoked.
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_RATE_LIMITS.token.limit; i++) {
      const guess = String(100000 + i);
      if (mailed.includes(guess)) continue;
      const answer =
        i % 2
          ? await from(ATTACKER_IP, ROUTES.confirm, { token: guess, email: VICTIM, password: NEW_PASSWORD })
          : await from(ATTACKER_IP, ROUTES.validate, { token: guess, email: VICTIM });
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status === 404)).toHaveLength(DEFAULT_RATE_LIMITS.guess.limit);
    expect(statuses.filter((status) => status !== 404).every((status) => status === 429)).toBe(true);
    expect(await tokenRows(t)).toHaveLength(0);
    await from(OWNER_IP, ROUTES.validate, { token: mailed.at(-1), email: VICTIM }).expect(404);

    // The owner, minutes later, at home: a fresh code arrives...
    await from(OWNER_IP, ROUTES.request, { email: VICTIM }).expect(200);
    await t.settle();
    expect(t.events.created).toHaveLength(mailed.length + 1);
    const fresh = t.events.created.at(-1)!.token;
    // ...which the attacker can no longer guess at...
    await from(ATTACKER_IP, ROUTES.validate, { token: '999999', email: VICTIM }).expect(429);
    expect((await tokenRows(t))[0].failedAttempts).toBe(0);
    // ...and which resets the password.
    await from(OWNER_IP, ROUTES.validate, { token: fresh, email: VICTIM }).expect(200);
    await from(OWNER_IP, ROUTES.confirm, { token: fresh, email: VICTIM, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('still caps the mail to one address over all clients (account), and each client at its share', async () => {
    t = await createTestApp({
      options: {
        tokenGenerator: new RandomNumberTokenGenerator(),
        tokenSecret: SECRET,
        ipAddressHeader: 'x-forwarded-for',
      },
    });
    await createUser(t.dataSource);
    const perClient = DEFAULT_RATE_LIMITS.accountPerClient.limit;
    const clients = Math.ceil(DEFAULT_RATE_LIMITS.account.limit / perClient) + 1;
    for (let c = 0; c < clients; c++) {
      for (let i = 0; i < perClient + 2; i++) {
        await from(`192.0.2.${c + 1}`, ROUTES.request, { email: VICTIM }).expect(200);
      }
    }
    await t.settle();
    expect(t.events.created).toHaveLength(DEFAULT_RATE_LIMITS.account.limit);
  });
});
