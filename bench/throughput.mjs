#!/usr/bin/env node
/**
 * How fast is the module behind real HTTP, as a share of what the same stack does bare? For each engine ×
 * HTTP adapter it starts the built sample (mail over SMTP to a counting sink, each process on a fresh database)
 * and bench/bare-app/main.mjs (the same Nest, adapter, TypeORM and database, one statement per request), and
 * loads each endpoint with autocannon between two runs of its ceiling:
 *
 *   request (known account)      vs one INSERT; also mails delivered per second, counted at the sink
 *   the same, BullMQ             the production topology (when Redis answers, unless --no-bullmq): a web instance that
 *                                only enqueues, and one SAMPLE_ROLE=worker process either beside it under the load or
 *                                started after it (as on a host of its own), draining the backlog alone
 *   request (unknown account)    vs one INSERT
 *   validate_token (invalid)     vs one SELECT by a unique column answering 404
 *   request refused (429)        vs a bare 429 with no database work (REQUEST_THROTTLE_LIMIT=1); also vs the 200 below
 *   request suppressed           vs a bare 200 with no database work (ACCOUNT_THROTTLE_LIMIT=5, one account)
 *   confirm                      vs the bcrypt ceiling, with the sample's event-loop p99 (--confirm-on)
 *
 * Writes a bench/RESULTS.md section with the goals of issue 18; with --full also the scale runs on PostgreSQL
 * (1,000 vs 1,000,000 tokens, clearExpired()).
 *
 *   node bench/throughput.mjs [--engines sqlite,postgres,mariadb] [--adapters express,fastify] [--seconds 8]
 *     [--warmup 2] [--connections 16] [--confirm-on sqlite:express,postgres:fastify] [--full [--scale-rows 1000000]]
 *     [--no-write] [--no-bullmq] [--build] [--rounds 1]
 *
 * --rounds N: validate and the flood rows N times each, reporting the median round (one run's share is noisy).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import bcrypt from 'bcrypt';
import { bcryptHashesPerSecond } from './lib/bcrypt-ceiling.mjs';
import {
  createBenchDb,
  mariadbReachable,
  postgresReachable,
  seedAccounts,
  seededEmail,
  seededToken,
} from './lib/bench-db.mjs';
import { bullmqEnv, redisReachable } from './lib/bullmq-topology.mjs';
import { alternate, medianOfRounds } from './lib/ceiling.mjs';
import { load, settle, timedPost } from './lib/load.mjs';
import { drainedMails, startMailSinkThread } from './lib/mail-sink-thread.mjs';
import { writeSection } from './lib/results-file.mjs';
import { summarise } from './lib/stats.mjs';
import {
  buildSample,
  freePort,
  peakRssMiB,
  ROOT,
  startBareApp,
  startSample,
  startSampleWorker,
  UNTHROTTLED,
  writeSeedFile,
} from './lib/sample-process.mjs';

const { values: options } = parseArgs({
  options: {
    engines: { type: 'string' },
    adapters: { type: 'string', default: 'express,fastify' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    'scale-rows': { type: 'string', default: '1000000' },
    'confirm-on': { type: 'string', default: 'sqlite:express,postgres:fastify' },
    full: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'no-bullmq': { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
  },
});
const FULL = options.full;
const WRITE = !options['no-write'];
const SECONDS = Number(options.seconds);
const WARMUP = Number(options.warmup);
const CONNECTIONS = Number(options.connections);
/** Rounds of each row with a share goal and no mail (validate, the floods): the median round is reported. */
const ROUNDS = Number(options.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(`--rounds must be a positive integer, not ${options.rounds}`);
const ADAPTERS = options.adapters.split(',');
const CONFIRM_ON = new Set(options['confirm-on'].split(','));
const REQUEST_ACCOUNTS = 500;
/** About six seconds of confirms at the usual 8 hashes/s, scaled with --seconds. */
const CONFIRM_TOKENS = Math.max(4, Math.round(6 * SECONDS));
/** Enough to keep both bcrypt threads busy; more would only queue inside the app. */
const CONFIRM_CONNECTIONS = 4;
/** The flood runs' limits: the first request of the run passes, or the account's first few. */
const FLOOD_REQUEST_LIMIT = 1;
const FLOOD_ACCOUNT_LIMIT = 5;
/** Requests timed one at a time per endpoint in the scale runs. */
const SEQUENTIAL_REQUESTS = 1000;
/** Tokens in the large scale run (--scale-rows, for a smoke run), against 1,000 in the small one. */
const SCALE_SMALL = 1000;
const SCALE_LARGE = Number(options['scale-rows']);
/** 1k, 1M: the table's name for a size. */
const sizeLabel = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const COST = 12;
const NEW_PASSWORD = 'Quartz-lantern-9417-bench';
const API = '/api/password_reset';
const BARE = { insert: '/bare', select: '/bare/select', noop: '/bare/noop', refuse: '/bare/refuse' };
const log = (...parts) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
const epochMs = () => performance.timeOrigin + performance.now();

/**
 * The sample with the loop monitor preloaded and its own mail sink; `env` over the unthrottled defaults. With
 * `bullmq`, a web instance (the one measured) and one worker process sharing a queue of this run's own: started
 * with it (`'beside'`), or only by `startWorker()` (`'apart'`). `stop()` ends the sample first, so its pooled
 * transport has sent what was queued before the sink closes.
 */
async function startModule(engine, adapter, seed, env = {}, { bullmq } = {}) {
  const sink = await startMailSinkThread();
  const db = await createBenchDb(engine, seed.dir);
  const topology = bullmq ? bullmqEnv() : undefined;
  const common = {
    DATABASE_URL: db.url,
    SEED_FILE: seed.file,
    HTTP_ADAPTER: adapter,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    ...UNTHROTTLED,
    ...topology?.env,
    ...env,
  };
  const sample = await startSample(
    { ...common, PORT: String(await freePort()), ...(bullmq ? { SAMPLE_ROLE: 'web' } : {}) },
    { nodeArgs: ['--import', join(ROOT, 'bench/lib/loop-monitor.mjs')], ipc: true },
  );
  let worker;
  const startWorker = async () => (worker = await startSampleWorker(common));
  if (bullmq === 'beside') await startWorker();
  /** Event-loop delay of the sample since the previous call (the preload resets its histogram each time). */
  const loopWindow = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the loop monitor did not answer')), 5000);
      sample.child.once('message', (stats) => (clearTimeout(timer), resolve(stats)));
      sample.child.send('loop-window');
    });
  await loopWindow();
  const stop = async () => {
    await sample.stop();
    await worker?.stop();
    await sink.close();
    await db.drop();
    await topology?.cleanup();
  };
  const module = { name: 'module', db, sink, url: sample.url, pid: sample.child.pid, loopWindow, stop };
  return bullmq === 'apart' ? { ...module, startWorker } : module;
}

