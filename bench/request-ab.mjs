#!/usr/bin/env node
/**
 * Before/after comparison of the request endpoint (known accounts), for a change to the library: two or
 * more builds, each a directory holding package.json, dist/ and sample/dist/ (the current tree is `.`), are
 * run in alternating order, round after round, on fresh databases, so a busy machine hits all of them alike.
 * Besides req/s and latency, it reports the sample's CPU time per request, deferred work included (the
 * process's utime + stime from before the load until it is idle again): the figure a shared machine moves least.
 *
 *   npm run build:sample && node bench/request-ab.mjs [--rounds 3] [--seconds 5] [--engines sqlite,postgres] [--bare] DIR...
 */
import { randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import bcrypt from 'bcrypt';
import { createBenchDb, postgresReachable, seedAccounts, seededEmail } from './lib/bench-db.mjs';
import { cpuMs, load, settle } from './lib/load.mjs';
import { freePort, startBareApp, startSample, UNTHROTTLED, writeSeedFile } from './lib/sample-process.mjs';
import { quantile } from './lib/stats.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    bare: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const ACCOUNTS = 500;
const API = '/api/password_reset/';
const builds = (positionals.length ? positionals : ['.']).map((dir) => resolve(dir));
const log = (...parts) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

/** One load window against an app already started; the CPU figure includes the work left after the last answer. */
async function measureWindow(url, path, body, pid) {
  await load({ url, path, body, duration: 1 }).result;
  await settle(pid);
  const before = cpuMs(pid);
  const result = await load({ url, path, body, duration: SECONDS, pid }).result;
  await settle(pid);
  return { ...result, cpuPerRequestMs: (cpuMs(pid) - before) / result.requests };
}

async function moduleRun(build, engine, seed, passwordHash) {
  const db = await createBenchDb(engine, seed.dir);
  const sample = await startSample(
    {
      PORT: String(await freePort()),
      DATABASE_URL: db.url,
      SEED_FILE: seed.file,
      ...UNTHROTTLED,
    },
    { script: join(build, 'sample/dist/main.js') },
  );
  try {
    await seedAccounts(db, { from: 0, count: ACCOUNTS, passwordHash });
    return await measureWindow(sample.url, API, () => ({ email: seededEmail(randomInt(ACCOUNTS)) }), sample.child.pid);
  } finally {
    await sample.stop();
    await db.drop();
  }
}

/** bench/bare-app on SQLite in WAL mode, as the sample opens its SQLite file. */
async function bareRun(seed) {
  const bare = await startBareApp('sqlite', seed.dir);
  try {
    let i = 0;
    return await measureWindow(bare.url, '/bare', () => ({ email: seededEmail(i++) }), bare.pid);
  } finally {
    await bare.stop();
  }
}

function summary(runs) {
  const pick = (key) => runs.map((run) => run[key]).sort((a, b) => a - b);
  const show = (key, digits) => {
    const sorted = pick(key);
    return `${quantile(sorted, 0.5).toFixed(digits)} (${sorted[0].toFixed(digits)}–${sorted.at(-1).toFixed(digits)})`;
  };
  return `req/s ${show('rps', 1)} | p50 ms ${show('p50', 0)} | p99 ms ${show('p99', 0)} | CPU ms/request ${show('cpuPerRequestMs', 3)}`;
}

async function main() {
  const seed = writeSeedFile([]);
  const passwordHash = await bcrypt.hash('Bench-password-1', 12);
  const engines = values.engines.split(',');
  if (engines.includes('postgres') && !(await postgresReachable())) throw new Error('PostgreSQL is not reachable');
  const results = {};
  const record = (key, result) => {
    log(
      key,
      JSON.stringify({
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        cpu: result.cpuPerRequestMs,
        statuses: result.statuses,
      }),
    );
    (results[key] ??= []).push(result);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const engine of engines) {
      const order = round % 2 ? [...builds].reverse() : builds;
      for (const build of order) record(`${engine} ${build}`, await moduleRun(build, engine, seed, passwordHash));
    }
    if (values.bare) record('bare sqlite (WAL)', await bareRun(seed));
  }
  console.log(`\n${ROUNDS} rounds, ${SECONDS} s each; median (min–max):`);
  for (const [key, runs] of Object.entries(results)) console.log(`${key}: ${summary(runs)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
