#!/usr/bin/env node
// `npm run test:compat`: the core suite (lib/ unit specs and test/e2e, through scripts/test.mjs, so on every reachable
// engine and with the same type-check) against the oldest majors the peer ranges admit: Nest 11, @nestjs/event-emitter 3
// and TypeORM 0.3. It runs in a throw-away copy outside the repository with a fresh install, never touching node_modules here.
// `--keep` leaves the copy in place (its path is printed) to rerun or inspect it.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');

/**
 * What the suite needs, and nothing built: dist/ and sample/dist/ are rebuilt against the copy's packages. The sample
 * comes along because test/e2e/many-instances starts it and test/fixtures imports its types.
 */
const COPIED = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'jest.config.js',
  'scripts/test.mjs',
  'scripts/lib',
  'lib',
  'test',
  'sample/src',
  'sample/public',
  'sample/seed.json',
  'sample/tsconfig.json',
];

/**
 * The Nest 11 line of every Nest-versioned dev dependency (npm resolves each range to its newest release). Packages
 * not listed here are kept as they are: @nestjs/throttler 6 and the others declare Nest 11 and 12 alike.
 */
const NEST_11 = {
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/testing': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  '@nestjs/platform-fastify': '^11.0.0',
  '@nestjs/typeorm': '^11.0.0',
  '@nestjs/event-emitter': '^3.0.0',
  '@nestjs/swagger': '^11.0.0',
  '@nestjs/config': '^4.0.0',
  '@nestjs/graphql': '^13.0.0',
  '@nestjs/apollo': '^13.0.0',
  '@nestjs/mercurius': '^13.0.0',
  typeorm: '~0.3.20',
};
const REPORTED = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/typeorm',
  '@nestjs/event-emitter',
  '@nestjs/swagger',
  '@nestjs/graphql',
  '@nestjs/apollo',
  '@nestjs/mercurius',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  'typeorm',
];

/** Suites of the copied tree left out, each with why; Jest only gets paths matching the core suite. */
const EXCLUDED = {
  'test/sample/':
    "the sample app's own behaviour (page, config, throttle storage), not the library's; it runs on Nest 12 in `npm test`",
};
const CORE_SUITE = ['lib/', 'test/e2e/'];

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

function finish(ok, passed, failed, why) {
  if (why) console.error(`compat: ${why}`);
  if (keep) console.log(`copy kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  console.log(`compat (Nest 11, TypeORM 0.3): ${ok ? 'ok' : 'FAILED'} in ${seconds(started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(ok ? 0 : 1);
}

// Real path: Jest matches path filters against its realpath'd rootDir, so a symlinked TMPDIR would select nothing.
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'pr-compat-')));
for (const path of COPIED) cpSync(join(root, path), join(dir, path), { recursive: true });

const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
for (const [name, range] of Object.entries(NEST_11)) {
  if (name in manifest.devDependencies) manifest.devDependencies[name] = range;
}
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

console.log(
  `> npm install in ${dir} (${Object.entries(NEST_11)
    .map(([name, range]) => `${name}@${range}`)
    .join(', ')})`,
);
const installStarted = Date.now();
const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
  cwd: dir,
  stdio: 'inherit',
});
if (install.status !== 0) finish(false, 0, 0, 'npm install failed');
console.log(`installed in ${seconds(installStarted)}`);

console.log('\n> npm ls (the versions under test)');
spawnSync('npm', ['ls', '--depth=0', ...REPORTED], { cwd: dir, stdio: 'inherit' });

for (const [path, why] of Object.entries(EXCLUDED)) console.log(`excluded ${path}: ${why}`);
const patterns = CORE_SUITE.map((path) => `^${join(dir, path)}`);

// scripts/test.mjs builds, type-checks and runs every reachable engine (REQUIRE_ALL_ENGINES passes through); its last
// line is the count.
let output = '';
const child = spawn(process.execPath, [join(dir, 'scripts', 'test.mjs'), ...patterns], {
  cwd: dir,
  // The patterns cover every pass: one that selects no test is a failure here, not a narrow local run.
  env: { ...process.env, EVERY_PASS_RUNS_TESTS: '1' },
  stdio: ['inherit', 'pipe', 'inherit'],
});
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
const status = await new Promise((resolve) => child.on('close', resolve));
const [, passed = 0, failed = 0] = output.match(/^(\d+) passed, (\d+) failed$/m) ?? [];
finish(
  status === 0,
  Number(passed),
  Number(failed),
  status === 0 ? undefined : `scripts/test.mjs exited with ${status}`,
);