/** Load before the measured runs, so each starts on a warm JIT, pool and connection set. */
async function warm(target, path, body) {
  if (WARMUP <= 0) return undefined;
  const result = await load({ url: target.url, path, body, duration: WARMUP, connections: CONNECTIONS }).result;
  await settle(target.pid);
  return result;
}

/**
 * One endpoint under load, with the event-loop delay of the same window when the target reports it. `rate`:
 * answers with the `expect`ed status per second, the figure shares are taken of.
 */
async function measure(target, name, { path, body, expect, duration = SECONDS, amount, connections = CONNECTIONS }) {
  await target.loopWindow?.();
  const result = await load({
    url: target.url,
    path,
    body,
    ...(amount ? { amount } : { duration }),
    connections,
    pid: target.pid,
  }).result;
  if (target.loopWindow) result.loop = await target.loopWindow();
  result.rate = (result.statuses[expect] ?? 0) / result.seconds;
  await settle(target.pid);
  log(`${target.name} ${name}`, JSON.stringify({ ...result, loop: result.loop?.p99 }));
  return result;
}

/** A ceiling endpoint of the bare app, warmed once, then measured each time the returned function is called. */
async function ceilingOf(bare, path, body, expect) {
  await warm(bare, path, body);
  return () => measure(bare, path, { path, body, expect });
}

/**
 * The known-account request: answers per second, and mails delivered per second, counted at the sink from the
 * start of the load until the last mail of the run arrived (the deferred work drained). With a worker started
 * only after the load (`module.startWorker`), from when it is ready until it has drained the warm-up's jobs and
 * the run's.
 */
async function deliveredRun(module, name, body) {
  const path = API + '/';
  const warmed = (await warm(module, path, body))?.statuses[200] ?? 0;
  const { mails: before } = module.startWorker ? { mails: 0 } : await drainedMails(module.sink, 0, warmed);
  let started = epochMs();
  const result = await measure(module, name, { path, body, expect: 200 });
  let expected = result.statuses[200] ?? 0;
  let from = before;
  if (module.startWorker) {
    await module.startWorker();
    started = epochMs();
    from = (await module.sink.count()).received;
    expected += warmed - from;
  }
  const { mails, lastAt } = await drainedMails(module.sink, from, expected);
  const seconds = mails ? (lastAt - started) / 1000 : result.seconds;
  result.delivery = { mails, seconds, rate: mails / seconds, refused: result.statuses[503] ?? 0 };
  log(`module ${name} delivery`, JSON.stringify(result.delivery));
  return result;
}

