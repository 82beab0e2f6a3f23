import { beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  IN_ORDER,
  postJson,
  resetLinkToken,
  SampleApp,
  SeedAccount,
  startSample,
  storedPasswordHash,
  useSmtpSink,
  withSampleDatabase,
} from '../fixtures/sample-process.js';
import { DB_ENGINE } from '../fixtures/test-database.js';

const APP_URL = 'https://app.example.test/reset-password';
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const OK = { status: 200, body: { status: 'OK' } };

const JANE: SeedAccount = {
  email: 'Jane.Doe@example.com',
  username: 'jane',
  password: 'jane-old-secret-7',
  isActive: true,
};
const SAM: SeedAccount = { email: 'sam@example.com', username: 'sam', password: 'sam-old-secret-7', isActive: true };
const ROSA: SeedAccount = {
  email: 'rosa@example.com',
  username: 'rosa',
  password: 'rosa-old-secret-7',
  isActive: true,
};
/** Exactly 72 UTF-8 bytes, bcrypt's limit. */
const LONG: SeedAccount = {
  email: 'long@example.com',
  username: 'long',
  password: `Long-${'é'.repeat(33)}x`,
  isActive: true,
};
const ACCOUNTS: SeedAccount[] = [
  JANE,
  SAM,
  ROSA,
  LONG,
  { email: 'inactive@example.com', username: 'inactive', password: 'inactive-secret-7', isActive: false },
  { email: 'nopassword@example.com', username: 'nopassword', password: null, isActive: true },
];

/** Makes every change of a user's credential version fail in the database (the review's simulated outage), or not. */
async function failSessionRevocation(db: DataSource, on: boolean): Promise<void> {
  const engine = db.options.type;
  if (!on) {
    await db.query('DROP TRIGGER IF EXISTS fail_revocation' + (engine === 'postgres' ? ' ON users' : ''));
    return;
  }
  if (engine === 'better-sqlite3') {
    await db.query(
      `CREATE TRIGGER fail_revocation BEFORE UPDATE OF "credentialVersion" ON users BEGIN SELECT RAISE(ABORT, 'simulated outage'); END`,
    );
  } else if (engine === 'postgres') {
    await db.query(
      `CREATE OR REPLACE FUNCTION fail_revocation() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated outage'; END $$ LANGUAGE plpgsql`,
    );
    await db.query(
      'CREATE TRIGGER fail_revocation BEFORE UPDATE OF "credentialVersion" ON users FOR EACH ROW EXECUTE FUNCTION fail_revocation()',
    );
  } else {
    await db.query(
      `CREATE TRIGGER fail_revocation BEFORE UPDATE ON users FOR EACH ROW BEGIN
         IF NEW.credentialVersion <> OLD.credentialVersion THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated outage'; END IF;
       END`,
    );
  }
}

