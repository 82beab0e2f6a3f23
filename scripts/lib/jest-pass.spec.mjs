import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluatePass, evaluateRun, hasTestFilter, jestArguments, runJestPass, slowestSuites } from './jest-pass.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const report = (counts) => ({
  success: true,
  numPassedTests: 0,
  numFailedTests: 0,
  numPendingTests: 0,
  numTotalTests: 0,
  numRuntimeErrorTestSuites: 0,
  ...counts,
});

describe('a Jest pass of npm test', () => {
  it('tells filtering arguments from others', () => {
    expect(hasTestFilter([])).toBe(false);
    expect(hasTestFilter(['--verbose', '--runInBand'])).toBe(false);
    expect(hasTestFilter(['test/e2e/smoke.e2e-spec.ts'])).toBe(true);
    expect(hasTestFilter(['-t', 'confirm'])).toBe(true);
    expect(hasTestFilter(['--testNamePattern=confirm'])).toBe(true);
    expect(hasTestFilter(['--testPathPatterns', '^/tmp/x/lib/'])).toBe(true);
  });

  it('lets a pass select no tests only when the run is filtered', () => {
    const common = { root, projects: ['e2e'], outputFile: '/tmp/report.json' };
    expect(jestArguments(common)).not.toContain('--passWithNoTests');
    expect(jestArguments({ ...common, userArgs: ['--verbose'] })).not.toContain('--passWithNoTests');
    expect(jestArguments({ ...common, userArgs: ['lib/'] })).toContain('--passWithNoTests');
    expect(jestArguments({ ...common, userArgs: ['lib/'], filtered: false })).not.toContain('--passWithNoTests');
  });

  it('fails a pass that ran no tests, even one Jest reports as a success', () => {
    expect(evaluatePass({ status: 0, report: report({}) })).toMatchObject({ ok: false, reason: 'ran no tests' });
    expect(evaluatePass({ status: 0, report: report({}), filtered: true })).toMatchObject({ ok: true, total: 0 });
  });

  it('fails a pass with failed tests, a suite that did not load, a non-zero exit or no report', () => {
    const ran = { numPassedTests: 3, numTotalTests: 3 };
    expect(evaluatePass({ status: 0, report: report(ran) })).toMatchObject({ ok: true, passed: 3, failed: 0 });
    expect(evaluatePass({ status: 1, report: report({ ...ran, success: false, numFailedTests: 1 }) }).ok).toBe(false);
    expect(evaluatePass({ status: 0, report: report({ ...ran, numRuntimeErrorTestSuites: 1 }) })).toMatchObject({
      ok: false,
      failed: 1,
    });
    expect(evaluatePass({ status: 1, report: report(ran) }).ok).toBe(false);
    expect(evaluatePass({ status: 0, report: undefined }).ok).toBe(false);
  });

  it('counts skipped tests', () => {
    const counts = { numPassedTests: 3, numPendingTests: 2, numTotalTests: 5 };
    expect(evaluatePass({ status: 0, report: report(counts) })).toMatchObject({ ok: true, pending: 2, total: 5 });
  });

  it('fails a filtered run that selected no test on any pass', () => {
    const empty = { ok: true, total: 0 };
    expect(evaluateRun([empty, empty], { filtered: true })).toMatchObject({ ok: false });
    expect(evaluateRun([empty, { ok: true, total: 4 }], { filtered: true })).toEqual({ ok: true });
    expect(
      evaluateRun([
        { ok: true, total: 4 },
        { ok: false, total: 1 },
      ]),
    ).toMatchObject({ ok: false });
  });

  it('names the slowest suites of a pass, relative to the root', () => {
    const suite = (name, seconds) => ({ name: join(root, name), startTime: 1_000, endTime: 1_000 + seconds * 1000 });
    const ran = report({ testResults: [suite('a.ts', 2), suite('b.ts', 9), suite('c.ts', 5)] });
    expect(slowestSuites(root, ran, 2)).toEqual([
      { path: 'b.ts', seconds: 9 },
      { path: 'c.ts', seconds: 5 },
    ]);
    expect(slowestSuites(root, undefined)).toEqual([]);
  });

  // A real Jest, as scripts/test.mjs starts it, with a path filter that matches nothing (a renamed directory, a
  // symlinked TMPDIR): the unit project only, so it cannot recurse into the suite.
  it('fails a real pass whose path filter matches nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pr-jest-pass-'));
    try {
      const pass = (filtered) =>
        runJestPass({
          root,
          engine: 'sqlite',
          adapter: 'express',
          projects: ['unit'],
          outputFile: join(dir, `${filtered}.json`),
          userArgs: ['--testPathPatterns', '^/no-such-directory/'],
          filtered,
          timeoutMs: 60_000,
          stdio: 'ignore',
        });
      // As the compat run sees it (every pass must run tests) ...
      expect(await pass(false)).toMatchObject({ ok: false, total: 0 });
      // ... and as a local filtered run sees it: the pass may be empty, the run may not.
      const local = await pass(true);
      expect(local).toMatchObject({ ok: true, total: 0 });
      expect(evaluateRun([local], { filtered: true }).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