/** Warms the module's endpoint, then measures it: one row of an alternation. */
const moduleRow = (module, name, path, body, expect) => async () => {
  await warm(module, path, body);
  return measure(module, name, { path, body, expect });
};

/** Confirm against the bcrypt ceiling, measured just before with the sample idle; each token works once. */
async function confirmRun(module, passwordHash) {
  const salt = randomBytes(4).toString('hex');
  const from = 1_000_000;
  await seedAccounts(module.db, { from, count: CONFIRM_TOKENS, passwordHash, salt });
  await module.loopWindow();
  const ceiling = await bcryptHashesPerSecond({ cost: COST, parallel: 2, seconds: SECONDS });
  // The idle sample's loop while another process hashes: what CPU contention alone does to it.
  const contention = await module.loopWindow();
  log(`bcrypt ceiling ${ceiling.toFixed(2)} hashes/s`);
  let next = 0;
  const result = await measure(module, 'confirm', {
    path: `${API}/confirm/`,
    amount: CONFIRM_TOKENS,
    connections: CONFIRM_CONNECTIONS,
    expect: 200,
    body: () => ({ token: seededToken(salt, from + next++), password: NEW_PASSWORD }),
  });
  const changed = await module.db.query(
    `SELECT COUNT(*) AS "n" FROM "users" WHERE "password" <> ${module.db.parameter(1)}`,
    [passwordHash],
  );
  return { ...result, ceiling, share: result.rate / ceiling, contention, passwordsChanged: Number(changed[0].n) };
}

/** Every row of one engine × adapter. */
async function comboRun(engine, adapter, { seed, floodSeed, bullmq }, passwordHash) {
  const label = `${engine} ${adapter}`;
  log(`${label}: starting the bare app and the sample`);
  const bare = { name: 'bare', ...(await startBareApp(engine, seed.dir, adapter)) };
  const rows = {};
  let confirm;
  let peakRss;
  try {
    let unknown = 0;
    const requestUnknown = () => ({ email: `nobody${unknown++}-${randomBytes(3).toString('hex')}@example.com` });
    const requestKnown = () => ({ email: seededEmail(randomInt(REQUEST_ACCOUNTS)) });
    const invalidToken = () => ({ token: randomBytes(32).toString('base64url') });
    let inserted = 0;
    const insertCeiling = await ceilingOf(bare, BARE.insert, () => ({ email: seededEmail(inserted++) }), 200);
    const selectCeiling = await ceilingOf(bare, BARE.select, invalidToken, 404);
    const noopCeiling = await ceilingOf(bare, BARE.noop, requestUnknown, 200);
    const refuseCeiling = await ceilingOf(bare, BARE.refuse, requestUnknown, 429);

    const module = await startModule(engine, adapter, seed);
    try {
      await seedAccounts(module.db, { from: 0, count: REQUEST_ACCOUNTS, passwordHash });
      [rows.requestKnown, rows.requestUnknown] = await alternate(insertCeiling, [
        () => deliveredRun(module, 'request known', requestKnown),
        moduleRow(module, 'request unknown', API + '/', requestUnknown, 200),
      ]);
      rows.validate = await medianOfRounds(
        selectCeiling,
        moduleRow(module, 'validate invalid', `${API}/validate_token/`, invalidToken, 404),
        ROUNDS,
      );
      if (CONFIRM_ON.has(`${engine}:${adapter}`)) confirm = await confirmRun(module, passwordHash);
      peakRss = peakRssMiB(module.pid);
    } finally {
      await module.stop();
    }
    // Each topology on a sample of its own: a queue drained by a worker started late must start empty.
    const scaledOut = (topology) => async () => {
      const scaled = await startModule(engine, adapter, seed, {}, { bullmq: topology });
      try {
        await seedAccounts(scaled.db, { from: 0, count: REQUEST_ACCOUNTS, passwordHash });
        return await deliveredRun(scaled, `request known (BullMQ, worker ${topology})`, requestKnown);
      } finally {
        await scaled.stop();
      }
    };
    if (bullmq) {
      [rows.requestKnownBeside, rows.requestKnownApart] = await alternate(insertCeiling, [
        scaledOut('beside'),
        scaledOut('apart'),
      ]);
    }

    // Each flood needs its own limits, so its own sample (its one account seeded by the sample itself); the
    // bare app stays up between them.
    const flood = (name, env, body, expect, check) => async () => {
      const limited = await startModule(engine, adapter, floodSeed, env);
      try {
        const result = await moduleRow(limited, name, API + '/', body, expect)();
        return { ...result, check: await check(limited, result) };
      } finally {
        await limited.stop();
      }
    };
    rows.refused = await medianOfRounds(
      refuseCeiling,
      flood('request refused', { REQUEST_THROTTLE_LIMIT: String(FLOOD_REQUEST_LIMIT) }, requestUnknown, 429, (_, r) => {
        const share = (r.statuses[429] ?? 0) / r.requests;
        return { ok: share >= 0.99, text: `${f1(share * 100)}% of the run's answers were 429` };
      }),
      ROUNDS,
    );
    rows.suppressed = await medianOfRounds(
      noopCeiling,
      flood(
        'request suppressed',
        { ACCOUNT_THROTTLE_LIMIT: String(FLOOD_ACCOUNT_LIMIT) },
        () => ({ email: seededEmail(0) }),
        200,
        async (limited, r) => {
          const { mails } = await drainedMails(limited.sink, 0, 0);
          const answered = (r.statuses[200] ?? 0) === r.requests;
          return {
            ok: answered && mails <= FLOOD_ACCOUNT_LIMIT,
            text: `${answered ? 'all' : 'NOT all'} answered 200; ${mails} mails at the sink over the sample's life, limit ${FLOOD_ACCOUNT_LIMIT}`,
          };
        },
      ),
      ROUNDS,
    );
    // The refusal against the cheapest 200 as well, from the runs beside the suppressed row.
    rows.refused.shareOfNoop = rows.refused.rate / rows.suppressed.ceiling.rate;
  } finally {
    await bare.stop();
  }
  return { engine, adapter, rows, confirm, peakRss };
}

