import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { ObjectLiteral } from 'typeorm';
import { ResetToken } from '../../lib/typeorm.js';
import { issueToken, ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, TestApp, TestAppOptions, tokenRows } from '../fixtures/test-app.js';
import { createTestDatabase, DB_ENGINE, TestDatabase } from '../fixtures/test-database.js';
import { describeWithSqlTokens, itWithSqlTokens, TOKEN_STORE } from '../fixtures/token-store.js';

const MINUTE = 60_000;
const TTL_SECONDS = 3600;

/** Users each holding one token that expires `offsets[i]` ms from now. */
async function tokensExpiringIn(t: TestApp, offsets: number[]): Promise<ObjectLiteral[]> {
  const users: ObjectLiteral[] = [];
  for (const [i, offset] of offsets.entries()) {
    const user = await createUser(t.dataSource, { email: `user${i}@example.com`, username: `user${i}` });
    const { resetToken } = await t.service.issueTokenFor(user);
    await t.tokens.setExpiry(resetToken.id, new Date(Date.now() + offset));
    users.push(user);
  }
  return users;
}

/** A session time zone far from UTC, set the way each driver allows. */
const NON_UTC_SESSIONS: Record<
  string,
  { typeorm: TestAppOptions['typeorm']; set?: string; show: string; expected: string }
> = {
  postgres: {
    typeorm: { extra: { options: '-c TimeZone=America/New_York' } },
    show: "SELECT current_setting('TimeZone') AS zone",
    expected: 'America/New_York',
  },
  // mysql2 has no per-connection start-up statement: one pooled connection keeps the session setting.
  mariadb: {
    typeorm: { poolSize: 1, timezone: '+09:00' },
    set: "SET time_zone = '+09:00'",
    show: 'SELECT @@session.time_zone AS zone',
    expected: '+09:00',
  },
};

// Redis expires tokens itself (its deleteExpired deletes nothing) and knows no SQL session.
const itClearingSql = itWithSqlTokens('Redis expires tokens itself');
const describeOnSql = describeWithSqlTokens('SQL sessions and the SQL cleanup command');

