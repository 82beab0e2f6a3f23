// One Jest pass of `npm test` (scripts/test.mjs): its arguments, running it, and whether it counts as ok. Kept apart
// from the runner so its rules are unit-tested (scripts/lib/jest-pass.spec.mjs) without running the whole suite.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Jest options that narrow which tests run (each may take a value: `--opt=value` or `--opt value`). */
const FILTER_OPTIONS = new Set([
  '-t',
  '--testNamePattern',
  '--testPathPatterns',
  '--testPathPattern',
  '--selectProjects',
  '--findRelatedTests',
  '-o',
  '--onlyChanged',
  '--changedSince',
  '-f',
  '--onlyFailures',
  '--lastCommit',
  '--shard',
]);

/**
 * True if the arguments given to `npm test --` select tests: a path pattern (any argument that is not an option,
 * which may also be an option's value, erring on the side of a filter) or a filtering option.
 */
export function hasTestFilter(args) {
  return args.some((arg) => !arg.startsWith('-') || FILTER_OPTIONS.has(arg.split('=')[0]));
}

/**
 * Jest's arguments for one pass. Only a filtered run may have a pass that selects nothing (e.g. `npm test --
 * lib/` selects no e2e suite on the e2e-only passes): then `--passWithNoTests`, and `evaluateRun` asks for one
 * test in all. Unfiltered, Jest itself fails a pass that finds no tests.
 */
export function jestArguments({ root, projects, outputFile, userArgs = [], filtered = hasTestFilter(userArgs) }) {
  return [
    '--experimental-vm-modules',
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--selectProjects',
    ...projects,
    ...(filtered ? ['--passWithNoTests'] : []),
    '--json',
    '--outputFile',
    outputFile,
    ...userArgs,
  ];
}

/**
 * Whether one pass is ok, from Jest's exit status and its --json report (undefined if none was written):
 * exit 0, `success`, no failed test, no suite that failed to load, and at least one test unless the run is filtered.
 */
export function evaluatePass({ status, report, filtered = false }) {
  const passed = report?.numPassedTests ?? 0;
  // A suite that fails to load has no failed tests of its own; count it so it cannot pass unnoticed.
  const failed = (report?.numFailedTests ?? 0) + (report?.numRuntimeErrorTestSuites ?? 0);
  const pending = report?.numPendingTests ?? 0;
  const total = report?.numTotalTests ?? 0;
  let reason;
  if (!report) reason = `no report (jest exited with ${status})`;
  // With --passWithNoTests Jest reports success for zero tests: a renamed directory or a path filter that misses
  // must not read as ok.
  else if (total === 0 && !filtered) reason = 'ran no tests';
  else if (status !== 0) reason = `jest exited with ${status}`;
  else if (report.success !== true || failed > 0) reason = 'tests failed';
  return { passed, failed, pending, total, ok: reason === undefined, reason };
}

/** The whole run: every pass ok, and, when filtered (passes may then be empty), at least one test somewhere. */
export function evaluateRun(results, { filtered = false } = {}) {
  if (!results.every((result) => result.ok)) return { ok: false, reason: 'a pass failed' };
  if (filtered && results.reduce((sum, result) => sum + result.total, 0) === 0) {
    return { ok: false, reason: 'the filter selected no tests on any pass' };
  }
  return { ok: true };
}

/** The pass's slowest suites (path and seconds, slowest first), to see where CI time goes. */
export function slowestSuites(root, report, count = 5) {
  return (report?.testResults ?? [])
    .map((suite) => ({ path: relative(root, suite.name), seconds: (suite.endTime - suite.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count);
}

/** Jest's --json report at `outputFile`, or undefined if it wrote none. */
export function readJestReport(outputFile) {
  return existsSync(outputFile) ? JSON.parse(readFileSync(outputFile, 'utf8')) : undefined;
}

/**
 * Runs `node ...args` (a Jest) in `cwd` with `env`, its output in `logFile` if given (else on `stdio`), and kills
 * it after `timeoutMs`, if set: a leaked connection can keep Jest from exiting. Resolves to its exit status (null
 * if it did not start or was killed) and whether it timed out; `label` names it in the messages.
 */
export async function spawnJest({ cwd, args, env, timeoutMs, stdio = 'inherit', logFile, label }) {
  const log = logFile ? openSync(logFile, 'w') : undefined;
  const child = spawn(process.execPath, args, { cwd, stdio: log === undefined ? stdio : ['ignore', log, log], env });
  let timedOut = false;
  const timer = timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        console.error(`jest on ${label} did not finish within ${timeoutMs / 1000} s: killed`);
        child.kill('SIGKILL');
      }, timeoutMs)
    : undefined;
  const status = await new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(`jest on ${label} did not start: ${error.message}`);
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  clearTimeout(timer);
  if (log !== undefined) closeSync(log);
  return { status, timedOut };
}

/**
 * Runs one pass and evaluates it; `timeoutMs` kills a Jest that a leaked connection keeps from exiting. `tokenStore`:
 * where the test apps keep reset tokens (TOKEN_STORE, see test/fixtures/token-store.ts). `logFile`: Jest's output
 * goes there instead of this process's, so passes can run side by side and be printed one after another.
 */
export async function runJestPass({
  root,
  engine,
  adapter,
  tokenStore = 'database',
  projects,
  outputFile,
  userArgs = [],
  filtered,
  timeoutMs,
  stdio = 'inherit',
  logFile,
}) {
  const name = `${engine}/${adapter}${tokenStore === 'database' ? '' : ` + ${tokenStore} tokens`}`;
  const isFiltered = filtered ?? hasTestFilter(userArgs);
  const { status } = await spawnJest({
    cwd: root,
    args: jestArguments({ root, projects, outputFile, userArgs, filtered: isFiltered }),
    env: { ...process.env, DB_ENGINE: engine, HTTP_ADAPTER: adapter, TOKEN_STORE: tokenStore },
    timeoutMs,
    stdio,
    logFile,
    label: name,
  });
  const report = readJestReport(outputFile);
  return { name, ...evaluatePass({ status, report, filtered: isFiltered }), slowest: slowestSuites(root, report) };
}