/** PostgreSQL only: validate and request with 1,000 and with 1,000,000 tokens (--scale-rows), then clearExpired(). */
async function scaleRun(seed, passwordHash) {
  log('scale: starting the sample on PostgreSQL');
  const bench = await startModule('postgres', 'express', seed);
  const SMALL = SCALE_SMALL;
  const LARGE = SCALE_LARGE;
  try {
    const salt = randomBytes(4).toString('hex');
    await seedAccounts(bench.db, { from: 0, count: SMALL, passwordHash, salt });
    await bench.db.exec('ANALYZE');
    const url = bench.url;
    const at = {};
    /** Requests one at a time, each timed to the microsecond: the latency itself, without autocannon's queueing. */
    const oneByOne = async (name, path, body) => {
      const latencies = [];
      for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) latencies.push(await timedPost(url + path, body()));
      await settle(bench.pid);
      const { median, p99 } = summarise(latencies);
      log(`${name} one by one`, JSON.stringify({ n: latencies.length, p50: median, p99 }));
      return { p50: median, p99 };
    };
    const pair = async (label, pick) => {
      // validate first: a request replaces the account's token.
      const validateBody = () => ({ token: seededToken(salt, pick()) });
      const validatePath = `${API}/validate_token/`;
      const validate = await measure(bench, `validate ${label}`, {
        path: validatePath,
        body: validateBody,
        expect: 200,
      });
      validate.alone = await oneByOne(`validate ${label}`, validatePath, validateBody);
      const requestBody = () => ({ email: seededEmail(pick()) });
      const request = await measure(bench, `request ${label}`, { path: API + '/', body: requestBody, expect: 200 });
      request.alone = await oneByOne(`request ${label}`, API + '/', requestBody);
      return { validate, request };
    };
    await warm(bench, `${API}/validate_token/`, () => ({ token: seededToken(salt, randomInt(SMALL)) }));
    at.small = await pair(sizeLabel(SMALL), () => randomInt(SMALL));

    log(`scale: inserting ${LARGE - SMALL} more accounts and tokens`);
    let started = performance.now();
    await bench.db.query(
      `INSERT INTO "users" ("email", "username", "password", "isActive", "credentialVersion")
       SELECT 'member' || i || '@example.com', 'member' || i, $1, true, 0 FROM generate_series(${SMALL}, ${LARGE - 1}) AS i`,
      [passwordHash],
    );
    const now = Date.now();
    // The same digests as lib computes: SHA-256 hex of the token, and of `${passwordHash}\0${email}`.
    await bench.db.query(
      `INSERT INTO "password_reset_tokens" ("userId", "tokenDigest", "credentialFingerprint", "createdAt", "expiresAt", "userAgent", "failedAttempts")
       SELECT u."id",
              encode(sha256(convert_to('bench-' || $1 || '-' || substr(u."username", 7), 'UTF8')), 'hex'),
              encode(sha256(convert_to(u."password", 'UTF8') || '\\x00'::bytea || convert_to(u."email", 'UTF8')), 'hex'),
              $2, $3, '', 0
       FROM "users" u LEFT JOIN "password_reset_tokens" t ON t."userId" = u."id" WHERE t."id" IS NULL`,
      [salt, now, now + 3_600_000],
    );
    await bench.db.exec('VACUUM ANALYZE');
    const rows = Number((await bench.db.query('SELECT COUNT(*) AS "n" FROM "password_reset_tokens"'))[0].n);
    const insertSeconds = (performance.now() - started) / 1000;
    log(`scale: ${rows} tokens after ${insertSeconds.toFixed(1)} s`);
    await warm(bench, `${API}/validate_token/`, () => ({ token: seededToken(salt, SMALL + randomInt(LARGE - SMALL)) }));
    at.large = await pair(sizeLabel(LARGE), () => SMALL + randomInt(LARGE - SMALL));

    log('scale: expiring every token');
    await bench.db.exec(`UPDATE "password_reset_tokens" SET "expiresAt" = 1`);
    await bench.db.exec('VACUUM ANALYZE');
    const expired = Number(
      (await bench.db.query(`SELECT COUNT(*) AS "n" FROM "password_reset_tokens" WHERE "expiresAt" <= 1`))[0].n,
    );
    const requestBody = () => ({ email: seededEmail(randomInt(LARGE)) });
    const idle = await measure(bench, 'request idle', { path: API + '/', body: requestBody, expect: 200 });
    log('scale: clear-expired under request load');
    const running = load({
      url,
      path: API + '/',
      body: requestBody,
      duration: 3600,
      connections: CONNECTIONS,
      pid: bench.pid,
    });
    await bench.loopWindow();
    // The idle run's requests already deleted some in their bounded batches (100 per request).
    const expiredAtStart = Number(
      (await bench.db.query(`SELECT COUNT(*) AS "n" FROM "password_reset_tokens" WHERE "expiresAt" <= 1`))[0].n,
    );
    started = performance.now();
    const cli = spawn(
      process.execPath,
      [join(ROOT, 'dist/cli/clear-expired.js'), '--data-source', join(ROOT, 'bench/lib/bench-data-source.mjs')],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_DATABASE_URL: bench.db.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    cli.stdout.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => cli.once('exit', resolve));
    const clearSeconds = (performance.now() - started) / 1000;
    running.stop();
    const during = await running.result;
    during.loop = await bench.loopWindow();
    log('scale: clear-expired', code, output.trim(), clearSeconds.toFixed(1), 's', JSON.stringify(during));
    if (code !== 0) throw new Error(`clear-expired exited with ${code}`);
    return {
      at,
      rows,
      insertSeconds,
      expired,
      clear: { expiredAtStart, seconds: clearSeconds, output: output.trim(), idle, during },
    };
  } finally {
    await bench.stop();
  }
}

