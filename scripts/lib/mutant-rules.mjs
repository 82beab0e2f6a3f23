// The rules of `npm run test:mutants` (scripts/mutants.mjs): applying a mutant, and what a Jest run of its suites
// means. Kept apart from the runner so they are unit-tested (scripts/lib/mutant-rules.spec.mjs).
import { basename, join } from 'node:path';

/**
 * The mutated text. Throws unless `find` (exact text or a RegExp) occurs exactly once, so a mutant whose source
 * changed cannot silently stop applying.
 */
export function applyMutant({ name, file, find, replace }, source) {
  const once = find instanceof RegExp ? new RegExp(find.source, find.flags.replace('g', '')) : undefined;
  const count = once
    ? [...source.matchAll(new RegExp(once.source, `${once.flags}g`))].length
    : source.split(find).length - 1;
  if (count !== 1) throw new Error(`${name}: its find text occurs ${count} times in ${file} (must be once)`);
  // A function keeps `$&` and the like in an exact replacement literal.
  return once ? source.replace(once, replace) : source.replace(find, () => replace);
}

/** The first failed test, as `suite file › full test name`, looking at the suites in the list's order. */
function firstFailure(report, root, suites) {
  for (const suite of suites) {
    const ran = report.testResults.find((result) => result.name === join(root, suite));
    const failed = ran?.assertionResults.find((test) => test.status === 'failed');
    if (failed) return `${basename(suite)} › ${failed.fullName}`;
  }
  return 'a test outside the listed suites';
}

/**
 * What a Jest run of a mutant's `suites` (paths relative to `root`) says about it, from its exit status and
 * --json report: killed by a failed test, even if Jest then hung (it writes the report before it waits for open
 * handles); invalid when no test could fail for the mutant's behaviour (a suite that did not load, a timeout, no
 * report, a failing exit without a failed test); else survived.
 */
export function mutantOutcome({ status, timedOut, report }, { root, suites, timeoutSeconds }) {
  if (report?.numRuntimeErrorTestSuites > 0) {
    const broken = report.testResults.find((suite) => suite.status === 'failed' && !suite.assertionResults.length);
    return { status: 'invalid', detail: `a suite failed to load: ${broken?.message.trim().split('\n')[0] ?? '?'}` };
  }
  if (report?.numFailedTests > 0) return { status: 'killed', detail: firstFailure(report, root, suites) };
  if (timedOut) return { status: 'invalid', detail: `timed out after ${timeoutSeconds} s` };
  if (!report) return { status: 'invalid', detail: `no Jest report (exit ${status})` };
  if (status !== 0) return { status: 'invalid', detail: `jest exited with ${status} but no test failed` };
  return { status: 'survived', detail: `${report.numPassedTests} tests passed` };
}
