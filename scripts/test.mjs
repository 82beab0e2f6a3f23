#!/usr/bin/env node
// `npm test`: builds dist/ (and the sample) when their sources are newer, runs the unit specs once and the black-box suites once per
// database engine (SQLite always; PostgreSQL and MariaDB when reachable, or required with REQUIRE_ALL_ENGINES=1) on the
// Express adapter, then once more on Fastify: on SQLite only, or on every engine with FASTIFY_ALL_ENGINES=1.
// Extra arguments go to Jest, e.g. `npm test -- test/e2e/smoke.e2e-spec.ts`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const jestArgs = process.argv.slice(2);
const requireAll = process.env.REQUIRE_ALL_ENGINES === '1';
// The adapter only changes the HTTP layer, which no engine touches: one engine is enough to keep CI short.
const fastifyOnAllEngines = process.env.FASTIFY_ALL_ENGINES === '1';

// Same defaults as test/fixtures/test-database.ts.
const servers = {
  postgres: process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  mariadb: process.env.MARIADB_ADMIN_URL ?? 'mysql://root@127.0.0.1:3306/',
};
const defaultPorts = { postgres: 5432, mariadb: 3306 };
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

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function runJest({ engine, adapter, projects }, outputFile) {
  const name = `${engine}/${adapter}`;
  console.log(`\n> jest on ${name} (${projects.join(' + ')})`);
  const args = [
    '--experimental-vm-modules',
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--selectProjects',
    ...projects,
    '--passWithNoTests',
    '--json',
    '--outputFile',
    outputFile,
    ...jestArgs,
  ];
  const { status, error } = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DB_ENGINE: engine, HTTP_ADAPTER: adapter },
    // A leaked connection keeps Jest from exiting; fail the engine rather than hang CI.
    timeout: JEST_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (error) console.error(`jest on ${name} did not finish: ${error.message}`);
  const report = existsSync(outputFile) ? JSON.parse(readFileSync(outputFile, 'utf8')) : undefined;
  const passed = report?.numPassedTests ?? 0;
  // A suite that fails to load has no failed tests of its own; count it so it cannot pass unnoticed.
  const failed = (report?.numFailedTests ?? 0) + (report?.numRuntimeErrorTestSuites ?? 0);
  return { name, passed, failed, ok: status === 0 && report?.success === true && failed === 0 };
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

const workDir = mkdtempSync(join(tmpdir(), 'pr-test-'));
const passes = [
  ...engines.map((engine, index) => ({
    engine,
    adapter: 'express',
    projects: index === 0 ? ['unit', 'e2e'] : ['e2e'],
  })),
  ...(fastifyOnAllEngines ? engines : ['sqlite']).map((engine) => ({ engine, adapter: 'fastify', projects: ['e2e'] })),
];
const results = passes.map((pass) => runJest(pass, join(workDir, `${pass.engine}-${pass.adapter}.json`)));
rmSync(workDir, { recursive: true, force: true });

console.log('\nSummary');
for (const { name, passed, failed, ok } of results) {
  console.log(`  ${name}: ${ok ? 'ok' : 'FAILED'} (${passed} passed, ${failed} failed)`);
}
if (skipped.length) {
  console.log(`skipped engines: ${skipped.join(', ')}${requireAll ? ' (REQUIRE_ALL_ENGINES=1: a failure)' : ''}`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
const ok = results.every((r) => r.ok) && !(requireAll && skipped.length);
console.log(`overall: ${ok ? 'ok' : 'FAILED'} on ${results.map((r) => r.name).join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