const f0 = (n) => Math.round(n).toLocaleString('en-US');
const f1 = (n) => n.toFixed(1);
const pct = (share) => `${f0(share * 100)}%`;
const machine = () =>
  `${cpus().length} vCPU ${cpus()[0].model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim().split('-')[0]}, Node.js ${process.versions.node}. The sample, its database, the bare app, the mail sink and autocannon all ran on this one machine.`;
const statusText = (statuses) =>
  Object.entries(statuses)
    .map(([code, n]) => `${n}×${code}`)
    .join(', ');
const met = (ok) => (ok ? '**met**' : '**NOT met**');
/** A flood row's check holds in every round, not just the median one shown. */
const checked = (row) => row.rounds.every((round) => round.check.ok);
/** The share, and with several rounds the range of theirs. */
const shareText = (row) => {
  if (!row.rounds || row.rounds.length < 2) return pct(row.share);
  const shares = row.rounds.map((round) => round.share);
  return `${pct(row.share)} (${pct(Math.min(...shares))}–${pct(Math.max(...shares))}, ${shares.length} rounds)`;
};
/** `goal`: the share the issue asks for, if it names one. */
const ROWS = [
  { key: 'requestKnown', endpoint: 'request (known account)', ceiling: 'INSERT', goal: 0.7 },
  {
    key: 'requestKnownBeside',
    endpoint: 'request (known account), BullMQ, worker beside',
    ceiling: 'INSERT',
    goal: 0.7,
  },
  { key: 'requestKnownApart', endpoint: 'request (known account), BullMQ, web alone', ceiling: 'INSERT', goal: 0.7 },
  { key: 'requestUnknown', endpoint: 'request (unknown account)', ceiling: 'INSERT' },
  { key: 'validate', endpoint: 'validate_token (invalid)', ceiling: 'SELECT → 404', goal: 0.8 },
  { key: 'refused', endpoint: 'request refused (429, per-client limit)', ceiling: '429, no DB work', goal: 0.8 },
  { key: 'suppressed', endpoint: 'request suppressed (per-account limit)', ceiling: '200, no DB work' },
];
const command = () => `node bench/throughput.mjs ${process.argv.slice(2).join(' ')}`.trim();

