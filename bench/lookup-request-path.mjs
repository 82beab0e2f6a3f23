#!/usr/bin/env node
/**
 * The request endpoint for known accounts on a large user table: `--users` accounts (default 1,000,000) seeded
 * into a fresh database on one engine, the built sample on it (its lookup indexes as it creates them: LOWER()
 * indexes on SQLite and PostgreSQL, the case-insensitive unique columns on MariaDB), mail over SMTP to a local
 * counting sink, throttles off. Reports answers per second and how long until the mail of every answered request
 * had arrived (the deferred work done), as a Markdown table. Mails can outnumber answers by the requests still in
 * flight when the load stopped: the sample worked on them, the load tool did not count their answers.
 *
 *   node bench/lookup-request-path.mjs [--db sqlite|postgres|mariadb] [--users N] [--seconds S] [--build]
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import bcrypt from 'bcrypt';
import { createBenchDb, seedAccounts, seededEmail } from './lib/bench-db.mjs';
import { load, settle } from './lib/load.mjs';
import { startMailSink } from './lib/mail-sink.mjs';
import { buildSample, freePort, startSample, UNTHROTTLED, writeSeedFile } from './lib/sample-process.mjs';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    users: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    build: { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users ?? 1_000_000);
const SECONDS = Number(args.seconds);
const CONNECTIONS = 10;
/** Rows per seedAccounts call: a million rows at once would be held in memory twice over. */
const SEED_BATCH = 100_000;
const ANALYZE = { sqlite: 'ANALYZE', postgres: 'VACUUM ANALYZE "users"', mariadb: 'ANALYZE TABLE "users"' };
if (!ANALYZE[args.db]) throw new Error('--db must be sqlite, postgres or mariadb');
if (!Number.isInteger(USERS) || USERS < 1) throw new Error('--users must be a positive integer');
const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

buildSample(args.build);
const sink = await startMailSink();
const seed = writeSeedFile([]);
const db = await createBenchDb(args.db, seed.dir);
let sample;
try {
  sample = await startSample({
    PORT: String(await freePort()),
    DATABASE_URL: db.url,
    SEED_FILE: seed.file,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    ...UNTHROTTLED,
  });
  const passwordHash = await bcrypt.hash('Bench-password-1', 4);
  log(`${args.db}: seeding ${USERS} users`);
  for (let from = 0; from < USERS; from += SEED_BATCH) {
    await seedAccounts(db, { from, count: Math.min(SEED_BATCH, USERS - from), passwordHash });
  }
  await db.exec(ANALYZE[args.db]);
  const path = '/api/password_reset/';
  const known = () => ({ email: seededEmail(randomInt(USERS)) });
  log('warm-up');
  const warmup = await load({ url: sample.url, path, body: known, duration: 2, connections: CONNECTIONS }).result;
  await waitFor(() => sink.received >= (warmup.statuses[200] ?? 0), 300_000, 'the warm-up mails');
  await settle(sample.child.pid);

  log(`load: ${SECONDS} s, ${CONNECTIONS} connections`);
  const before = sink.received;
  const run = await load({
    url: sample.url,
    path,
    body: known,
    duration: SECONDS,
    connections: CONNECTIONS,
    pid: sample.child.pid,
  }).result;
  const answeredAt = performance.now();
  const answered = run.statuses[200] ?? 0;
  await waitFor(() => sink.received - before >= answered, 600_000, `${answered} mails`);
  const doneSeconds = run.seconds + (performance.now() - answeredAt) / 1000;
  if (run.errors || answered !== run.requests) log('not all answered 200:', JSON.stringify(run.statuses), run.errors);

  console.log(
    '| engine | users | requests (known account) | answered 200/s | refused 503 | p50 / p99 | mails | all mailed after | mails/s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${args.db} | ${USERS.toLocaleString('en')} | ${run.requests} | ${(answered / run.seconds).toFixed(0)} | ` +
      `${run.statuses[503] ?? 0} | ${run.p50} / ${run.p99} ms | ` +
      `${sink.received - before} | ${doneSeconds.toFixed(2)} s | ${(answered / doneSeconds).toFixed(0)} |`,
  );
} finally {
  await sample?.stop();
  await db.drop();
  await sink.close();
}
