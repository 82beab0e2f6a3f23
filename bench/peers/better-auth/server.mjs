/**
 * better-auth's email-and-password reset behind plain node:http, for bench/peers.mjs only (never deployed).
 * Env: PORT, DATABASE (a SQLite file), SMTP_HOST/SMTP_PORT (the reset mail), SEED_COUNT (accounts
 * member0..member<N-1>@example.com, all with one password). Prints the sample's listening line, so startSample() (bench/lib/sample-process.mjs) starts it.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import Database from 'better-sqlite3';
import { createTransport } from 'nodemailer';

const port = Number(process.env.PORT);
const seedCount = Number(process.env.SEED_COUNT ?? 0);
const transport = createTransport({
  host: process.env.SMTP_HOST ?? '127.0.0.1',
  port: Number(process.env.SMTP_PORT ?? 25),
  pool: true,
  // The sample's pool size, so both deliver through the same number of connections.
  maxConnections: Number(process.env.SMTP_CONNECTIONS ?? 50),
  maxMessages: Infinity,
});

const database = new Database(process.env.DATABASE);
// As the sample opens its SQLite file (WAL, synchronous=NORMAL): an fsync per commit would be the benchmark.
database.pragma('journal_mode = WAL');
database.pragma('synchronous = NORMAL');
const options = {
  baseURL: `http://127.0.0.1:${port}`,
  // A fresh secret per start: nothing signed by this throw-away server outlives it.
  secret: randomBytes(32).toString('hex'),
  database,
  // Off, as every throttle on every side of the peer bench.
  rateLimit: { enabled: false },
  // "User not found" is a warning per unknown-address request: under load the log would be the benchmark.
  logger: { level: 'error' },
  emailAndPassword: {
    enabled: true,
    // Not awaited, as better-auth's docs advise: the answer does not wait for SMTP (nor tell by its timing).
    sendResetPassword: async ({ user, url }) => {
      transport
        .sendMail({
          from: 'Peer <no-reply@example.com>',
          to: user.email,
          subject: 'Reset your password',
          text: `Open ${url} to choose a new password.`,
        })
        .catch((error) => console.error('reset mail failed:', error.message));
    },
  },
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
if (seedCount > 0) await seed(seedCount);

/**
 * One account through better-auth's own sign-up (its password hash and column formats), then copies of its
 * user and credential rows with new ids and addresses: N scrypt hashes would take minutes.
 */
async function seed(count) {
  const first = await auth.api.signUpEmail({
    body: { email: 'member0@example.com', password: 'Bench-password-1', name: 'member0' },
  });
  const user = database.prepare('SELECT * FROM "user" WHERE "id" = ?').get(first.user.id);
  const account = database.prepare('SELECT * FROM "account" WHERE "userId" = ?').get(first.user.id);
  const insertLike = (table, row) => {
    const columns = Object.keys(row);
    const statement = database.prepare(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    return (overrides) => statement.run(...columns.map((c) => (c in overrides ? overrides[c] : row[c])));
  };
  const insertUser = insertLike('user', user);
  const insertAccount = insertLike('account', account);
  database.transaction(() => {
    for (let i = 1; i < count; i++) {
      const id = `seed${i}`;
      insertUser({ id, email: `member${i}@example.com`, name: `member${i}` });
      insertAccount({ id: `seed-account${i}`, accountId: id, userId: id });
    }
  })();
}

const server = createServer(toNodeHandler(auth));
server.listen(port, '127.0.0.1', () => console.log(`Sample listening on http://127.0.0.1:${port} (better-auth peer)`));
const shutdown = () => server.close(() => (transport.close(), database.close()));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
