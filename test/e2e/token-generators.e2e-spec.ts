import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { BaseTokenGenerator, RandomNumberTokenGenerator, RandomStringTokenGenerator } from '../../lib/index.js';
import { closingTestApps, INVALID_TOKEN_BODY, issueToken, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TestApp } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

const TENANT_PREFIX = Symbol('TENANT_PREFIX');

/** A generator that depends on another provider, as one reading a tenant setting would. */
@Injectable()
class TenantTokenGenerator extends BaseTokenGenerator {
  readonly entropyBits = 160;
  constructor(@Inject(TENANT_PREFIX) private readonly prefix: string) {
    super();
  }

  generateToken(): string {
    return `${this.prefix}-${randomBytes(20).toString('hex')}`;
  }
}

const SECRET = 'a-server-secret-of-at-least-32-characters!';

describe('token generators', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  /** Requests a token, then proves it validates and resets the password. */
  async function provesFullFlow(token: string, extra: object = {}): Promise<void> {
    const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: 'jane@example.com' });
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token, ...extra })
      .expect(200);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD, ...extra })
      .expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  }

  it('issues 32 letters and digits (about 190 bits) by default, different every time', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) tokens.add(await issueToken(t));
    expect(tokens.size).toBe(3);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
    await provesFullFlow([...tokens][2]);
  });

  it('uses a RandomStringTokenGenerator with other lengths given as tokenGenerator', async () => {
    t = await startApp({
      options: { tokenGenerator: new RandomStringTokenGenerator({ minLength: 40, maxLength: 50 }) },
    });
    await createUser(t.dataSource);
    const token = await issueToken(t);
    expect(token).toMatch(/^[A-Za-z0-9]{40,50}$/);
    await provesFullFlow(token);
  });

  it('uses a RandomNumberTokenGenerator given as tokenGenerator (a short code, bound to the account)', async () => {
    t = await startApp({
      options: {
        tokenGenerator: new RandomNumberTokenGenerator({ minNumber: 10_000_000, maxNumber: 99_999_999 }),
        tokenSecret: SECRET,
      },
    });
    await createUser(t.dataSource);
    const token = await issueToken(t);
    expect(token).toMatch(/^\d{8}$/);
    expect(Number(token)).toBeGreaterThanOrEqual(10_000_000);
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token, email: 'john@example.com' })
      .expect(404, INVALID_TOKEN_BODY);
    await provesFullFlow(token, { email: 'jane@example.com' });
  });

  it('uses an injectable BaseTokenGenerator from extraProviders, with its own dependency', async () => {
    t = await startApp({
      extras: {
        extraProviders: [
          { provide: TENANT_PREFIX, useValue: 'acme' },
          { provide: BaseTokenGenerator, useClass: TenantTokenGenerator },
        ],
      },
    });
    await createUser(t.dataSource);
    const token = await issueToken(t);
    expect(token).toMatch(/^acme-[0-9a-f]{40}$/);
    await provesFullFlow(token);
  });
});