function throughputSection({ combos, date, seconds }) {
  const lines = [
    `- **Machine**: ${machine()}`,
    `- **Date**: ${date}.`,
    `- **Command**: \`${command()}\`, ${f0(seconds)} s in all.`,
    `- **Setup**: per engine × HTTP adapter, the built sample (\`node --import bench/lib/loop-monitor.mjs sample/dist/main.js\`,`,
    `  \`HTTP_ADAPTER\`) and \`bench/bare-app/main.mjs\` (the same Nest, adapter, TypeORM and engine; SQLite in WAL mode`,
    `  like the sample), each on a fresh database (SQLite file; PostgreSQL and MariaDB \`bench_<random>\`, dropped`,
    `  afterwards). The sample mails over SMTP (its pooled nodemailer transport) to a local sink that reads and`,
    `  counts every mail (\`bench/lib/mail-sink.mjs\`, on a thread of the benchmark process); throttling off`,
    `  (\`*_THROTTLE_LIMIT=0\`) except in the flood rows. ${REQUEST_ACCOUNTS} accounts inserted straight into the table (one`,
    `  shared bcrypt cost-${COST} hash). autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run after a ${WARMUP} s warm-up of the same`,
    `  endpoint. Each module row ran between two runs of its ceiling on the bare app (ceiling, row, ceiling, row,`,
    `  ceiling, …), and is shown as a share of their mean: the machine's speed drifts over a run.` +
      (ROUNDS > 1
        ? ` Validate and the flood rows ran ${ROUNDS} rounds each in one alternation: the median round is shown, with the range of the rounds' shares.`
        : ''),
    `- **Ceilings** (\`bench/bare-app/main.mjs\`): **INSERT**: one awaited \`repository.insert()\`, 200. **SELECT → 404**:`,
    `  \`repository.findOneBy()\` on a unique indexed column of a 1,000-row table, never a match, then`,
    `  \`throw new NotFoundException()\` as an app answers a miss. **200, no DB work**: a handler that answers 200 at`,
    `  once (body parsed, JSON answer), the ceiling of a suppressed request, which does no database work by design.`,
    `  **429, no DB work**: a handler that throws \`HttpException(…, 429)\` at once, the framework's cheapest`,
    `  refusal (Nest answers every thrown exception through its exception filter, a longer path than a handler's`,
    `  return): the like-for-like ceiling of a refused request. Its share of the 200 ceiling is in the flood checks.`,
    `- **Flood rows**: each on a sample of its own. Refused: \`REQUEST_THROTTLE_LIMIT=${FLOOD_REQUEST_LIMIT}\`, so all but the first`,
    `  request of the sample's life get 429; the rate is 429s per second. Suppressed: \`ACCOUNT_THROTTLE_LIMIT=${FLOOD_ACCOUNT_LIMIT}\`,`,
    `  every request for one existing account, answered 200 like any request, with no token or mail after the`,
    `  first ${FLOOD_ACCOUNT_LIMIT} (checked at the sink).`,
    '',
    '| engine | adapter | endpoint | req/s | ceiling | ceiling req/s (2 runs) | share | goal | p50 / p99 ms | loop p99 ms | statuses |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { engine, adapter, rows } of combos) {
    for (const { key, endpoint, ceiling, goal } of ROWS) {
      const r = rows[key];
      if (!r) continue;
      const runs = r.ceiling.runs.map((run) => f0(run.rate)).join(', ');
      lines.push(
        `| ${engine} | ${adapter} | ${endpoint} | ${f1(r.rate)} | ${ceiling} | ${f1(r.ceiling.rate)} (${runs}) | ${shareText(r)} | ` +
          `${goal ? `≥ ${pct(goal)}: ${met(r.share >= goal)}` : '—'} | ${r.p50} / ${r.p99} | ${f1(r.loop.p99)} | ` +
          `${statusText(r.statuses)}${r.errors ? `, ${r.errors} errors` : ''} |`,
      );
    }
  }
  lines.push(
    '',
    'Known-account requests, answered and delivered: mails counted at the sink from the start of the load until the',
    'last one of the run arrived (the deferred work drained), over that time. 503: requests the in-process queue refused (full at `queue.maxPending`).',
    'BullMQ: the web instance answers after writing the job to Redis, and one worker process (its default concurrency,',
    "the same pooled transport) runs the jobs. *Beside*: the worker runs during the load, sharing the machine's cores",
    '(mails/s from the load start). *Apart*: no worker during the load, as with workers on hosts of their own; then one',
    "starts and drains the warm-up's jobs and the run's alone (mails/s from when it was ready): one worker's rate.",
    '',
    '| engine | adapter | queue | answered/s | mails | mails/s | load → last mail, s | refused 503 |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const { engine, adapter, rows } of combos) {
    for (const [queue, key] of [
      ['in-process', 'requestKnown'],
      ['BullMQ, worker beside', 'requestKnownBeside'],
      ['BullMQ, worker apart', 'requestKnownApart'],
    ]) {
      if (!rows[key]) continue;
      const { rate, delivery } = rows[key];
      lines.push(
        `| ${engine} | ${adapter} | ${queue} | ${f1(rate)} | ${f0(delivery.mails)} | ${f1(delivery.rate)} | ${f1(delivery.seconds)} | ${f0(delivery.refused)} |`,
      );
    }
  }
  lines.push('');
  for (const { engine, adapter, rows, confirm, peakRss } of combos) {
    const label = `${engine}, ${adapter}`;
    lines.push(
      `- **Flood checks (${label})**: refused: ${rows.refused.check.text} (${met(checked(rows.refused))}), ${pct(rows.refused.shareOfNoop)} of the 200 no-DB ceiling beside the suppressed row; suppressed: ${rows.suppressed.check.text} (${met(checked(rows.suppressed))}).`,
    );
    if (confirm) {
      lines.push(
        `- **Confirm (${label})**: ${CONFIRM_TOKENS} requests on ${CONFIRM_CONNECTIONS} connections, each with a fresh token: ${f1(confirm.rate)} req/s vs ${f1(confirm.ceiling)} hashes/s = ${pct(confirm.share)} of the bcrypt ceiling. Goal ≥ 80%: ${met(confirm.share >= 0.8)}. ` +
          `${confirm.passwordsChanged} of ${CONFIRM_TOKENS} passwords really changed. Event-loop p99 ${f1(confirm.loop.p99)} ms (max ${f1(confirm.loop.max)} ms); goal < 20 ms: ${met(confirm.loop.p99 < 20)}. ` +
          `The idle sample's loop while the benchmark hashed: p99 ${f1(confirm.contention.p99)} ms (max ${f1(confirm.contention.max)} ms).`,
      );
    }
    lines.push(`- **Peak RSS of the unthrottled sample (${label})**: VmHWM ${f1(peakRss)} MiB.`);
  }
  lines.push(
    `- **bcrypt ceiling**: cost ${COST}, 2 hashes in parallel on libuv's pool for ${SECONDS} s, in the benchmark process, just before`,
    `  each confirm run while the sample was idle. Confirm ran only on ${[...CONFIRM_ON].join(' and ')}: it is bound by bcrypt, not by`,
    '  the engine or the adapter.',
    '',
    '**Reading these figures:**',
    '- The request endpoint answers before its token work (timing-oracle defence), so its req/s is that of the',
    '  answers; the deferred work (account lookup, token write, TokenCreated, the mail over SMTP) runs in the same',
    '  process and competes for the CPU. The mails/s figure is what that work keeps up with; its time includes the',
    "  queue's random delay before each request's first run (≤ 1 s by default) for the last requests of the load.",
    '- Unknown accounts skip the writes and the mail, hence the gap between the two request rows.',
    "- The bare app has none of the sample's own per-request work (its `nosniff` header, Swagger's routes in the",
    '  router), so the shares include that too.',
    '- Single figures move by up to ±30% from run to run even on a quiet machine (the two ceiling runs beside a',
    '  row show how much); the alternation keeps each share to the machine state of its own row.',
  );
  return lines.join('\n');
}

