#!/usr/bin/env node
/**
 * The same load against this package's sample (Express and Fastify), better-auth's email-and-password reset and
 * the Django original (django-rest-passwordreset), one after the other in one run on this machine, each on a fresh
 * SQLite file with the same seeded accounts, every throttle off, all mailing to one counting SMTP sink.
 * Per endpoint: a warm-up, then autocannon; for a known account also the mails delivered, counted until the last.
 * The sample answers a reset request before its token work, better-auth and Django after it: for a known account,
 * mails/s is the like-for-like figure. The sample runs twice per adapter: alone (its in-process queue) and in the
 * production topology (REDIS_URL: a web instance that only enqueues, plus one SAMPLE_ROLE=worker process on this
 * same machine), the latter only when Redis answers. bench/bare-app (the same Nest and adapter, one INSERT or one
 * SELECT → 404, no mail) is the ceiling any package on that stack can reach; bench/peers/mail-only (node:http
 * handing each request's mail to nodemailer, nothing else) the ceiling of mails delivered through nodemailer.
 *
 *   node bench/peers.mjs [--seconds 8] [--connections 16] [--accounts 1000]
 *     [--peers express,fastify,express-bullmq,fastify-bullmq,bare-express,bare-fastify,bare-nodemailer,better-auth,django]
 *     [--no-write] [--rounds 1]
 *
 * --rounds N: every peer N times, one after the other per round; each figure is the median of the rounds, and
 * each ratio the median of the rounds' own ratios, with their range (one run's ratio moves by ±30% here).
 *
 * The peers are not dependencies of this package; a peer that is not installed is left out with a message.
 * - better-auth: `npm ci --prefix bench/peers/better-auth` (its own package.json and lock; better-sqlite3 12).
 * - Django: `pip install -r bench/peers/django-original/requirements.txt` (Python 3.10+), so that
 *   `python3 -c "import django_rest_passwordreset"` works with the PYTHONPATH this script is started with. The
 *   project migrates its SQLite file and seeds it with `manage.py`, then runs under gunicorn, 2 sync workers.
 *
 * Prints a Markdown table and writes bench/peers.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import { bullmqEnv, REDIS_URL, redisReachable } from './lib/bullmq-topology.mjs';
import { createBenchDb, seedAccounts, seededEmail } from './lib/bench-db.mjs';
import { load } from './lib/load.mjs';
import { summarise } from './lib/stats.mjs';
import { startMailSink } from './lib/mail-sink.mjs';
import {
  buildSample,
  freePort,
  ROOT,
  startBareApp,
  startSample,
  startSampleWorker,
  UNTHROTTLED,
  writeSeedFile,
} from './lib/sample-process.mjs';

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1]]));
const SECONDS = Number(args.get('--seconds') ?? 8);
const CONNECTIONS = Number(args.get('--connections') ?? 16);
const ACCOUNTS = Number(args.get('--accounts') ?? 1000);
const ROUNDS = Number(args.get('--rounds') ?? 1);
/** Which peers run, in the order given (`--peers fastify,express`): all by default. */
const ONLY = args.get('--peers')?.split(',');
const WARMUP_SECONDS = 2;
/**
 * Once the expected mails are in, how long the sink must stay silent: requests still queued in a server when
 * autocannon stops (gunicorn's backlog) go on mailing. And how long a silence means the missing mails are lost.
 */
