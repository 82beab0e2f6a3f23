import { QueryFailedError } from 'typeorm';
import type { EntityManager, ObjectLiteral, Repository } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';

/** Engines whose upsert can answer with the row id (SQLite from 3.35, which better-sqlite3 bundles). */
const UPSERT_ENGINES = new Set(['postgres', 'better-sqlite3']);

/**
 * Without RETURNING, a request that loses the insert race on the unique userId replaces the winner's row next
 * round; it only fails again if that row is deleted in between (a confirm or cleanup), so few rounds are needed.
 */
const ISSUE_ATTEMPTS = 3;

/** A column the token row is found by in `find`. */
export type TokenLookup = 'tokenDigest' | 'user';

/**
 * Every statement of the token store, its SQL text built once from the entity metadata (TypeORM's query builders
 * build it per call, and write numbers into the text: fixed text lets SQLite drivers compile each statement once).
 * A statement given a manager runs on that manager's query runner, so inside its transaction.
 */
export interface TokenStatements {
  /** The one row whose column holds `value`, or a row of nulls: the engine returns a row either way. */
  find(by: TokenLookup, value: unknown): Promise<Record<string, unknown>>;
  /** Writes the user's token row (entity property values, `user` as a reference); resolves to its id, or undefined. */
  upsert(row: ObjectLiteral): Promise<number | undefined>;
  /** Deletes the row while it still holds this digest; true for the one caller that deleted it. */
  claim(id: number, tokenDigest: string, manager?: EntityManager): Promise<boolean>;
  deleteAllOf(userId: unknown, manager?: EntityManager): Promise<void>;
  /** Adds one wrong code below the cap and resolves to the new count; 0 if the row is gone or at the cap. */
  countAttempt(id: number, tokenDigest: string, maxAttempts: number): Promise<number>;
  /** The work of `countAttempt` for no token, changing nothing. */
  countNothing(maxAttempts: number): Promise<void>;
  /** Takes one count back, never below 0, while the row still holds this digest. */
  releaseAttempt(id: number, tokenDigest: string): Promise<void>;
  /** Inserts a row with its own id (PostgreSQL's TypeORM insert would draw a new one), unless it conflicts. */
  restore(row: ObjectLiteral): Promise<void>;
  /** Deletes up to `limit` rows expired by `now`, oldest first; resolves to how many it found. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}

/**
 * On PostgreSQL and SQLite the user's one token is written in at most two atomic statements:
 * `UPDATE … WHERE "userId" = … RETURNING "id"`, and if the user had no token, `INSERT … ON CONFLICT ("userId") DO
 * UPDATE … RETURNING "id"`, which turns into the update when a concurrent request inserted first. Concurrent calls
 * for one user each succeed, the last one winning. The update goes first because PostgreSQL draws a sequence value
 * for every INSERT attempt, even one that ends as an update: requests repeated for one account must not use up the
 * id range. MySQL and MariaDB have no RETURNING: an UPDATE, then a SELECT of the id or an INSERT, and a count in a
 * transaction, its UPDATE locking the row the SELECT reads next.
 */
export function createTokenStatements(tokens: Repository<ResetToken>): TokenStatements {
  // `connection`, not `dataSource`: TypeORM 0.3 has only the former.
  const dataSource = tokens.manager.connection;
  const { driver } = dataSource;
  const returning = UPSERT_ENGINES.has(driver.options.type);
  const { metadata } = tokens;
  const [owner] = metadata.findRelationWithPropertyPath('user')!.joinColumns;
  const [id] = metadata.primaryColumns;
  const digest = metadata.findColumnWithPropertyName('tokenDigest')!;
  const attempts = metadata.findColumnWithPropertyName('failedAttempts')!;
  const created = metadata.findColumnWithPropertyName('createdAt')!;
  const expires = metadata.findColumnWithPropertyName('expiresAt')!;
  // Parameters in this order for the update and the insert: the replaced columns, then the owner.
  const replaced = metadata.columns.filter((column) => !column.isGenerated && column !== owner);
  const columns = [...replaced, owner];
  const all = [id, ...columns];
  const name = (column: { databaseName: string }) => driver.escape(column.databaseName);
  const parameter = (index: number) => driver.createParameter(`p${index}`, index);
  const parameters = (count: number) => Array.from({ length: count }, (_, index) => parameter(index)).join(', ');
  const table = metadata.tablePath
    .split('.')
    .map((part) => driver.escape(part))
    .join('.');

  const token = driver.escape('token');
  const one = driver.escape('one');
  const list = metadata.columns.map((column) => `${token}.${name(column)}`).join(', ');
  // Joined to a one-row table, so a miss comes back as a row of nulls.
  const find = (column: { databaseName: string }) =>
    `SELECT ${list} FROM (SELECT 1 AS ${one}) ${one} LEFT JOIN ${table} ${token} ` +
    `ON ${token}.${name(column)} = ${parameter(0)}`;
  const findBy = { tokenDigest: find(digest), user: find(owner) };
  const update =
    `UPDATE ${table} SET ${replaced.map((column, index) => `${name(column)} = ${parameter(index)}`).join(', ')} ` +
    `WHERE ${name(owner)} = ${parameter(replaced.length)}`;
  const insert = (of: typeof all) =>
    `INSERT INTO ${table} (${of.map(name).join(', ')}) VALUES (${parameters(of.length)})`;
  // The row, only while it still holds this token: a newer request replaces the digest in place.
  const sameToken = `${name(id)} = ${parameter(0)} AND ${name(digest)} = ${parameter(1)}`;
  const claim = `DELETE FROM ${table} WHERE ${sameToken}`;
  const deleteAllOf = `DELETE FROM ${table} WHERE ${name(owner)} = ${parameter(0)}`;
  const count =
    `UPDATE ${table} SET ${name(attempts)} = ${name(attempts)} + 1 ` +
    `WHERE ${sameToken} AND ${name(attempts)} < ${parameter(2)}`;
  const countRead = `SELECT ${name(attempts)} FROM ${table} WHERE ${sameToken}`;
  const release = `UPDATE ${table} SET ${name(attempts)} = ${name(attempts)} - 1 WHERE ${sameToken} AND ${name(attempts)} > 0`;
  const expired =
    `SELECT ${name(id)} FROM ${table} WHERE ${name(expires)} <= ${parameter(0)} ` +
    `ORDER BY ${name(expires)} ASC LIMIT ${parameter(1)}`;
  // One text per batch length: a full batch, and at most a shorter last one, in practice.
  const deleteIds = new Map<number, string>();
  const deleteIn = (length: number) => {
    let sql = deleteIds.get(length);
    if (!sql) deleteIds.set(length, (sql = `DELETE FROM ${table} WHERE ${name(id)} IN (${parameters(length)})`));
    return sql;
  };

  const run = async (sql: string, values: unknown[], manager = tokens.manager) => {
    const runner = manager.queryRunner ?? dataSource.createQueryRunner();
    try {
      // Structured, because plain results differ by engine (PostgreSQL adds the row count to an UPDATE's rows).
      return await runner.query(sql, values, true);
    } finally {
      if (runner !== manager.queryRunner) await runner.release();
    }
  };
  const rows = async (sql: string, values: unknown[], manager?: EntityManager) =>
    (await run(sql, values, manager)).records as ObjectLiteral[];
  const persist = (row: ObjectLiteral, of: typeof all) =>
    of.map((column) => driver.preparePersistentValue(column.getEntityValue(row), column) as unknown);

  const shared = {
    find: async (by: TokenLookup, value: unknown): Promise<Record<string, unknown>> =>
      (await rows(findBy[by], [value]))[0],
    claim: async (rowId: number, tokenDigest: string, manager?: EntityManager) =>
      !!(await run(claim, [rowId, tokenDigest], manager)).affected,
    deleteAllOf: async (userId: unknown, manager?: EntityManager) => {
      await run(deleteAllOf, [driver.preparePersistentValue(userId, owner)], manager);
    },
    releaseAttempt: async (rowId: number, tokenDigest: string) => {
      await run(release, [rowId, tokenDigest]);
    },
    deleteExpired: async (now: Date, limit: number) => {
      const found = await rows(expired, [driver.preparePersistentValue(now, expires), limit]);
      const ids = found.map((row) => row[id.databaseName] as unknown);
      if (ids.length) await run(deleteIn(ids.length), ids);
      return ids.length;
    },
  };
  return returning ? { ...shared, ...returningStatements() } : { ...shared, ...lockingStatements() };

  function returningStatements(): Pick<TokenStatements, 'upsert' | 'countAttempt' | 'countNothing' | 'restore'> {
    const updated = `${update} RETURNING ${name(id)}`;
    const upsert =
      `${insert(columns)} ` +
      `ON CONFLICT (${name(owner)}) DO UPDATE SET ${replaced.map((column) => `${name(column)} = excluded.${name(column)}`).join(', ')} ` +
      `RETURNING ${name(id)}`;
    // On PostgreSQL, a row another transaction holds (a reset being committed) is skipped rather than waited for:
    // the stand-in write must not wait on someone else's reset.
    const firstRow =
      driver.options.type === 'postgres'
        ? `SELECT ${name(id)} FROM ${table} ORDER BY ${name(id)} LIMIT 1 FOR UPDATE SKIP LOCKED`
        : `SELECT MIN(${name(id)}) FROM ${table}`;
    // An indexed column assigned its own value: SQLite leaves a row whose bytes do not change unwritten (so a count
    // set to itself would write nothing), but rewrites the index entry of every column a statement assigns, which
    // is one page written and committed, as for a count. PostgreSQL writes a row version either way. No row when
    // the table is empty.
    const touch =
      `UPDATE ${table} SET ${name(created)} = ${name(created)} ` +
      `WHERE ${name(id)} = (${firstRow}) RETURNING ${name(attempts)}`;
    const counted = `${count} RETURNING ${name(attempts)}`;
    const restore = `${insert(all)} ON CONFLICT DO NOTHING`;
    return {
      upsert: async (row) => {
        const values = persist(row, columns);
        const [replacedRow] = await rows(updated, values);
        const written = replacedRow ?? (await rows(upsert, values))[0];
        return written[id.databaseName] as number;
      },
      countAttempt: async (rowId, tokenDigest, maxAttempts) => {
        const [row] = await rows(counted, [rowId, tokenDigest, maxAttempts]);
        return row ? Number(row[attempts.databaseName]) : 0;
      },
      countNothing: async () => {
        await rows(touch, []);
      },
      restore: async (row) => {
        await rows(restore, persist(row, all));
      },
    };
  }

  function lockingStatements(): Pick<TokenStatements, 'upsert' | 'countAttempt' | 'countNothing' | 'restore'> {
    const idOf = `SELECT ${name(id)} FROM ${table} WHERE ${name(digest)} = ${parameter(0)}`;
    const inserted = insert(columns);
    const restore = insert(all);
    const countAttempt = (rowId: number, tokenDigest: string, maxAttempts: number) =>
      tokens.manager.transaction(async (manager) => {
        // The conditional UPDATE locks the row: the count read next, in this transaction, is this attempt's.
        const { affected } = await run(count, [rowId, tokenDigest, maxAttempts], manager);
        // Read whether or not a row was counted, so a token that does not exist costs the same statements.
        const [row] = await rows(countRead, [rowId, tokenDigest], manager);
        return affected && row ? Number(row[attempts.databaseName]) : 0;
      });
    return {
      upsert: async (row) => {
        const values = persist(row, columns);
        for (let attempt = 1; ; attempt++) {
          if ((await run(update, values)).affected) {
            const [found] = await rows(idOf, persist(row, [digest]));
            return found?.[id.databaseName] as number | undefined;
          }
          try {
            return ((await run(inserted, values)).raw as { insertId: number }).insertId;
          } catch (error) {
            // Another request inserted this user's token first: the next round replaces it.
            if (attempt >= ISSUE_ATTEMPTS || !isUniqueViolation(error)) throw error;
          }
        }
      },
      countAttempt,
      // Row ids start at 1 and digests are 64 hex digits: id 0 with an empty digest matches no row. InnoDB skips
      // the write then, as it skips a row set to its own values: this stand-in writes nothing.
      countNothing: async (maxAttempts) => {
        await countAttempt(0, '', maxAttempts);
      },
      restore: async (row) => {
        try {
          await run(restore, persist(row, all));
        } catch (error) {
          // The user's unique row exists again: a newer token took the place.
          if (!isUniqueViolation(error)) throw error;
        }
      },
    };
  }
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, errno } = error.driverError as { code?: string; errno?: number };
  return code === '23505' || code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