function scaleSection({ scale, date }) {
  const { small, large } = scale.at;
  const row = (label, r1, r2) =>
    `| ${label} | ${r1.p50} | ${r1.p99} | ${f1(r1.rps)} | ${r2.p50} | ${r2.p99} | ${f1(r2.rps)} | ${f1(r2.p50 / r1.p50)}× |`;
  const f3 = (value) => value.toFixed(3);
  const alone = (label, r1, r2) =>
    `| ${label} | ${f3(r1.alone.p50)} | ${f3(r1.alone.p99)} | ${f3(r2.alone.p50)} | ${f3(r2.alone.p99)} | ${(r2.alone.p50 / r1.alone.p50).toFixed(2)}× |`;
  const within = (r1, r2) => met(r2.alone.p50 <= 1.2 * r1.alone.p50);
  const { idle, during } = scale.clear;
  const [k, m] = [sizeLabel(SCALE_SMALL), sizeLabel(SCALE_LARGE)];
  return [
    `- **Machine**: ${machine()}`,
    `- **Date**: ${date}.`,
    `- **Command**: \`${command()}\`.`,
    `- **Setup**: the sample (Express) on a fresh PostgreSQL database, mailing to the counting sink; 1,000 accounts with`,
    `  live tokens inserted directly, then ${f0(SCALE_LARGE - SCALE_SMALL)} more with \`generate_series\` (digests by PostgreSQL's \`sha256()\`,`,
    `  identical to lib's), ${f0(scale.rows)} rows in \`password_reset_tokens\` (${f1(scale.insertSeconds)} s to insert and VACUUM ANALYZE).`,
    `  autocannon, ${CONNECTIONS} connections, ${SECONDS} s per measurement; validate uses random live tokens, request random existing accounts.`,
    '',
    `| endpoint | p50 ms (${k}) | p99 ms (${k}) | req/s (${k}) | p50 ms (${m}) | p99 ms (${m}) | req/s (${m}) | p50 ${m}/${k} |`,
    '|---|---|---|---|---|---|---|---|',
    row('validate_token (valid)', small.validate, large.validate),
    row('request (known account)', small.request, large.request),
    '',
    `The same endpoints one request at a time (${SEQUENTIAL_REQUESTS} each, right after each autocannon run, timed from sending until`,
    'the body is read, to the microsecond): the latency itself, where the autocannon figures above are whole',
    `milliseconds and mostly queueing behind ${CONNECTIONS} connections.`,
    '',
    `| endpoint | p50 ms (${k}) | p99 ms (${k}) | p50 ms (${m}) | p99 ms (${m}) | p50 ${m}/${k} |`,
    '|---|---|---|---|---|---|',
    alone('validate_token (valid)', small.validate, large.validate),
    alone('request (known account)', small.request, large.request),
    '',
    `- p50 at ${m} within 1.2× of ${k}, one at a time: validate ${within(small.validate, large.validate)}, request ${within(small.request, large.request)}.`,
    `  Under autocannon load: validate ${met(large.validate.p50 <= 1.2 * small.validate.p50)}, request ${met(large.request.p50 <= 1.2 * small.request.p50)} (whole milliseconds).`,
    `- The request endpoint answers before its database work; the sample creates the index on \`LOWER(email)\` at start.`,
    `- **clearExpired()**: ${f0(scale.expired)} tokens set expired; ${f0(scale.clear.expiredAtStart)} were left when the cron command`,
    `  \`dist/cli/clear-expired.js --data-source bench/lib/bench-data-source.mjs\` (batches of 100) started; it took`,
    `  **${f1(scale.clear.seconds)} s** ("${scale.clear.output}"; the request endpoint's own batches deleted the rest meanwhile).`,
    `- Request p99 idle ${idle.p99} ms (p50 ${idle.p50}, ${f1(idle.rps)} req/s) vs while clear-expired ran ${during.p99} ms (p50 ${during.p50}, ${f1(during.rps)} req/s, ${f0(during.requests)} requests).`,
    `  Goal < 2× idle p99: ${met(during.p99 < 2 * idle.p99)}. "Idle" here means no cron job: all tokens were already expired,`,
    `  so each request's deferred work also deleted a batch of 100.`,
  ].join('\n');
}