const SETTLE_MS = 1000;
const LOST_AFTER_MS = 10_000;
const BETTER_AUTH = join(ROOT, 'bench/peers/better-auth');
const DJANGO = join(ROOT, 'bench/peers/django-original');
const log = (...parts) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the three loads send to a peer, and the status each answers when it works as meant. */
const SAMPLE_API = {
  request: { path: '/api/password_reset/', body: (email) => ({ email }), status: 200 },
  check: { path: '/api/password_reset/validate_token/', body: (token) => ({ token }), status: 404 },
};
/** bench/bare-app: one INSERT (the request's ceiling) or one SELECT by a unique column answering 404. */
const BARE_API = {
  request: { path: '/bare', body: (email) => ({ email }), status: 200 },
  check: { path: '/bare/select', body: (token) => ({ token }), status: 404 },
};
const bullmqInstalled = async () =>
  (await redisReachable())
    ? {
        version: `${readVersion(join(ROOT, 'package.json'))}, BullMQ ${readVersion(join(ROOT, 'node_modules/bullmq/package.json'))}`,
      }
    : { missing: `Redis does not answer at ${REDIS_URL} (REDIS_URL)` };
const PEERS = [
  { key: 'express', name: 'sample Express', api: SAMPLE_API, start: (context) => startSamplePeer(context, 'express') },
  { key: 'fastify', name: 'sample Fastify', api: SAMPLE_API, start: (context) => startSamplePeer(context, 'fastify') },
  {
    key: 'express-bullmq',
    name: 'sample Express, BullMQ',
    api: SAMPLE_API,
    installed: bullmqInstalled,
    start: (context) => startSamplePeer(context, 'express', { bullmq: true }),
  },
  {
    key: 'fastify-bullmq',
    name: 'sample Fastify, BullMQ',
    api: SAMPLE_API,
    installed: bullmqInstalled,
    start: (context) => startSamplePeer(context, 'fastify', { bullmq: true }),
  },
  {
    key: 'bare-express',
    name: 'bare Express',
    api: BARE_API,
    mails: false,
    start: (c) => startBareApp('sqlite', c.dir, 'express'),
  },
  {
    key: 'bare-fastify',
    name: 'bare Fastify',
    api: BARE_API,
    mails: false,
    start: (c) => startBareApp('sqlite', c.dir, 'fastify'),
  },
  {
    key: 'bare-nodemailer',
    name: 'bare nodemailer',
    api: { request: { path: '/', body: (email) => ({ email }), status: 200 } },
    // It mails whatever address it is given: only the known-account row means anything.
    endpoints: ['request (known account)'],
    start: startMailOnly,
  },
  {
    key: 'better-auth',
    name: 'better-auth',
    // better-auth checks a token only on the way to a new password: a wrong token fails before any hashing.
    api: {
      request: { path: '/api/auth/request-password-reset', body: (email) => ({ email }), status: 200 },
      check: {
        path: '/api/auth/reset-password',
        body: (token) => ({ token, newPassword: 'Quartz-lantern-9417-bench' }),
        status: 400,
      },
    },
    installed: () =>
      existsSync(join(BETTER_AUTH, 'node_modules/better-auth'))
        ? { version: readVersion(join(BETTER_AUTH, 'node_modules/better-auth/package.json')) }
        : { missing: 'not installed: npm ci --prefix bench/peers/better-auth' },
    start: startBetterAuth,
  },
  {
    key: 'django',
    name: 'Django',
    api: SAMPLE_API,
    installed: djangoInstalled,
    start: startDjango,
    errorNote:
      "gunicorn's sync workers close each connection after one answer; autocannon meets resets (ECONNRESET) as it reconnects",
  },
];

const SELECTED = ONLY ? ONLY.map((key) => PEERS.find((peer) => peer.key === key) ?? unknownPeer(key)) : PEERS;

function unknownPeer(key) {
  throw new Error(`--peers: no peer ${key} (${PEERS.map((peer) => peer.key).join(', ')})`);
}

const readVersion = (file) => JSON.parse(readFileSync(file, 'utf8')).version;

function djangoInstalled() {
  const probe = spawnSync(
    'python3',
    [
      '-c',
      'import django, rest_framework, django_rest_passwordreset, gunicorn; ' +
        'print(f"Django {django.get_version()}, DRF {rest_framework.VERSION}, gunicorn {gunicorn.__version__}")',
    ],
    { encoding: 'utf8' },
  );
  if (probe.status === 0) return { version: probe.stdout.trim() };
  const reason = probe.error ? probe.error.message : probe.stderr.trim().split('\n').pop();
  return {
    missing: `python3 cannot import it (${reason}): pip install -r bench/peers/django-original/requirements.txt`,
  };
}

