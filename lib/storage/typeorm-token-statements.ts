import type { ObjectLiteral, Repository } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';

/** Engines whose upsert can answer with the row id (SQLite from 3.35, which better-sqlite3 bundles). */
const UPSERT_ENGINES = new Set(['postgres', 'better-sqlite3']);

/** Fixed statements for the engines with RETURNING and ON CONFLICT, one round trip each. */
export interface TokenStatements {
  /** Writes a token row (entity property values, `user` as a reference) and resolves to its id. */
  upsert(row: ObjectLiteral): Promise<number>;
  /** Adds one wrong code below the cap and resolves to the new count; 0 if the row is gone or at the cap. */
  countAttempt(id: number, tokenDigest: string, maxAttempts: number): Promise<number>;
  /**
   * The write of `countAttempt` for no token: one row is rewritten with its own values, so nothing changes and
   * the engine still writes and commits one page (or row version) as for a count. No row when the table is empty.
   */
  countNothing(): Promise<void>;
  /** Inserts a row with its own id (PostgreSQL's TypeORM insert would draw a new one), unless it conflicts. */
  restore(row: ObjectLiteral): Promise<void>;
}

/**
 * The user's one token in at most two atomic statements with fixed SQL: `UPDATE … WHERE "userId" = … RETURNING "id"`,
 * and if the user had no token, `INSERT … ON CONFLICT ("userId") DO UPDATE … RETURNING "id"`, which turns into the
 * update when a concurrent request inserted first. Concurrent calls for one user each succeed, the last one
 * winning. The update goes first because PostgreSQL draws a sequence value for every INSERT attempt, even one that
 * ends as an update: requests repeated for one account must not use up the id range. TypeORM's query builders
 * write numbers into the SQL text; fixed text lets SQLite drivers compile each statement once. Null where the
 * engine cannot return the id this way (MySQL, MariaDB).
 */
export function createTokenStatements(tokens: Repository<ResetToken>): TokenStatements | null {
  // `connection`, not `dataSource`: TypeORM 0.3 has only the former.
  const dataSource = tokens.manager.connection;
  const { driver } = dataSource;
  if (!UPSERT_ENGINES.has(driver.options.type)) return null;
  const { metadata } = tokens;
  const [owner] = metadata.findRelationWithPropertyPath('user')!.joinColumns;
  const [id] = metadata.primaryColumns;
  const digest = metadata.findColumnWithPropertyName('tokenDigest')!;
  const attempts = metadata.findColumnWithPropertyName('failedAttempts')!;
  const created = metadata.findColumnWithPropertyName('createdAt')!;
  // Parameters in this order for both statements: the replaced columns, then the owner.
  const replaced = metadata.columns.filter((column) => !column.isGenerated && column !== owner);
  const columns = [...replaced, owner];
  const name = (column: { databaseName: string }) => driver.escape(column.databaseName);
  const parameter = (index: number) => driver.createParameter(`p${index}`, index);
  const table = metadata.tablePath
    .split('.')
    .map((part) => driver.escape(part))
    .join('.');
  const update =
    `UPDATE ${table} SET ${replaced.map((column, index) => `${name(column)} = ${parameter(index)}`).join(', ')} ` +
    `WHERE ${name(owner)} = ${parameter(replaced.length)} RETURNING ${name(id)}`;
  const insert =
    `INSERT INTO ${table} (${columns.map(name).join(', ')}) VALUES (${columns.map((_, index) => parameter(index)).join(', ')}) ` +
    `ON CONFLICT (${name(owner)}) DO UPDATE SET ${replaced.map((column) => `${name(column)} = excluded.${name(column)}`).join(', ')} ` +
    `RETURNING ${name(id)}`;
  const count =
    `UPDATE ${table} SET ${name(attempts)} = ${name(attempts)} + 1 ` +
    `WHERE ${name(id)} = ${parameter(0)} AND ${name(digest)} = ${parameter(1)} AND ${name(attempts)} < ${parameter(2)} ` +
    `RETURNING ${name(attempts)}`;
  // On PostgreSQL, a row another transaction holds (a reset being committed) is skipped rather than waited for:
  // the stand-in write must not wait on someone else's reset.
  const firstRow =
    driver.options.type === 'postgres'
      ? `SELECT ${name(id)} FROM ${table} ORDER BY ${name(id)} LIMIT 1 FOR UPDATE SKIP LOCKED`
      : `SELECT MIN(${name(id)}) FROM ${table}`;
  // An indexed column assigned its own value: SQLite leaves a row whose bytes do not change unwritten (so a count
  // set to itself would write nothing), but rewrites the index entry of every column a statement assigns, which is
  // one page written and committed, as for a count. PostgreSQL writes a row version either way.
  const touch =
    `UPDATE ${table} SET ${name(created)} = ${name(created)} ` +
    `WHERE ${name(id)} = (${firstRow}) RETURNING ${name(attempts)}`;
  const all = [id, ...columns];
  const restore =
    `INSERT INTO ${table} (${all.map(name).join(', ')}) VALUES (${all.map((_, index) => parameter(index)).join(', ')}) ` +
    `ON CONFLICT DO NOTHING`;
  const rows = async (sql: string, parameters: unknown[]): Promise<ObjectLiteral[]> => {
    const runner = tokens.manager.queryRunner ?? dataSource.createQueryRunner();
    try {
      // Structured, because plain results differ by engine for UPDATE (PostgreSQL adds the row count).
      return (await runner.query(sql, parameters, true)).records as ObjectLiteral[];
    } finally {
      if (runner !== tokens.manager.queryRunner) await runner.release();
    }
  };
  const values = (row: ObjectLiteral, of: typeof columns) =>
    of.map((column) => driver.preparePersistentValue(column.getEntityValue(row), column) as unknown);
  return {
    upsert: async (row) => {
      const parameters = values(row, columns);
      const [updated] = await rows(update, parameters);
      const written = updated ?? (await rows(insert, parameters))[0];
      return written[id.databaseName] as number;
    },
    countAttempt: async (rowId, tokenDigest, maxAttempts) => {
      const [counted] = await rows(count, [rowId, tokenDigest, maxAttempts]);
      return counted ? Number(counted[attempts.databaseName]) : 0;
    },
    countNothing: async () => {
      await rows(touch, []);
    },
    restore: async (row) => {
      await rows(restore, values(row, all));
    },
  };
}