/** --engines as given (each must answer), or SQLite and every server engine that answers. */
async function chooseEngines() {
  const reachable = { sqlite: async () => true, postgres: postgresReachable, mariadb: mariadbReachable };
  const asked = options.engines?.split(',');
  const engines = [];
  for (const engine of asked ?? Object.keys(reachable)) {
    if (!reachable[engine]) throw new Error(`unknown engine "${engine}": sqlite, postgres or mariadb`);
    if (await reachable[engine]()) engines.push(engine);
    else if (asked) throw new Error(`${engine} is not reachable`);
    else log(`${engine} is not reachable: left out`);
  }
  return engines;
}

async function main() {
  const begun = performance.now();
  for (const adapter of ADAPTERS) {
    if (adapter !== 'express' && adapter !== 'fastify') throw new Error(`unknown adapter "${adapter}"`);
  }
  buildSample(options.build);
  const engines = await chooseEngines();
  const seed = writeSeedFile([]);
  const floodSeed = writeSeedFile([
    { email: seededEmail(0), username: 'member0', password: 'Bench-password-1', isActive: true },
  ]);
  const passwordHash = await bcrypt.hash('Bench-password-1', COST);
  const bullmq = !options['no-bullmq'] && (await redisReachable());
  if (!bullmq) log('the BullMQ rows are left out: --no-bullmq, or Redis does not answer');
  const combos = [];
  for (const engine of engines) {
    for (const adapter of ADAPTERS) {
      combos.push(await comboRun(engine, adapter, { seed, floodSeed, bullmq }, passwordHash));
    }
  }
  const scale = FULL && engines.includes('postgres') ? await scaleRun(seed, passwordHash) : undefined;
  const date = new Date().toISOString().slice(0, 10);
  const seconds = (performance.now() - begun) / 1000;
  const section = throughputSection({ combos, date, seconds });
  console.log(section);
  if (WRITE) writeSection('Throughput: each endpoint as a share of its bare ceiling', section);
  if (scale) {
    const text = scaleSection({ scale, date });
    console.log(text);
    if (WRITE) writeSection('Scale: 1,000 vs 1,000,000 tokens, and clearExpired() (PostgreSQL)', text);
  }
  log(`done in ${seconds.toFixed(0)} s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