/** The sample alone, or (`bullmq`) a web instance and one worker process sharing a queue of this run's own. */
async function startSamplePeer({ dir, seedFile, sink, passwordHash }, adapter, { bullmq = false } = {}) {
  const db = await createBenchDb('sqlite', dir);
  const topology = bullmq ? bullmqEnv() : undefined;
  const env = {
    DATABASE_URL: db.url,
    SEED_FILE: seedFile,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    HTTP_ADAPTER: adapter,
    ...UNTHROTTLED,
    ...topology?.env,
  };
  const sample = await startSample({
    ...env,
    PORT: String(await freePort()),
    ...(bullmq ? { SAMPLE_ROLE: 'web' } : {}),
  });
  const worker = bullmq ? await startSampleWorker(env) : null;
  await seedAccounts(db, { from: 0, count: ACCOUNTS, passwordHash });
  const stop = async () => {
    await sample.stop();
    await worker?.stop();
    await db.drop();
    await topology?.cleanup();
  };
  return { url: sample.url, stop };
}

async function startMailOnly({ sink }) {
  const server = await startSample(
    { PORT: String(await freePort()), SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port) },
    { script: join(ROOT, 'bench/peers/mail-only/server.mjs') },
  );
  return { url: server.url, stop: server.stop };
}

async function startBetterAuth({ dir, sink }) {
  const port = await freePort();
  const server = await startSample(
    {
      PORT: String(port),
      DATABASE: join(dir, `better-auth-${randomBytes(4).toString('hex')}.sqlite`),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      SEED_COUNT: String(ACCOUNTS),
    },
    { script: join(BETTER_AUTH, 'server.mjs') },
  );
  return { url: server.url, stop: server.stop };
}

