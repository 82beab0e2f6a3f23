import { describe, expect, it } from '@jest/globals';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { defaultPasswordValidators, PasswordHasher, PasswordValidator } from '../../lib/index.js';
import { closingTestApps, issueToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

const OLD_PASSWORD = 'correct horse battery';
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

/** A memory-hard hasher with no length limit, standing in for an app's argon2 setup. */
class ScryptPasswordHasher extends PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt, 32);
    return `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    const [scheme, salt, key] = hash.split('$');
    if (scheme !== 'scrypt') return false;
    const expected = Buffer.from(key, 'hex');
    return timingSafeEqual(await scryptAsync(password, Buffer.from(salt, 'hex'), expected.length), expected);
  }
}

/** An app rule on top of the defaults. */
class NoCompanyNameValidator extends PasswordValidator {
  validate(password: string): string[] {
    return /acme/i.test(password) ? ['The password must not contain the company name.'] : [];
  }
}

describe('new passwords', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  async function confirmWith(password: string) {
    const token = await issueToken(t);
    const answer = await request(t.server).post(ROUTES.confirm).send({ token, password });
    return { token, answer };
  }

  describe('refused by the default validators', () => {
    it.each([
      ['too short', 'Ab1-xy', /too short.*at least 8 characters/],
      ['common', 'password123', /too common/],
      ['entirely numeric', '8463920175', /entirely numeric/],
      ['similar to the email', 'janeexample', /too similar to the email/],
      ['similar to the username', 'janedoe1985!', /too similar to the username/],
      ['spaces only', ' '.repeat(8), /^This password has no visible characters\.$/],
      ['tabs only', '\t'.repeat(8), /^This password has no visible characters\.$/],
      ['zero-width spaces only', '\u200b'.repeat(8), /^This password has no visible characters\.$/],
      ['one repeated letter', 'zzzzzzzz', /^This password repeats a few characters over and over\.$/],
      ['a sequence', 'lmnopqrs', /^This password is a sequence of characters, like abcdefgh or 12345678\.$/],
      ['a keyboard row', 'sdfghjkl', /^This password is a sequence of characters/],
    ])('%s: 400 with the reason, token kept, password unchanged', async (_, password, reason) => {
      t = await startApp();
      const user = await createUser(t.dataSource, { username: 'janedoe1985' });
      const { token, answer } = await confirmWith(password);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(answer.body.message).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
      expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
      expect(await passwordWorks(t.dataSource, user.id, password)).toBe(false);
      expect(await tokenRows(t)).toHaveLength(1);
      // The kept token still works once a good password is chosen.
      await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    });
  });

  it.each([
    ['password', ['This password is too common.']],
    ['a', ['This password is too short. It must contain at least 8 characters.']],
    ['e', ['This password is too short. It must contain at least 8 characters.']],
  ])('answers the refusal of %j in its own words (the password is not cut out of them)', async (password, reasons) => {
    t = await startApp();
    await createUser(t.dataSource);
    const { answer } = await confirmWith(password);
    expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: reasons });
  });

  it('refuses a password over 72 UTF-8 bytes (bcrypt would cut it), naming the limit', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    // 37 characters, 74 bytes: short in characters, too long for bcrypt.
    const password = 'é'.repeat(37);
    const { answer } = await confirmWith(password);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/72 bytes/)]));
    expect(await passwordWorks(t.dataSource, user.id, OLD_PASSWORD)).toBe(true);
    expect(await tokenRows(t)).toHaveLength(1);
  });

  it('accepts exactly 72 bytes', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const password = `Zq-${'é'.repeat(34)}x`;
    expect(Buffer.byteLength(password)).toBe(72);
    const { answer } = await confirmWith(password);
    expect(answer.status).toBe(200);
    expect(await passwordWorks(t.dataSource, user.id, password)).toBe(true);
  });

  it('keeps leading and trailing spaces as typed', async () => {
    t = await startApp();
    const user = await createUser(t.dataSource);
    const password = '  spaced out passphrase  ';
    const { answer } = await confirmWith(password);
    expect(answer.status).toBe(200);
    expect(await passwordWorks(t.dataSource, user.id, password)).toBe(true);
    expect(await passwordWorks(t.dataSource, user.id, password.trim())).toBe(false);
  });

  it('runs a custom validator beside the defaults', async () => {
    t = await startApp({
      options: { passwordValidators: [...defaultPasswordValidators(), new NoCompanyNameValidator()] },
    });
    const user = await createUser(t.dataSource);
    const custom = await confirmWith('I-work-at-ACME-since-2019');
    expect(custom.answer.status).toBe(400);
    expect(custom.answer.body.message).toEqual(['The password must not contain the company name.']);
    const both = await request(t.server).post(ROUTES.confirm).send({ token: custom.token, password: 'acme' });
    expect(both.status).toBe(400);
    expect(both.body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/too short/), 'The password must not contain the company name.']),
    );
    await request(t.server).post(ROUTES.confirm).send({ token: custom.token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it("stores the hash of a custom PasswordHasher, which verifies it, without bcrypt's length limit", async () => {
    const hasher = new ScryptPasswordHasher();
    t = await startApp({ extras: { extraProviders: [{ provide: PasswordHasher, useValue: hasher }] } });
    const user = await createUser(t.dataSource);
    const password = `${NEW_PASSWORD} ${'long '.repeat(20)}`;
    expect(Buffer.byteLength(password)).toBeGreaterThan(72);
    const { answer } = await confirmWith(password);
    expect(answer.status).toBe(200);
    const { password: stored } = await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
    expect(stored).toMatch(/^scrypt\$/);
    expect(await hasher.verify(password, stored!)).toBe(true);
    expect(await hasher.verify(password.slice(0, 72), stored!)).toBe(false);
  });
});