describe('sample app: the reset flow over HTTP, mail through SMTP', () => {
  const sink = useSmtpSink();
  let sample: SampleApp;
  const api = (path: string) => `${sample.url}/api/password_reset/${path}`;
  const login = (email: string, password: string) => postJson(`${sample.url}/auth/login`, { email, password });

  beforeAll(async () => {
    sample = await startSample({
      seed: ACCOUNTS,
      // Room for this suite's logins, all from one address (the limit has its own test). No start delay, so
      // requests run in the order they came (the sentinel below relies on it).
      env: { ...sink().env, APP_URL, LOGIN_THROTTLE_LIMIT: '100', ...IN_ORDER },
    });
  }, 180_000);

  it('runs on the platform HTTP_ADAPTER names', async () => {
    const response = await fetch(`${sample.url}/reset-password`);
    expect(response.status).toBe(200);
    // Express would announce itself on every response; the sample turns that off.
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('sends nosniff and no X-Powered-By on API answers, errors included', async () => {
    const answers = [
      await fetch(`${sample.url}/api/password_reset/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.com' }),
      }),
      await fetch(`${sample.url}/api/password_reset/validate_token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'x'.repeat(32) }),
      }),
      await fetch(`${sample.url}/auth/login`, { method: 'POST', body: 'not json' }),
      await fetch(`${sample.url}/no-such-route`),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 400, 404]);
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('refuses a login password over 72 bytes with the 400 confirm gives (bcrypt would ignore the rest)', async () => {
    expect(Buffer.byteLength(LONG.password!)).toBe(72);
    expect((await login(LONG.email, LONG.password!)).status).toBe(200);
    expect(await login(LONG.email, `${LONG.password!}ANYTHING-ELSE`)).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: ['This password is too long. It must be at most 72 bytes in UTF-8.'],
      },
    });
    expect((await login('nobody@example.com', `${LONG.password!}ANYTHING-ELSE`)).status).toBe(400);
  });

  it('prints where to send requests and a seeded account to try', () => {
    const line = sample
      .stdout()
      .split('\n')
      .find((text) => text.startsWith('Sample listening on'));
    expect(line).toContain(`POST http://localhost:${sample.port}/api/password_reset/`);
    expect(line).toContain(`{"email": "${JANE.email}"}`);
    expect(line).not.toContain(JANE.password);
    expect(line).toContain(`via SMTP 127.0.0.1:${sink().port}`);
  });

  it('mails a link to the stored address, and the new password replaces the old one', async () => {
    expect((await login(JANE.email, JANE.password!)).status).toBe(200);
    const before = sink().mails.length;

    // Typed in another case: the mail still goes to the address as stored (local part included), and only there.
    expect(await postJson(api(''), { email: 'jane.doe@EXAMPLE.COM' })).toEqual(OK);
    const mail = await sink().waitForMail(before + 1);
    expect(mail.recipients).toEqual([JANE.email]);
    expect(mail.parsed.to).toMatchObject({ value: [{ address: JANE.email }] });
    expect(mail.parsed.html).toBe(false);
    const token = resetLinkToken(mail.parsed.text, APP_URL);

    expect(await postJson(api('validate_token/'), { token })).toEqual(OK);
    expect(await postJson(api('confirm/'), { token, password: NEW_PASSWORD })).toEqual(OK);
    // Hashed at the package's default cost, 12 (the sample sets no bcryptCost).
    expect(await storedPasswordHash(sample, JANE.email)).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);

    expect((await login(JANE.email, JANE.password!)).status).toBe(401);
    expect(await login(JANE.email, NEW_PASSWORD)).toEqual({
      status: 200,
      body: { id: expect.any(Number), email: JANE.email, username: JANE.username, sessionToken: expect.any(String) },
    });
    // The link works once.
    expect((await postJson(api('validate_token/'), { token })).status).toBe(404);
    expect((await postJson(api('confirm/'), { token, password: 'An0ther-new-passphrase' })).status).toBe(404);
    expect((await login(JANE.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('ends the sessions opened before a reset, on the ResetCommitting event', async () => {
    const me = (sessionToken: string) =>
      fetch(`${sample.url}/auth/me`, { headers: { authorization: `Bearer ${sessionToken}` } }).then((r) => r.status);
    const { body: before } = await login(SAM.email, SAM.password!);
    const oldSession = (before as { sessionToken: string }).sessionToken;
    expect(await me(oldSession)).toBe(200);
    expect(await me(`${oldSession}x`)).toBe(401);

    const mails = sink().mails.length;
    expect(await postJson(api(''), { email: SAM.email })).toEqual(OK);
    const token = resetLinkToken((await sink().waitForMail(mails + 1)).parsed.text, APP_URL);
    // Validating does not end anything; only the reset does.
    expect(await postJson(api('validate_token/'), { token })).toEqual(OK);
    expect(await me(oldSession)).toBe(200);
    expect(await postJson(api('confirm/'), { token, password: 'Sam-fresh-passphrase-9' })).toEqual(OK);

    expect(await me(oldSession)).toBe(401);
    const { body: after } = await login(SAM.email, 'Sam-fresh-passphrase-9');
    expect(await me((after as { sessionToken: string }).sessionToken)).toBe(200);
  });

  it('fails the reset when ending the old sessions fails: no 200, old password and old session unchanged', async () => {
    const me = (sessionToken: string) =>
      fetch(`${sample.url}/auth/me`, { headers: { authorization: `Bearer ${sessionToken}` } }).then((r) => r.status);
    const oldSession = ((await login(ROSA.email, ROSA.password!)).body as { sessionToken: string }).sessionToken;
    const mails = sink().mails.length;
    expect(await postJson(api(''), { email: ROSA.email })).toEqual(OK);
    const token = resetLinkToken((await sink().waitForMail(mails + 1)).parsed.text, APP_URL);

    await withSampleDatabase(sample.databaseUrl, (db) => failSessionRevocation(db, true));
    try {
      const failed = await postJson(api('confirm/'), { token, password: 'Rosa-fresh-passphrase-9' });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(await me(oldSession)).toBe(200);
      expect((await login(ROSA.email, ROSA.password!)).status).toBe(200);
      expect((await login(ROSA.email, 'Rosa-fresh-passphrase-9')).status).toBe(401);
    } finally {
      await withSampleDatabase(sample.databaseUrl, (db) => failSessionRevocation(db, false));
    }
    // The same token, once revocation works again: the reset goes through and the old session dies.
    expect(await postJson(api('confirm/'), { token, password: 'Rosa-fresh-passphrase-9' })).toEqual(OK);
    expect(await me(oldSession)).toBe(401);
  });

  it('answers unknown, inactive and passwordless accounts the same, and mails none of them', async () => {
    const before = sink().mails.length;
    const addresses = ['nobody@example.com', 'inactive@example.com', 'nopassword@example.com'];
    for (const email of addresses) {
      expect(await postJson(api(''), { email })).toEqual(OK);
    }
    // A sentinel: a mailable request after them, worked on after theirs (IN_ORDER); once its mail is in, theirs
    // would be too. (An earlier test's "password changed" notice may arrive meanwhile: it is sent unawaited.)
    await postJson(api(''), { email: JANE.email });
    await sink().waitForMailTo(JANE.email, before);
    const recipients = sink()
      .mails.slice(before)
      .flatMap((mail) => mail.recipients);
    expect(recipients.filter((address) => addresses.includes(address))).toEqual([]);
    expect(recipients.filter((address) => address === JANE.email)).toHaveLength(1);
  });

  it('refuses malformed reset requests with 400', async () => {
    expect((await postJson(api(''), { email: 'not an address' })).status).toBe(400);
    expect((await postJson(api(''), { username: 'jane' })).status).toBe(400);
  });

  it('indexes the lookup of the columns the package finds accounts by, on every engine', async () => {
    const url = sample.databaseUrl;
    if (DB_ENGINE === 'mariadb') {
      // No expression indexes: under the columns' case-insensitive collation the store compares them as they
      // are (lib/users/typeorm-user-store.ts), which their unique indexes serve.
      await withSampleDatabase(url, async (db) => {
        const columns: { column: string; collation: string }[] = await db.query(
          `SELECT COLUMN_NAME AS \`column\`, COLLATION_NAME AS collation FROM information_schema.COLUMNS
           WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME IN ('email', 'username')`,
        );
        expect(columns).toHaveLength(2);
        for (const { collation } of columns) expect(collation).toMatch(/_ci$/);
        // Another case than stored: found through the index (a miss's plan names no key, only "Impossible WHERE").
        for (const [column, value] of [
          ['email', JANE.email.toUpperCase()],
          ['username', JANE.username.toUpperCase()],
        ]) {
          const [plan]: { key: string | null }[] = await db.query(
            `EXPLAIN SELECT id FROM users WHERE \`${column}\` = ?`,
            [value],
          );
          expect(plan.key).not.toBeNull();
          const [unique]: { nonUnique: number | string }[] = await db.query(
            `SELECT NON_UNIQUE AS nonUnique FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND INDEX_NAME = ? AND COLUMN_NAME = ?`,
            [plan.key, column],
          );
          expect(Number(unique.nonUnique)).toBe(0);
        }
      });
      return;
    }
    let indexes: string[];
    if (url.startsWith('sqlite:')) {
      const db = await new DataSource({ type: 'better-sqlite3', database: url.slice('sqlite:'.length) }).initialize();
      try {
        const plan: { detail: string }[] = await db.query(
          `EXPLAIN QUERY PLAN SELECT id FROM users WHERE LOWER(email) = LOWER(?)`,
          ['jane.doe@example.com'],
        );
        expect(plan.map((row) => row.detail).join('\n')).toMatch(/USING (COVERING )?INDEX users_email_lower/);
        const rows: { name: string }[] = await db.query(`SELECT name FROM sqlite_master WHERE type = 'index'`);
        indexes = rows.map((row) => row.name);
      } finally {
        await db.destroy();
      }
    } else {
      const client = new pg.Client(url);
      await client.connect();
      try {
        const { rows } = await client.query<{ indexdef: string; indexname: string }>(
          `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users'`,
        );
        expect(rows.find((row) => row.indexname === 'users_email_lower')?.indexdef).toMatch(/lower\(\(?email/i);
        indexes = rows.map((row) => row.indexname);
      } finally {
        await client.end();
      }
    }
    expect(indexes).toEqual(expect.arrayContaining(['users_email_lower', 'users_username_lower']));
  });

  it('logs in only active accounts with the right password', async () => {
    expect((await login('nobody@example.com', 'whatever-secret')).status).toBe(401);
    expect((await login(JANE.email, 'wrong-password')).status).toBe(401);
    expect((await login('inactive@example.com', 'inactive-secret-7')).status).toBe(401);
    expect((await postJson(`${sample.url}/auth/login`, { email: JANE.email })).status).toBe(400);
  });
});