async function startDjango({ dir, sink }) {
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE: join(dir, `django-${randomBytes(4).toString('hex')}.sqlite`),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
  };
  for (const command of [
    ['migrate', '--verbosity', '0'],
    ['seed_accounts', String(ACCOUNTS)],
  ]) {
    const run = spawnSync('python3', ['manage.py', ...command], { cwd: DJANGO, env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`manage.py ${command[0]} failed:\n${run.stderr}`);
  }
  // WAL (kept in the file), as the sample opens its SQLite file: with the rollback journal, every commit waits
  // for fsyncs, and that would be what this row measured. synchronous=NORMAL is per connection: peer/apps.py.
  const file = new Database(env.DATABASE);
  file.pragma('journal_mode = WAL');
  file.close();
  const child = spawn(
    'python3',
    ['-m', 'gunicorn', '--workers', '2', '--bind', `127.0.0.1:${port}`, 'bench_project.wsgi'],
    { cwd: DJANGO, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  // gunicorn logs "Booting worker" before a worker imports Django: ready is the first answer.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gunicorn exited with ${child.exitCode}:\n${output}`);
    const answered = await fetch(url + SAMPLE_API.check.path, { method: 'POST' }).then(
      () => true,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) throw new Error(`gunicorn did not answer:\n${output}`);
    await sleep(200);
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Counts the sink's mails from now on and notes when the last one came. `drain(expected)` waits until `expected`
 * have arrived and the sink has then been silent for SETTLE_MS (or for LOST_AFTER_MS short of `expected`), and
 * gives the count and the seconds from the start until the last mail.
 */
function watchMails(sink) {
  const before = sink.received;
  const started = performance.now();
  let seen = before;
  let lastAt = started;
  const look = () => {
    if (sink.received !== seen) [seen, lastAt] = [sink.received, performance.now()];
  };
  const timer = setInterval(look, 5);
  return {
    drain: async (expected) => {
      for (;;) {
        look();
        const quiet = performance.now() - lastAt;
        if (quiet >= LOST_AFTER_MS || (seen - before >= expected && quiet >= SETTLE_MS)) break;
        await sleep(20);
      }
      clearInterval(timer);
      return { delivered: seen - before, seconds: (lastAt - started) / 1000 };
    },
  };
}

async function measure(peer, url, sink, name, endpoint, value) {
  const options = { url, path: endpoint.path, body: () => endpoint.body(value()), connections: CONNECTIONS };
  // The bare ceilings send no mail: none to wait for.
  const mailing = peer.mails !== false;
  const warmup = watchMails(sink);
  const warm = await load({ ...options, duration: WARMUP_SECONDS }).result;
  // The warm-up's mails, and its requests still queued in the server, must not land in the measured window.
  await warmup.drain(mailing ? (warm.statuses[200] ?? 0) : 0);
  const mails = watchMails(sink);
  const result = await load({ ...options, duration: SECONDS }).result;
  const expected = result.statuses[endpoint.status] ?? 0;
  const unexpected = result.requests - expected;
  const run = {
    // Only the answers meant: a 503 from a full queue is cheap, and would flatter.
    answersPerSecond: result.requests ? (result.rps * expected) / result.requests : 0,
    allAnswersPerSecond: result.rps,
    requests: result.requests,
    statuses: result.statuses,
    unexpected,
    errors: result.errors,
    p50: result.p50,
    p99: result.p99,
  };
  if (mailing && name === 'request (known account)') {
    const { delivered, seconds } = await mails.drain(result.statuses[200] ?? 0);
    Object.assign(run, { mailsDelivered: delivered, mailSeconds: seconds, mailsPerSecond: delivered / seconds });
  } else {
    run.mailsDelivered = (await mails.drain(0)).delivered;
  }
  log(peer.name, name, JSON.stringify(run));
  return run;
}

const ENDPOINTS = [
  ['request (known account)', 'request', () => seededEmail(randomInt(ACCOUNTS))],
  ['request (unknown account)', 'request', () => `nobody-${randomBytes(6).toString('hex')}@example.com`],
  ['check an invalid token', 'check', () => randomBytes(32).toString('base64url')],
];

async function runPeer(peer, context) {
  const installed = (await peer.installed?.()) ?? { version: readVersion(join(ROOT, 'package.json')) };
  if (installed.missing) {
    log(`${peer.name}: left out, ${installed.missing}`);
    return { missing: installed.missing };
  }
  log(`${peer.name} (${installed.version}): starting on a fresh SQLite file with ${ACCOUNTS} accounts`);
  const server = await peer.start(context);
  try {
    const results = {};
    for (const [name, kind, value] of ENDPOINTS) {
      if (peer.endpoints && !peer.endpoints.includes(name)) continue;
      results[name] = await measure(peer, server.url, context.sink, name, peer.api[kind], value);
    }
    return { version: installed.version, endpoints: peer.api, results };
  } finally {
    await server.stop();
  }
}

const f0 = (n) => Math.round(n).toLocaleString('en-US');
/** The defined values of `pick` over the rounds (a figure is missing where a peer is not installed). */
const over = (rounds, pick) => rounds.map(pick).filter((value) => value !== undefined);

/**
 * The load's figures per peer (median of the rounds), then each sample (and each bare ceiling) over each other
 * peer, per figure: the median of the rounds' ratios, with their range.
 */
function table(rounds) {
  const names = SELECTED.map((peer) => peer.name);
  const ours = names.filter((name) => name.startsWith('sample ') || name.startsWith('bare '));
  const others = names.filter((name) => !ours.includes(name));
  const pairs = ours.flatMap((a) => others.map((b) => [a, b]));
  const figures = ENDPOINTS.flatMap(([name]) => [
    [`${name}, answers/s`, (run) => run?.results?.[name]?.answersPerSecond],
    ...(name === 'request (known account)'
      ? [[`${name}, mails/s`, (run) => run?.results?.[name]?.mailsPerSecond]]
      : []),
  ]);
  const cell = (name, pick) => {
    if (rounds[0][name].missing) return 'not installed';
    const values = over(rounds, (runs) => pick(runs[name]));
    return values.length ? f0(summarise(values).median) : '–';
  };
  const ratio = (a, b, pick) => {
    const values = over(rounds, (runs) => {
      const [x, y] = [pick(runs[a]), pick(runs[b])];
      return x && y ? x / y : undefined;
    });
    if (!values.length) return '–';
    const { median, sorted } = summarise(values);
    const spread = sorted.length > 1 ? ` (${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)})` : '';
    return `${median.toFixed(2)}×${spread}`;
  };
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const lines = [
    row(['endpoint', ...names]),
    row(['---', ...names.map(() => '---:')]),
    ...figures.map(([label, pick]) => row([label, ...names.map((name) => cell(name, pick))])),
    '',
    row(['ratio', ...figures.map(([label]) => label)]),
    row(['---', ...figures.map(() => '---:')]),
    ...pairs.map(([a, b]) => row([`${a} ÷ ${b}`, ...figures.map(([, pick]) => ratio(a, b, pick))])),
  ];
  const notes = SELECTED.flatMap(({ name, errorNote }) =>
    ENDPOINTS.map(([endpoint]) => {
      const runs = over(rounds, (round) => round[name].results?.[endpoint]);
      const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
      return { endpoint, unexpected: sum('unexpected'), errors: sum('errors') };
    })
      .filter(({ unexpected, errors }) => unexpected > 0 || errors > 0)
      .map(
        ({ endpoint, unexpected, errors }) =>
          `- ${name}, ${endpoint}: ${unexpected} unexpected answers, ${errors} socket errors or timeouts` +
          (rounds.length > 1 ? ` over ${rounds.length} rounds` : '') +
          (errors > 0 && errorNote ? ` (${errorNote})` : ''),
      ),
  );
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

async function main() {
  buildSample(args.has('--build'));
  const sink = await startMailSink();
  // An empty seed file: the accounts go straight into each database, without the sample's bcrypt seeder.
  const { dir, file: seedFile } = writeSeedFile([]);
  const context = { dir, seedFile, sink, passwordHash: await bcrypt.hash('Bench-password-1', 4) };
  const rounds = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (ROUNDS > 1) log(`round ${round} of ${ROUNDS}`);
      const runs = {};
      for (const peer of SELECTED) runs[peer.name] = await runPeer(peer, context);
      rounds.push(runs);
    }
  } finally {
    await sink.close();
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} vCPU ${cpus()[0].model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.versions.node}`,
    settings: { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, accounts: ACCOUNTS },
    // Order matters on a busy machine: the peers run one after the other.
    order: SELECTED.map((peer) => peer.name),
    // One entry per round, each peer's figures of that round.
    rounds: rounds.map((runs) =>
      Object.fromEntries(
        Object.entries(runs).map(([name, run]) => [
          name,
          run.missing
            ? run
            : {
                ...run,
                endpoints: Object.fromEntries(
                  Object.entries(run.endpoints).map(([kind, { path, status }]) => [kind, { path, status }]),
                ),
              },
        ]),
      ),
    ),
  };
  if (!args.has('--no-write')) writeFileSync(join(ROOT, 'bench/peers.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    [
      '',
      `${SECONDS} s per endpoint after a ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ${ACCOUNTS} accounts, SQLite; ` +
        'answers/s: answers with the status meant (200, or the 404/400 of a wrong token); ' +
        'mails/s: mails delivered ÷ time from the load start until the last mail.' +
        (ROUNDS > 1 ? ` ${ROUNDS} rounds: medians, each ratio with the range of the rounds' ratios.` : ''),
      ...Object.entries(rounds[0]).map(([name, run]) => `- ${name}: ${run.missing ?? run.version}`),
      '',
      table(rounds),
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
