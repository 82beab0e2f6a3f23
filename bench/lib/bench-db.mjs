/**
 * A throw-away database for one benchmark run, and fast seeding that bypasses the sample's bcrypt seeder:
 * accounts and live tokens are written straight into the tables the sample created, with the digests
 * computed by the library's own functions (dist/tokens/token-digest.js; the sample sets no tokenSecret).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { credentialFingerprint, tokenDigestFor } from '../../dist/tokens/token-digest.js';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MARIADB_ADMIN_URL = process.env.BENCH_MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/test';

/** The plaintext token seeded for account `i`; only the benchmark knows it, the database holds its digest. */
export const seededToken = (salt, i) => `bench-${salt}-${i}`;
export const seededEmail = (i) => `member${i}@example.com`;

export async function postgresReachable() {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Reachable within 2 s with the admin URL: benchmarks leave out an engine that is not. */
export async function mariadbReachable() {
  try {
    const connection = await mysql.createConnection({ uri: mysqlUri(MARIADB_ADMIN_URL), connectTimeout: 2000 });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

const mysqlUri = (url) => url.replace(/^mariadb:/, 'mysql:');

/**
 * `kind`: 'sqlite' (a file in `dir`), 'postgres' or 'mariadb' (a fresh `bench_<random>` database, dropped by
 * `drop()`). SQL is written once for all three: `db.parameter(n)` is the n-th placeholder (from 1), and MariaDB
 * sessions take double-quoted identifiers (ANSI_QUOTES).
 */
export async function createBenchDb(kind, dir) {
  if (kind === 'mariadb') return createMariaDb();
  if (kind === 'sqlite') {
    const file = join(dir, `bench-${randomBytes(4).toString('hex')}.sqlite`);
    let db;
    const open = () => (db ??= new Database(file, { timeout: 10_000 }));
    return {
      kind,
      parameter: () => '?',
      url: `sqlite:${file}`,
      query: async (sql, params = []) =>
        open()
          .prepare(sql)
          .all(...params),
      exec: async (sql) => open().exec(sql),
      insertRows: async (table, columns, rows) => {
        const statement = open().prepare(
          `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        );
        open().transaction(() => rows.forEach((row) => statement.run(...row)))();
      },
      drop: async () => db?.close(),
    };
  }
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.href, max: 2 });
  return {
    kind,
    parameter: (n) => `$${n}`,
    url: url.href,
    name,
    query: async (sql, params = []) => (await pool.query(sql, params)).rows,
    exec: async (sql) => void (await pool.query(sql)),
    insertRows: async (table, columns, rows) => {
      for (let start = 0; start < rows.length; start += 1000) {
        const chunk = rows.slice(start, start + 1000);
        const values = chunk.map((row, r) => `(${row.map((_, c) => `$${r * row.length + c + 1}`).join(', ')})`);
        await pool.query(
          `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`,
          chunk.flat(),
        );
      }
    },
    drop: async () => {
      // end() resolves before its sockets close, and the forced DROP below may cut one: not an error here.
      pool.on('error', () => {});
      await pool.end();
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function createMariaDb() {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: mysqlUri(MARIADB_ADMIN_URL) });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(MARIADB_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = mysql.createPool({ uri: mysqlUri(url.href), connectionLimit: 2 });
  pool.on('connection', (connection) => connection.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')"));
  return {
    kind: 'mariadb',
    parameter: () => '?',
    url: url.href,
    name,
    query: async (sql, params = []) => (await pool.query(sql, params))[0],
    exec: async (sql) => void (await pool.query(sql)),
    insertRows: async (table, columns, rows) => {
      for (let start = 0; start < rows.length; start += 1000) {
        const chunk = rows.slice(start, start + 1000);
        await pool.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ?`, [chunk]);
      }
    },
    drop: async () => {
      await pool.end();
      const client = await mysql.createConnection({ uri: mysqlUri(MARIADB_ADMIN_URL) });
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.end();
    },
  };
}

/**
 * Inserts accounts `from`..`from + count - 1` (all with one shared bcrypt hash) and, if `salt` is given, one
 * live token each (`seededToken(salt, i)`). Call after the sample has started, so its tables exist.
 */
export async function seedAccounts(db, { from, count, passwordHash, salt, ttlMs = 3_600_000 }) {
  const users = [];
  for (let i = from; i < from + count; i++) users.push([seededEmail(i), `member${i}`, passwordHash, 1, 0]);
  await db.insertRows('users', ['email', 'username', 'password', 'isActive', 'credentialVersion'], users);
  if (salt === undefined) return;
  const ids = await db.query(`SELECT "id", "email" FROM "users" WHERE "id" > ${db.parameter(1)}`, [
    (await db.query('SELECT COALESCE(MAX("id"), 0) AS "max" FROM "users"'))[0].max - count,
  ]);
  const idOf = new Map(ids.map((row) => [row.email, row.id]));
  const now = Date.now();
  const tokens = [];
  for (let i = from; i < from + count; i++) {
    const email = seededEmail(i);
    tokens.push([
      idOf.get(email),
      tokenDigestFor(seededToken(salt, i), undefined),
      credentialFingerprint(passwordHash, email, undefined),
      now,
      now + ttlMs,
      '',
      0,
    ]);
  }
  const columns = [
    'userId',
    'tokenDigest',
    'credentialFingerprint',
    'createdAt',
    'expiresAt',
    'userAgent',
    'failedAttempts',
  ];
  await db.insertRows('password_reset_tokens', columns, tokens);
}