describe(`expiry and cleanup (${DB_ENGINE}, ${TOKEN_STORE} tokens)`, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const session = NON_UTC_SESSIONS[DB_ENGINE];
  (session ? describeOnSql : describe.skip)('in a session whose time zone is not UTC', () => {
    const start = async () => {
      t = await createTestApp({ options: { tokenTtl: TTL_SECONDS, throttle: false }, typeorm: session.typeorm });
      if (session.set) await t.dataSource.query(session.set);
      expect((await t.dataSource.query(session.show))[0].zone).toBe(session.expected);
      return t;
    };

    it('stores the expiry as UTC epoch milliseconds and honours it', async () => {
      const t = await start();
      await createUser(t.dataSource);
      const before = Date.now();
      await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(200);
      await t.settle();
      const after = Date.now();
      const [{ expiresAt }] = await t.dataSource
        .getRepository(ResetToken)
        .createQueryBuilder('token')
        .select('token.expiresAt', 'expiresAt')
        .getRawMany();
      expect(Number(expiresAt)).toBeGreaterThanOrEqual(before + TTL_SECONDS * 1000);
      expect(Number(expiresAt)).toBeLessThanOrEqual(after + TTL_SECONDS * 1000);
      await request(t.server).post(ROUTES.validate).send({ token: t.events.created[0].token }).expect(200);
    });

    it('refuses a token a minute past its expiry and accepts one a minute before it', async () => {
      const t = await start();
      await tokensExpiringIn(t, [-MINUTE, MINUTE]);
      const [expired, live] = t.events.created.map((event) => event.token);
      await request(t.server).post(ROUTES.validate).send({ token: expired }).expect(404);
      await request(t.server).post(ROUTES.validate).send({ token: live }).expect(200);
    });

    it('clears only the expired tokens', async () => {
      const t = await start();
      const [, live] = await tokensExpiringIn(t, [-MINUTE, MINUTE, -2 * MINUTE]);
      expect(await t.service.clearExpired()).toBe(2);
      expect((await tokenRows(t)).map((row) => String(row.userId))).toEqual([String(live.id)]);
    });
  });

  it('refuses a token a minute past its expiry and accepts one a minute before it', async () => {
    t = await createTestApp({ options: { throttle: false } });
    await tokensExpiringIn(t, [-MINUTE, MINUTE]);
    const [expired, live] = t.events.created.map((event) => event.token);
    await request(t.server).post(ROUTES.validate).send({ token: expired }).expect(404);
    await request(t.server).post(ROUTES.validate).send({ token: live }).expect(200);
    expect(await tokenRows(t)).toHaveLength(1);
  });

  it('refuses a token once tokenTtl has passed; Redis has dropped it by then, unasked', async () => {
    t = await createTestApp({ options: { tokenTtl: 1, throttle: false } });
    await createUser(t.dataSource);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
    const [{ expiresAt }] = await tokenRows(t);
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 50);
    // No request has touched the token since: only Redis's own expiry can have removed it.
    if (TOKEN_STORE === 'redis') expect(await tokenRows(t)).toEqual([]);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(404);
    expect(await tokenRows(t)).toEqual([]);
  });

  itClearingSql('clearExpired() deletes every expired token in batches of cleanupBatchSize', async () => {
    t = await createTestApp({ options: { cleanupBatchSize: 2, throttle: false } });
    const users = await tokensExpiringIn(t, [-5 * MINUTE, -4 * MINUTE, -3 * MINUTE, -2 * MINUTE, -MINUTE, MINUTE]);
    expect(await t.service.clearExpired()).toBe(5);
    expect((await tokenRows(t)).map((row) => String(row.userId))).toEqual([String(users[5].id)]);
    expect(await t.service.clearExpired()).toBe(0);
  });

  describeOnSql('the clear-expired command for cron', () => {
    let database: TestDatabase;
    afterEach(async () => database?.drop());

    const cli = join(process.cwd(), 'dist', 'cli', 'clear-expired.js');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });

    /**
     * The app's data source module as an operator's build holds it: compiled JS, decorators applied as calls. It sits under
     * node_modules/.cache so `typeorm` resolves to the project's copy.
     */
    const writeDataSourceModule = (exportLine: string) => {
      const dir = join(process.cwd(), 'node_modules', '.cache', 'password-reset-tests');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `data-source-${randomUUID()}.mjs`);
      const options = JSON.stringify(database.options);
      writeFileSync(
        file,
        `import { DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { passwordResetEntities } from '${pathToFileURL(join(process.cwd(), 'dist', 'typeorm.js')).href}';
class User {}
PrimaryGeneratedColumn()(User.prototype, 'id');
Entity('users')(User);
${exportLine.replace('$OPTIONS', options)}
`,
      );
      return file;
    };

    it('deletes the expired tokens of the database, prints the count and exits 0', async () => {
      database = await createTestDatabase(DB_ENGINE, { shared: true });
      t = await createTestApp({ database, options: { throttle: false } });
      const users = await tokensExpiringIn(t, [-3 * MINUTE, -2 * MINUTE, -MINUTE, MINUTE]);
      await t.close();
      const file = writeDataSourceModule(
        'export const appDataSource = new DataSource({ ...$OPTIONS, entities: [User, ...passwordResetEntities(User)] });',
      );
      try {
        const result = run('--data-source', file, '--batch-size', '2');
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe('deleted 3 expired password-reset tokens');
        expect(result.status).toBe(0);
        t = await createTestApp({ database, options: { throttle: false } });
        expect((await tokenRows(t)).map((row) => String(row.userId))).toEqual([String(users[3].id)]);
      } finally {
        rmSync(file, { force: true });
      }
    });

    it('exits 1 without the database password when the error quotes the connection URL', async () => {
      database = await createTestDatabase(DB_ENGINE, { shared: true });
      const password = 'cron-s3cret-pw';
      const file = writeDataSourceModule(
        `throw new Error('no database at postgres://cron:${password}@db.internal:5432/app');`,
      );
      try {
        const result = run('--data-source', file);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('postgres://cron:[redacted]@db.internal:5432/app');
        expect(`${result.stdout}${result.stderr}`).not.toContain(password);
      } finally {
        rmSync(file, { force: true });
      }
    });

    it('exits 1 with a hint when the data source does not list the token entity', async () => {
      database = await createTestDatabase(DB_ENGINE, { shared: true });
      const file = writeDataSourceModule('export default new DataSource({ ...$OPTIONS, entities: [User] });');
      try {
        const result = run('--data-source', file);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('passwordResetEntities(User)');
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});
