#!/usr/bin/env node
// `npm test`: builds dist/ (and the sample) when their sources are newer, runs the unit specs once and the black-box suites once per
// database engine (SQLite always; PostgreSQL and MariaDB when reachable, or required with REQUIRE_ALL_ENGINES=1) on the
// Express adapter, then once more on Fastify: on SQLite only, or on every engine with FASTIFY_ALL_ENGINES=1. One more
// pass keeps the tokens in Redis (users on SQLite) when Redis is reachable at REDIS_URL, or required as the engines are.
// Extra arguments go to Jest, e.g. `npm test -- test/e2e/smoke.e2e-spec.ts`. A pass that runs no test fails, unless
// those arguments filter the tests; then only a run with no test on any pass fails (scripts/lib/jest-pass.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateRun, hasTestFilter, runJestPass } from './lib/jest-pass.mjs';
import { reachable } from './lib/reachable.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const jestArgs = process.argv.slice(2);
// Filtered runs may leave a pass empty; scripts/compat-test.mjs filters to the core suite, where none may be.
const filtered = hasTestFilter(jestArgs) && process.env.EVERY_PASS_RUNS_TESTS !== '1';
const requireAll = process.env.REQUIRE_ALL_ENGINES === '1';
// The adapter only changes the HTTP layer, which no engine touches: one engine is enough to keep CI short.
const fastifyOnAllEngines = process.env.FASTIFY_ALL_ENGINES === '1';

// Same defaults as test/fixtures/test-database.ts.
const servers = {
  postgres: process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  mariadb: process.env.MARIADB_ADMIN_URL ?? 'mysql://root@127.0.0.1:3306/',
};
const defaultPorts = { postgres: 5432, mariadb: 3306 };
// Same default as test/fixtures/token-store.ts.
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const JEST_TIMEOUT_MS = 20 * 60_000;

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (the CLI suite runs it) and the sample (the many-instances suite starts it) when stale. */
function buildIfStale() {
  const hasSample = existsSync(join(root, 'sample', 'tsconfig.json'));
  const [output, sources, script] = hasSample
    ? ['sample/dist/main.js', ['lib', 'sample/src'], 'build:sample']
    : ['dist/index.js', ['lib'], 'build'];
  const built = join(root, output);
  const newest = Math.max(...sources.map((dir) => newestMtime(join(root, dir))));
  if (existsSync(built) && existsSync(join(root, 'dist', 'index.js')) && statSync(built).mtimeMs >= newest) return;
  console.log(`> npm run ${script}`);
  const { status } = spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    console.error(`npm run ${script} failed`);
    process.exit(1);
  }
}

/**
 * Runs one pass with its output in a log file, printed once the pass is over, so two passes can share the machine
 * without mixing their lines.
 */
async function runJest({ engine, adapter, tokenStore, projects }, file) {
  const tokens = tokenStore ? `, ${tokenStore} tokens` : '';
  const title = `jest on ${engine}/${adapter}${tokens} (${projects.join(' + ')})`;
  const started = Date.now();
  // A leaked connection keeps Jest from exiting: fail the engine rather than hang CI.
  const result = await runJestPass({
    root,
    engine,
    adapter,
    tokenStore,
    projects,
    outputFile: `${file}.json`,
    logFile: `${file}.log`,
    userArgs: jestArgs,
    filtered,
    timeoutMs: JEST_TIMEOUT_MS,
  });
  console.log(`\n> ${title}: ${Math.round((Date.now() - started) / 1000)} s\n${readFileSync(`${file}.log`, 'utf8')}`);
  return result;
}

/** Runs `passes` at most `lanes` at a time, longest first as listed; results in the listed order. */
async function runAll(passes, lanes) {
  const results = [];
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < passes.length; index = next++) {
      const pass = passes[index];
      results[index] = await runJest(
        pass,
        join(workDir, `${pass.engine}-${pass.adapter}-${pass.tokenStore ?? 'database'}`),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, passes.length) }, lane));
  return results;
}

buildIfStale();

// ts-jest compiles each file on its own without type-checking: check the whole tree (lib, tests, sample) once.
console.log('> tsc -p tsconfig.json --noEmit');
if (
  spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'],
    { cwd: root, stdio: 'inherit' },
  ).status !== 0
) {
  console.error('type errors');
  process.exit(1);
}

const engines = ['sqlite'];
const skipped = [];
for (const [engine, url] of Object.entries(servers)) {
  const { hostname, port } = new URL(url);
  const address = `${hostname}:${port || defaultPorts[engine]}`;
  if (await reachable(hostname, Number(port || defaultPorts[engine]))) engines.push(engine);
  else skipped.push(`${engine} (not reachable at ${address})`);
}
const redisPort = Number(redisUrl.port || 6379);
const withRedis = await reachable(redisUrl.hostname, redisPort);
if (!withRedis) {
  skipped.push(`redis tokens and the Redis suites (not reachable at ${redisUrl.hostname}:${redisPort})`);
  // The passes inherit it: the suites that need Redis skip themselves, with the reason in their names.
  process.env.TEST_REDIS = 'unreachable';
}

const workDir = mkdtempSync(join(tmpdir(), 'pr-test-'));
const passes = [
  ...engines.map((engine, index) => ({
    engine,
    adapter: 'express',
    projects: index === 0 ? ['unit', 'e2e'] : ['e2e'],
  })),
  ...(fastifyOnAllEngines ? engines : ['sqlite']).map((engine) => ({ engine, adapter: 'fastify', projects: ['e2e'] })),
  // The token store is below the HTTP layer and beside the user store: one engine for the users is enough.
  ...(withRedis ? [{ engine: 'sqlite', adapter: 'express', tokenStore: 'redis', projects: ['e2e'] }] : []),
];
// Each Jest pass uses one worker on a 2-core machine (cores - 1): two passes side by side use both cores.
const lanes = Number(process.env.TEST_PASSES_IN_PARALLEL ?? Math.max(1, Math.min(2, availableParallelism())));
console.log(`> ${passes.length} passes, ${lanes} at a time`);
const results = await runAll(passes, lanes);
rmSync(workDir, { recursive: true, force: true });

console.log('\nSummary');
for (const { name, passed, failed, pending, ok, reason } of results) {
  const counts = `${passed} passed, ${failed} failed, ${pending} skipped`;
  console.log(`  ${name}: ${ok ? 'ok' : `FAILED: ${reason}`} (${counts})`);
}
console.log('\nSlowest suites per pass');
for (const { name, slowest } of results) {
  console.log(`  ${name}: ${slowest.map(({ path, seconds }) => `${path} ${seconds.toFixed(0)} s`).join(', ')}`);
}
if (skipped.length) {
  console.log(`skipped passes: ${skipped.join(', ')}${requireAll ? ' (REQUIRE_ALL_ENGINES=1: a failure)' : ''}`);
}
const run = evaluateRun(results, { filtered });
if (!run.ok && run.reason !== 'a pass failed') console.log(`FAILED: ${run.reason}`);
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
const pending = results.reduce((sum, r) => sum + r.pending, 0);
const ok = run.ok && !(requireAll && skipped.length);
console.log(`overall: ${ok ? 'ok' : 'FAILED'} on ${results.map((r) => r.name).join(', ')}`);
console.log(`${pending} skipped`);
// The last line is the count scripts/compat-test.mjs reads.
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
