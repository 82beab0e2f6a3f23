#!/usr/bin/env node
/**
 * Where a build's CPU goes under load: starts the built sample of each build directory given (default: this
 * checkout) on a fresh database, profiles it (bench/lib/profiler-preload.mjs) over an autocannon run on validate
 * with an invalid token and on request for known accounts, and prints each profile's self time by area (idle left
 * out): TypeORM building queries, the rest of TypeORM, exceptions being built (their stack capture included), the
 * database driver, the framework, the package, the sample, and the rest. Profiles are kept in --out.
 *
 *   node bench/profile.mjs [--engine sqlite|postgres|mariadb] [--seconds 8] [--out DIR] [--smtp] [BUILD_DIR ...]
 *
 *   node bench/profile.mjs --analyse FILE.cpuprofile ...   (the same table for profiles already taken)
 *
 * --smtp: the sample mails to a counting SMTP sink (SMTP_CONNECTIONS as this process has it) instead of printing.
 *
 * A build directory is a checkout with `dist/` and `sample/dist/` built (e.g. `git worktree add` of an older commit
 * and `npm run build:sample` there, its node_modules linked to this one's).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcrypt';
import { createBenchDb, seedAccounts, seededEmail } from './lib/bench-db.mjs';
import { load, settle } from './lib/load.mjs';
import { startMailSinkThread } from './lib/mail-sink-thread.mjs';
import { freePort, ROOT, startSample, UNTHROTTLED, writeSeedFile } from './lib/sample-process.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const engine = option('--engine', 'sqlite');
const seconds = Number(option('--seconds', 8));
const out = resolve(option('--out', join(ROOT, 'bench/profiles')));
const smtp = argv.includes('--smtp');
const VALUED = new Set(['--engine', '--seconds', '--out']);
const builds = argv.filter((arg, i) => !arg.startsWith('--') && !VALUED.has(argv[i - 1]));
const ACCOUNTS = 500;
const API = '/api/password_reset/';
/** Path, body, and the sample's environment over the unthrottled one. */
const ENDPOINTS = {
  'validate (invalid token)': [`${API}validate_token/`, () => ({ token: randomBytes(48).toString('base64url') }), {}],
  'request (known account)': [API, () => ({ email: seededEmail(randomInt(ACCOUNTS)) }), {}],
  'request refused (429)': [API, () => ({ email: seededEmail(randomInt(ACCOUNTS)) }), { REQUEST_THROTTLE_LIMIT: '1' }],
};

/** The area a profile node's self time counts for. */
function area({ url, functionName }) {
  const typeorm = /node_modules\/typeorm\/(?:browser\/)?([^/]+)\//.exec(url);
  if (typeorm) {
    const building = ['query-builder', 'repository', 'find-options', 'entity-manager', 'persistence'];
    return building.includes(typeorm[1]) ? 'TypeORM building queries' : 'TypeORM, the rest';
  }
  // Not Node's own DOMException (an aborted stream's): that is Node's work.
  if (!url.startsWith('node:') && /Exception$|^Error$|captureStackTrace/.test(functionName)) return 'exceptions built';
  if (/node_modules\/(better-sqlite3|pg|pg-protocol|mysql2)\//.test(url)) return 'database driver';
  if (/node_modules\/(@nestjs|express|router|body-parser|fastify|@fastify|find-my-way|light-my-request)/.test(url)) {
    return 'framework (Nest, Express/Fastify)';
  }
  if (/node_modules\/nodemailer\//.test(url)) return 'nodemailer';
  if (url.includes('/node_modules/')) return 'other packages';
  if (/\/sample\/dist\//.test(url)) return 'the sample';
  if (/\/dist\//.test(url)) return 'nestjs-password-reset';
  if (functionName === '(garbage collector)') return 'garbage collector';
  return 'Node, HTTP, native';
}

function shares(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const { callFrame } = nodes.get(id);
    if (callFrame.functionName === '(idle)') return;
    const us = profile.timeDeltas[i] ?? 0;
    busy += us;
    totals.set(area(callFrame), (totals.get(area(callFrame)) ?? 0) + us);
  });
  return { busyMs: busy / 1000, shares: new Map([...totals].map(([name, us]) => [name, (100 * us) / busy])) };
}

async function profileBuild(build, label) {
  const seed = writeSeedFile([]);
  const passwordHash = await bcrypt.hash('Bench-password-1', 12);
  const results = [];
  for (const [endpoint, [path, body, limits]] of Object.entries(ENDPOINTS)) {
    const db = await createBenchDb(engine, seed.dir);
    const sink = smtp ? await startMailSinkThread() : undefined;
    const mail = sink ? { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port) } : {};
    const file = join(out, `${label}-${engine}-${endpoint.replace(/\W+/g, '-')}.cpuprofile`);
    const sample = await startSample(
      {
        PORT: String(await freePort()),
        DATABASE_URL: db.url,
        SEED_FILE: seed.file,
        ...UNTHROTTLED,
        ...limits,
        ...mail,
        PROFILE_OUT: file,
      },
      {
        script: join(build, 'sample/dist/main.js'),
        nodeArgs: ['--import', join(ROOT, 'bench/lib/profiler-preload.mjs')],
      },
    );
    await seedAccounts(db, { from: 0, count: ACCOUNTS, passwordHash });
    // Warm the code paths up before the profile starts.
    await load({ url: sample.url, path, body, duration: 1 }).result;
    await settle(sample.child.pid);
    sample.child.kill('SIGWINCH');
    await sleep(200);
    const run = await load({ url: sample.url, path, body, duration: seconds }).result;
    // The deferred work of the requests answered belongs to the profile too.
    await settle(sample.child.pid);
    sample.child.kill('SIGWINCH');
    while (!existsSync(`${file}.done`)) await sleep(100);
    await sample.stop();
    await sink?.close();
    await db.drop();
    results.push({ endpoint, rps: run.rps, statuses: run.statuses, ...shares(file) });
  }
  return results;
}

/** One Markdown table: a row per profile, a column per area. */
function printTable(title, rows) {
  const areas = [...new Set(rows.flatMap((row) => [...row.shares.keys()]))].sort();
  console.log(`\n${title}\n`);
  console.log(`| profile | req/s | ${areas.join(' | ')} |`);
  console.log(`|---|---|${areas.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const cells = areas.map((name) => `${(row.shares.get(name) ?? 0).toFixed(1)}%`);
    console.log(`| ${row.label} | ${row.rps === undefined ? '' : row.rps.toFixed(0)} | ${cells.join(' | ')} |`);
  }
}

if (argv.includes('--analyse')) {
  printTable(
    'Self time by area',
    builds.map((file) => ({ label: file, ...shares(file) })),
  );
} else {
  mkdirSync(out, { recursive: true });
  const runs = [];
  for (const [i, build] of (builds.length ? builds : [ROOT]).entries()) {
    const label = builds.length > 1 ? `build${i + 1}` : 'profile';
    runs.push({ build: resolve(build), results: await profileBuild(resolve(build), label) });
  }
  const rows = Object.keys(ENDPOINTS).flatMap((endpoint) =>
    runs.map(({ build, results }) => ({
      ...results.find((r) => r.endpoint === endpoint),
      label: `${endpoint}, ${build}`,
    })),
  );
  printTable(`Self time by area, ${engine}, ${seconds} s per endpoint (profiles in ${out})`, rows);
}
