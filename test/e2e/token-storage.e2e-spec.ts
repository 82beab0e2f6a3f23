import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { PasswordResetService } from '../../lib/index.js';
import { ResetToken } from '../../lib/typeorm.js';
import { QueryRecorder } from '../fixtures/query-recorder.js';
import { closingTestApps, expireToken, issueToken } from '../fixtures/reset-requests.js';
import { createUser, TestApp, tokenRows } from '../fixtures/test-app.js';
import { itWithSqlTokens } from '../fixtures/token-store.js';
import { User } from '../fixtures/user.entity.js';

const SECRET = 'a-server-secret-of-at-least-32-characters!';
const DAY_MS = 24 * 60 * 60 * 1000;
/** The digest and TTL tests hold for any store; the rest are about the table. */
const itOnTable = itWithSqlTokens('about the SQL table');

describe('the password_reset_tokens table', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  async function usersWithTokens(count: number): Promise<string[]> {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      await createUser(t.dataSource, { email: `user${i}@example.com`, username: `user${i}` });
      tokens.push(await issueToken(t, { email: `user${i}@example.com` }));
    }
    return tokens;
  }

  it('holds no plaintext token, nor its hex or base64 form, in any column of any row (any key or value)', async () => {
    t = await startApp();
    const tokens = await usersWithTokens(3);
    expect(await tokenRows(t)).toHaveLength(3);
    const cells = await t.tokens.dump();
    expect(cells.length).toBeGreaterThanOrEqual(3 * 8);
    for (const token of tokens) {
      for (const form of [token, Buffer.from(token).toString('hex'), Buffer.from(token).toString('base64')]) {
        for (const cell of cells) expect(cell.toLowerCase()).not.toContain(form.toLowerCase());
      }
    }
  });

  it('stores the SHA-256 of the token, or its HMAC-SHA256 under tokenSecret', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const plain = await issueToken(t);
    expect((await tokenRows(t))[0].tokenDigest).toBe(createHash('sha256').update(plain).digest('hex'));

    t = await startApp({ options: { tokenSecret: SECRET } });
    await createUser(t.dataSource);
    const keyed = await issueToken(t);
    expect((await tokenRows(t))[0].tokenDigest).toBe(createHmac('sha256', SECRET).update(keyed).digest('hex'));
  });

  it('keeps a token for 24 hours by default, and tokenTtl seconds when set', async () => {
    t = await startApp();
    await createUser(t.dataSource);
    const before = Date.now();
    await issueToken(t);
    const [row] = await tokenRows(t);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(DAY_MS);
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.createdAt.getTime()).toBeLessThanOrEqual(Date.now());

    t = await startApp({ options: { tokenTtl: 90 } });
    await createUser(t.dataSource);
    await issueToken(t);
    const [short] = await tokenRows(t);
    expect(short.expiresAt.getTime() - short.createdAt.getTime()).toBe(90_000);
  });

  itOnTable(
    'lets the database refuse a second token for one user, a duplicate digest and an unknown user',
    async () => {
      t = await startApp();
      await usersWithTokens(1);
      const [first] = await tokenRows(t);
      const spare = await createUser(t.dataSource, { email: 'spare@example.com', username: 'spare' });
      const repository = t.dataSource.getRepository(ResetToken);
      const { id: _, userId: __, user: ___, ...columns } = first as ResetToken;
      const insert = (userId: string | number, tokenDigest: string) =>
        repository.insert({ ...columns, user: { id: userId }, tokenDigest });

      await expect(insert(first.userId, 'f'.repeat(64))).rejects.toThrow();
      await expect(insert(spare.id, first.tokenDigest)).rejects.toThrow();
      await expect(insert(999_999, 'e'.repeat(64))).rejects.toThrow();
      expect(await tokenRows(t)).toHaveLength(1);
      // The same values for a user without a token and a fresh digest go in: the refusals above were the rules.
      await insert(spare.id, 'd'.repeat(64));
      expect(await tokenRows(t)).toHaveLength(2);
    },
  );

  itOnTable("loses a user's token when the user is deleted (ON DELETE CASCADE), others stay", async () => {
    t = await startApp();
    await usersWithTokens(2);
    const [first, second] = await tokenRows(t);
    await t.dataSource.getRepository(User).delete({ id: first.userId as number });
    expect((await tokenRows(t)).map((row) => row.id)).toEqual([second.id]);
  });

  itOnTable('indexes createdAt and expiresAt and keys the digest uniquely', async () => {
    t = await startApp();
    const runner = t.dataSource.createQueryRunner();
    try {
      const table = (await runner.getTable('password_reset_tokens'))!;
      const indexed = table.indices.map((index) => index.columnNames.join());
      expect(indexed).toEqual(expect.arrayContaining(['createdAt', 'expiresAt']));
      const unique = [
        ...table.indices.filter((index) => index.isUnique).map((index) => index.columnNames.join()),
        ...table.uniques.map((constraint) => constraint.columnNames.join()),
        ...table.columns.filter((column) => column.isUnique).map((column) => column.name),
      ];
      expect(unique).toEqual(expect.arrayContaining(['tokenDigest', 'userId']));
      const [foreignKey] = table.foreignKeys;
      expect(foreignKey).toMatchObject({ columnNames: ['userId'], onDelete: 'CASCADE' });
    } finally {
      await runner.release();
    }
  });

  describe('clearExpired()', () => {
    itOnTable('deletes only the expired rows, in batches, and returns how many', async () => {
      const recorder = new QueryRecorder();
      t = await startApp({ options: { cleanupBatchSize: 2 }, typeorm: { logger: recorder, logging: true } });
      await usersWithTokens(7);
      const rows = await tokenRows(t);
      for (const row of rows.slice(0, 5)) await expireToken(t, row.id);
      const service = t.app.get(PasswordResetService);

      const from = recorder.queries.length;
      expect(await service.clearExpired()).toBe(5);
      // No statement holds locks for long: 5 expired rows at 2 per batch are 3 DELETEs of at most 2 ids each.
      const deletes = recorder.queries.slice(from).filter(({ query }) => /^\s*DELETE\b/i.test(query));
      // The id list, as placeholders ($1, ?) or, on SQLite, inlined.
      const idsPerDelete = deletes.map(({ query }) => /\bIN \(([^)]*)\)/.exec(query)?.[1].split(',').length);
      expect(idsPerDelete).toEqual([2, 2, 1]);
      expect((await tokenRows(t)).map((row) => row.id)).toEqual(rows.slice(5).map((row) => row.id));
      expect(await service.clearExpired()).toBe(0);
    });
  });
});
