#!/usr/bin/env node
/**
 * Does the request sent right after a reset request tell whether that request named an existing account?
 *
 * The request endpoint answers before the token work (lookup, token write, TokenCreated, the mail over SMTP) runs.
 * If that work ran on the serving event loop straight after the answer, a cheap probe sent at once would be
 * slower after an existing account's request. For each trial, in random order: a request for an existing account
 * (each named once) or an unknown one, then at once a validate_token probe with a random token (404), timed.
 * The probes' latencies are grouped by what preceded them: median ratio and two-sample Kolmogorov–Smirnov.
 * Then the request endpoint's throughput for an existing account (autocannon), with the mails delivered counted
 * at the SMTP sink.
 *
 *   node bench/follow-up-timing.mjs [--trials 150] [--queue in-process|bullmq] [--db sqlite|postgres] [--no-delay]
 *
 * `in-process`: the sample's default (the random start delay on its own event loop). `bullmq`: REDIS_URL
 * (default redis://127.0.0.1:6379) with SAMPLE_ROLE=web plus a SAMPLE_ROLE=worker process on this same host, with
 * the default start delay, or none with `--no-delay`.
 * Writes bench/follow-up-timing-<queue>-<db>.json and prints a Markdown table.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { bullmqEnv } from './lib/bullmq-topology.mjs';
import { createBenchDb, seedAccounts, seededEmail } from './lib/bench-db.mjs';
import { load, timedPost } from './lib/load.mjs';
import { startMailSink } from './lib/mail-sink.mjs';
import { kolmogorovSmirnov, summarise } from './lib/stats.mjs';
import {
  buildSample,
  freePort,
  ROOT,
  startSample,
  startSampleWorker,
  UNTHROTTLED,
  writeSeedFile,
} from './lib/sample-process.mjs';

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1]]));
const trials = Number(args.get('--trials') ?? 150);
const queue = args.get('--queue') ?? 'in-process';
const dbKind = args.get('--db') ?? 'sqlite';
const WARMUP = 40;
const THROUGHPUT_SECONDS = 5;
const GROUPS = ['existing', 'unknown'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function main() {
  if (!['in-process', 'bullmq'].includes(queue)) throw new Error('--queue must be in-process or bullmq');
  buildSample(args.has('--build'));
  const sink = await startMailSink();
  const seed = writeSeedFile([]);
  const db = await createBenchDb(dbKind, seed.dir);
  const topology = queue === 'bullmq' ? bullmqEnv() : undefined;
  const env = {
    DATABASE_URL: db.url,
    SEED_FILE: seed.file,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    ...UNTHROTTLED,
    ACCOUNT_PER_CLIENT_THROTTLE_LIMIT: '0',
    ...(queue === 'bullmq'
      ? {
          ...topology.env,
          // --no-delay: the work starts at once (as with workers on other hosts); else the default random delay.
          ...(args.has('--no-delay') ? { QUEUE_DELAY_MIN_MS: '0', QUEUE_DELAY_MAX_MS: '0' } : {}),
        }
      : {}),
  };
  const port = await freePort();
  const web = await startSample({ ...env, PORT: String(port), ...(queue === 'bullmq' ? { SAMPLE_ROLE: 'web' } : {}) });
  const worker = queue === 'bullmq' ? await startSampleWorker(env) : null;
  try {
    const accounts = WARMUP + trials + 1;
    await seedAccounts(db, { from: 0, count: accounts, passwordHash: await bcrypt.hash('Bench-password-1', 4) });
    const api = `${web.url}/api/password_reset/`;
    const probe = () => timedPost(`${api}validate_token/`, { token: randomBytes(24).toString('base64url') }, 404);
    const unknown = () => `nobody-${randomInt(1e12)}@example.com`;
    let mailsExpected = 0;
    const trial = async (email) => {
      await timedPost(api, { email });
      const ms = await probe();
      // Spaced out as separate visitors would be; the earlier trials' work lands at random among later ones.
      await sleep(20 + randomInt(30));
      return ms;
    };
    for (let i = 0; i < WARMUP; i++) {
      await trial(i % 2 ? seededEmail(i) : unknown());
      if (i % 2) mailsExpected++;
    }
    const plan = GROUPS.flatMap((group) => Array.from({ length: trials }, (_, i) => [group, i]));
    for (let i = plan.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    const latencies = { existing: [], unknown: [] };
    for (const [group, i] of plan) {
      latencies[group].push(await trial(group === 'existing' ? seededEmail(WARMUP + i) : unknown()));
    }
    mailsExpected += trials;
    await waitFor(() => sink.received >= mailsExpected, 120_000, `${mailsExpected} mails`);

    // Throughput: one existing account requested over and over (the account limit is off), mails counted.
    const before = sink.received;
    const run = await load({
      url: web.url,
      path: '/api/password_reset/',
      body: () => ({ email: seededEmail(accounts - 1) }),
      duration: THROUGHPUT_SECONDS,
      pid: web.child.pid,
    }).result;
    const answeredAt = Date.now();
    await waitFor(() => sink.received - before >= run.statuses[200], 300_000, 'the load test mails');
    const delivered = sink.received - before;
    const deliverySeconds = run.seconds + (Date.now() - answeredAt) / 1000;

    const base = summarise(latencies.unknown);
    const ks = kolmogorovSmirnov(latencies.existing, latencies.unknown);
    const ratio = summarise(latencies.existing).median / base.median;
    const result = {
      date: new Date().toISOString(),
      queue,
      database: dbKind,
      trialsPerGroup: trials,
      probes: Object.fromEntries(GROUPS.map((group) => [group, summarise(latencies[group])])),
      medianRatioExistingToUnknown: ratio,
      ks,
      goals: { medianRatioWithin10Percent: ratio >= 0.9 && ratio <= 1.1, pAbove001: ks.p > 0.01 },
      mailsDelivered: mailsExpected,
      throughput: {
        seconds: run.seconds,
        answersPerSecond: run.rps,
        statuses: run.statuses,
        p50: run.p50,
        p99: run.p99,
        delivered,
        deliveredPerSecond: delivered / deliverySeconds,
      },
    };
    writeFileSync(
      join(ROOT, `bench/follow-up-timing-${queue}${args.has('--no-delay') ? '-no-delay' : ''}-${dbKind}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const f = (n) => n.toFixed(3);
    console.log(
      [
        `| preceded by | n | median ms | p90 ms | p99 ms |`,
        `|---|---|---|---|---|`,
        ...GROUPS.map((group) => {
          const s = result.probes[group];
          return `| ${group} account | ${trials} | ${f(s.median)} | ${f(s.p90)} | ${f(s.p99)} |`;
        }),
        '',
        `median ratio existing/unknown ${f(ratio)}; KS D = ${ks.d.toFixed(3)}, p = ${ks.p.toFixed(3)}; ` +
          `goals ${result.goals.medianRatioWithin10Percent && result.goals.pAbove001 ? 'met' : 'NOT met'}`,
        `throughput (existing account): ${run.rps.toFixed(1)} answers/s (${JSON.stringify(run.statuses)}, ` +
          `p50 ${run.p50} ms, p99 ${run.p99} ms); ${delivered} mails delivered, ` +
          `${result.throughput.deliveredPerSecond.toFixed(1)} mails/s until the last arrived`,
      ].join('\n'),
    );
  } finally {
    await web.stop();
    await worker?.stop();
    await db.drop();
    await sink.close();
    await topology?.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
