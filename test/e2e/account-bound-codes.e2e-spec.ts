import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import request from 'supertest';
import { BaseTokenGenerator, RandomNumberTokenGenerator } from '../../lib/index.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';

const SECRET = 'a-server-secret-of-at-least-32-characters!';

/** Every user gets the same code, to prove codes may repeat across accounts. */
class FixedCodeGenerator extends BaseTokenGenerator {
  readonly entropyBits = 20;
  generateToken(): string {
    return '424242';
  }
}

/** Hands out 111111, 222222, … in turn, so two accounts get different, known codes. */
class SequenceCodeGenerator extends BaseTokenGenerator {
  readonly entropyBits = 20;
  private issued = 0;
  generateToken(): string {
    return String(++this.issued).repeat(6);
  }
}

describe('account-bound codes (short tokens)', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const codeOptions = {
    tokenGenerator: new RandomNumberTokenGenerator(),
    tokenSecret: SECRET,
    throttle: false as const,
  };

  async function requestCode(email: string): Promise<string> {
    const before = t.events.created.length;
    await request(t.server).post('/password_reset/').send({ email }).expect(200);
    await t.settle();
    expect(t.events.created).toHaveLength(before + 1);
    return t.events.created[before].token;
  }

  it('refuses to start without a tokenSecret, naming it', async () => {
    await expect(createTestApp({ options: { tokenGenerator: new RandomNumberTokenGenerator() } })).rejects.toThrow(
      /tokenSecret/,
    );
  });

  it('needs the account beside the code, and keys the stored digest with the secret', async () => {
    t = await createTestApp({ options: codeOptions });
    const user = await createUser(t.dataSource);
    const code = await requestCode('jane@example.com');
    expect(code).toMatch(/^\d{6}$/);

    const [row] = await tokenRows(t);
    // HMAC-SHA256 keyed with tokenSecret over "<user id>\0<code>": without the key, no offline search of the codes.
    expect(row.tokenDigest).toBe(createHmac('sha256', SECRET).update(`${user.id}\u0000${code}`, 'utf8').digest('hex'));
    expect(row.tokenDigest).not.toBe(createHash('sha256').update(`${user.id}\u0000${code}`).digest('hex'));
    expect(row.tokenDigest).not.toBe(createHash('sha256').update(code).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(code);

    const missing = await request(t.server).post('/password_reset/validate_token/').send({ token: code }).expect(400);
    expect(missing.body.message).toContain('email should not be empty');
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: code, email: 'someone@example.com' })
      .expect(404);
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: code, email: 'JANE@example.com' })
      .expect(200, { status: 'OK' });
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token: code, email: 'jane@example.com', password: 'Brand-new-passphrase-7' })
      .expect(200);
    expect(await passwordWorks(t.dataSource, user.id, 'Brand-new-passphrase-7')).toBe(true);
  });

  it('revokes the code after maxFailedAttempts wrong guesses for the account', async () => {
    t = await createTestApp({ options: { ...codeOptions, maxFailedAttempts: 3 } });
    await createUser(t.dataSource);
    const code = await requestCode('jane@example.com');
    const wrong = code === '100000' ? '100001' : '100000';
    for (let i = 0; i < 2; i++) {
      await request(t.server)
        .post('/password_reset/validate_token/')
        .send({ token: wrong, email: 'jane@example.com' })
        .expect(404);
    }
    expect((await tokenRows(t))[0].failedAttempts).toBe(2);
    // Two misses leave it usable; the third revokes it.
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: code, email: 'jane@example.com' })
      .expect(200);
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token: wrong, email: 'jane@example.com', password: 'Brand-new-passphrase-7' })
      .expect(404);
    expect(await tokenRows(t)).toHaveLength(0);
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: code, email: 'jane@example.com' })
      .expect(404);
  });

  it('lets the same code live on two accounts, each usable only with its own', async () => {
    t = await createTestApp({
      options: { tokenSecret: SECRET, throttle: false },
      extras: { extraProviders: [{ provide: BaseTokenGenerator, useClass: FixedCodeGenerator }] },
    });
    const jane = await createUser(t.dataSource);
    const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
    expect(await requestCode('jane@example.com')).toBe('424242');
    expect(await requestCode('john@example.com')).toBe('424242');
    expect(await tokenRows(t)).toHaveLength(2);

    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token: '424242', email: 'john@example.com', password: 'Johns-new-passphrase-1' })
      .expect(200);
    expect(await passwordWorks(t.dataSource, john.id, 'Johns-new-passphrase-1')).toBe(true);
    expect(await passwordWorks(t.dataSource, jane.id, 'Johns-new-passphrase-1')).toBe(false);
    expect((await tokenRows(t)).map((row) => row.userId)).toEqual([jane.id]);
  });

  it("refuses one existing account's code on another, counting the miss against the named account", async () => {
    t = await createTestApp({
      options: { tokenSecret: SECRET, throttle: false },
      extras: { extraProviders: [{ provide: BaseTokenGenerator, useClass: SequenceCodeGenerator }] },
    });
    const jane = await createUser(t.dataSource);
    const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
    const janes = await requestCode('jane@example.com');
    const johns = await requestCode('john@example.com');
    expect([janes, johns]).toEqual(['111111', '222222']);
    const failedAttempts = async () =>
      Object.fromEntries((await tokenRows(t)).map((row) => [row.userId, row.failedAttempts]));

    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: janes, email: 'john@example.com' })
      .expect(404);
    await request(t.server)
      .post('/password_reset/confirm/')
      .send({ token: janes, email: 'john@example.com', password: 'Brand-new-passphrase-7' })
      .expect(404);
    expect(await failedAttempts()).toEqual({ [jane.id]: 0, [john.id]: 2 });
    expect(await passwordWorks(t.dataSource, john.id, 'Brand-new-passphrase-7')).toBe(false);
    expect(await passwordWorks(t.dataSource, jane.id, 'Brand-new-passphrase-7')).toBe(false);
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: janes, email: 'jane@example.com' })
      .expect(200, { status: 'OK' });
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token: johns, email: 'john@example.com' })
      .expect(200, { status: 'OK' });
  });

  it('can bind long tokens too', async () => {
    t = await createTestApp({ options: { accountBoundTokens: true, tokenSecret: SECRET } });
    await createUser(t.dataSource);
    const token = await requestCode('jane@example.com');
    expect(token.length).toBeGreaterThanOrEqual(32);
    await request(t.server).post('/password_reset/validate_token/').send({ token }).expect(400);
    await request(t.server)
      .post('/password_reset/validate_token/')
      .send({ token, email: 'jane@example.com' })
      .expect(200);
  });
});
