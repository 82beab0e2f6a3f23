import { describe, expect, it } from '@jest/globals';
import { applyMutant, mutantOutcome } from './mutant-rules.mjs';

const mutant = { name: 'm', file: 'lib/x.ts', find: 'a < b', replace: 'a <= b' };
const suites = ['test/e2e/x.e2e-spec.ts', 'lib/y.spec.ts'];
const where = { root: '/work', suites, timeoutSeconds: 180 };
const suite = (path, ...tests) => ({
  name: `/work/${path}`,
  status: tests.some((test) => test.status === 'failed') ? 'failed' : 'passed',
  assertionResults: tests,
});
const report = (counts, testResults = []) => ({
  numPassedTests: 0,
  numFailedTests: 0,
  numRuntimeErrorTestSuites: 0,
  ...counts,
  testResults,
});

describe('the mutants of npm run test:mutants', () => {
  it('applies a mutant whose text occurs exactly once, and refuses otherwise', () => {
    expect(applyMutant(mutant, 'if (a < b) x();')).toBe('if (a <= b) x();');
    expect(() => applyMutant(mutant, 'if (a <= c) x();')).toThrow('m: its find text occurs 0 times in lib/x.ts');
    expect(() => applyMutant(mutant, 'a < b || a < b')).toThrow('occurs 2 times');
    // Exact text is replaced literally; a RegExp may use its groups.
    expect(applyMutant({ ...mutant, find: 'x', replace: '$&$&' }, 'x;')).toBe('$&$&;');
    expect(applyMutant({ ...mutant, find: /(\w+) < (\w+)/g, replace: '$2 > $1' }, 'a < b;')).toBe('b > a;');
    expect(() => applyMutant({ ...mutant, find: /\w < \w/ }, 'a < b, c < d')).toThrow('occurs 2 times');
  });

  it('counts a mutant killed by a failed test, named by the first listed suite that has one', () => {
    const ran = report({ numFailedTests: 2, numPassedTests: 1 }, [
      suite('lib/y.spec.ts', { status: 'failed', fullName: 'y fails' }),
      suite('test/e2e/x.e2e-spec.ts', { status: 'passed', fullName: 'x 1' }, { status: 'failed', fullName: 'x 2' }),
    ]);
    expect(mutantOutcome({ status: 1, report: ran }, where)).toEqual({
      status: 'killed',
      detail: 'x.e2e-spec.ts › x 2',
    });
  });

  it('calls a mutant invalid when no test could fail on its behaviour', () => {
    const loadError = report({ numFailedTests: 1, numRuntimeErrorTestSuites: 1 }, [
      { name: '/work/lib/y.spec.ts', status: 'failed', assertionResults: [], message: '  SyntaxError: x\n  at y' },
    ]);
    expect(mutantOutcome({ status: 1, report: loadError }, where)).toEqual({
      status: 'invalid',
      detail: 'a suite failed to load: SyntaxError: x',
    });
    expect(mutantOutcome({ status: null, timedOut: true }, where)).toMatchObject({ status: 'invalid' });
    expect(mutantOutcome({ status: 1 }, where)).toEqual({ status: 'invalid', detail: 'no Jest report (exit 1)' });
    expect(mutantOutcome({ status: 1, report: report({ numPassedTests: 3 }) }, where)).toMatchObject({
      status: 'invalid',
    });
  });

  it('counts a failed test even when Jest then hung on an open handle', () => {
    const ran = report({ numFailedTests: 1 }, [suite(suites[0], { status: 'failed', fullName: 'x 1' })]);
    expect(mutantOutcome({ status: null, timedOut: true, report: ran }, where)).toEqual({
      status: 'killed',
      detail: 'x.e2e-spec.ts › x 1',
    });
    expect(mutantOutcome({ status: null, timedOut: true, report: report({ numPassedTests: 3 }) }, where)).toEqual({
      status: 'invalid',
      detail: 'timed out after 180 s',
    });
  });

  it('lets a mutant survive when every test passed', () => {
    expect(mutantOutcome({ status: 0, report: report({ numPassedTests: 3 }) }, where)).toEqual({
      status: 'survived',
      detail: '3 tests passed',
    });
  });
});
