#!/usr/bin/env node
// `npm run test:mutants`: proves the suites guard the README's promises. Applies each mutant of scripts/mutants.list.mjs,
// one at a time per throw-away copy of the checkout (two copies side by side on two cores), and runs only the suites
// listed for it (SQLite, Express); every mutant must make a test fail. First the same suites run unmutated, so a
// failure means the mutant caused it.
// A mutant that does not type-check, or that stops a suite from loading, is invalid rather than killed.
// Arguments: mutant names to run only those; --markdown prints the table for the docs.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { evaluatePass, readJestReport, spawnJest } from './lib/jest-pass.mjs';
import { applyMutant, mutantOutcome } from './lib/mutant-rules.mjs';
import allMutants from './mutants.list.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const names = args.filter((arg) => !arg.startsWith('--'));
// A mutant that makes a suite hang (a lost wake-up, a held lock) must end the run, not stall CI.
const JEST_TIMEOUT_MS = 3 * 60_000;

function fail(message) {
  console.error(`test:mutants: ${message}`);
  process.exit(1);
}

const unknown = names.filter((name) => !allMutants.some((mutant) => mutant.name === name));
if (unknown.length) fail(`no mutant named ${unknown.join(', ')}`);
const mutants = names.length ? allMutants.filter((mutant) => names.includes(mutant.name)) : allMutants;

for (const mutant of mutants) {
  for (const key of ['name', 'promise', 'file', 'replace']) {
    if (typeof mutant[key] !== 'string') fail(`${mutant.name ?? '?'}: ${key} must be a string`);
  }
  if (!mutant.suites?.length) fail(`${mutant.name}: lists no suite`);
  for (const suite of mutant.suites) if (!existsSync(join(root, suite))) fail(`${mutant.name}: no suite ${suite}`);
  mutant.original = readFileSync(join(root, mutant.file), 'utf8');
  try {
    mutant.mutated = applyMutant(mutant, mutant.original);
  } catch (error) {
    fail(`${error.message}: update the list`);
  }
}

/** The checkout as it is (tracked and new files, not ignored ones), with node_modules linked, not copied. */
function copyCheckout() {
  const work = mkdtempSync(join(tmpdir(), 'pr-mutants-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) fail(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(root, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(work, file)), { recursive: true });
    copyFileSync(join(root, file), join(work, file));
  }
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
  return work;
}

const projectOf = (suite) => (suite.startsWith('test/') ? 'e2e' : 'unit');

/**
 * One Jest run of `suites` in `work`, with `workers` workers. No --bail: with it Jest 30 exits before writing the
 * --json report, and for a mutant's one to three suites it would save little.
 */
async function jest(work, suites, workers) {
  const outputFile = join(work, '.mutants-report.json');
  const logFile = join(work, '.mutants-output.log');
  rmSync(outputFile, { force: true });
  const projects = [...new Set(suites.map(projectOf))];
  const started = Date.now();
  const { status, timedOut } = await spawnJest({
    cwd: work,
    // Jest 30 reads arguments after --selectProjects as project names: the paths go first.
    args: [
      '--experimental-vm-modules',
      join(work, 'node_modules', 'jest', 'bin', 'jest.js'),
      ...suites,
      '--selectProjects',
      ...projects,
      `--maxWorkers=${workers}`,
      '--ci',
      // A mutant can fail a test before its cleanup ran and leave a handle open; the verdict is in by then.
      '--forceExit',
      '--json',
      '--outputFile',
      outputFile,
    ],
    env: { ...process.env, DB_ENGINE: 'sqlite', HTTP_ADAPTER: 'express', FORCE_COLOR: '0' },
    timeoutMs: JEST_TIMEOUT_MS,
    logFile,
    label: `the suites of a mutant (${work})`,
  });
  const output = readFileSync(logFile, 'utf8');
  return { status, timedOut, output, report: readJestReport(outputFile), seconds: (Date.now() - started) / 1000 };
}

/**
 * Type errors of a mutated file (ts-jest only transpiles, so Jest alone would run code tsc refuses). Only that
 * file is checked, in the lib program of tsconfig.build.json; unchanged files are parsed once for all mutants.
 */
function createTypeChecker(work) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(work, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) =>
        fail(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
    },
  );
  const host = ts.createCompilerHost(config.options);
  const parsed = new Map();
  const getSourceFile = host.getSourceFile.bind(host);
  let override;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const path = resolve(fileName);
    if (override && path === override.path) return ts.createSourceFile(fileName, override.text, languageVersion, true);
    if (!parsed.has(path)) parsed.set(path, getSourceFile(fileName, languageVersion, ...rest));
    return parsed.get(path);
  };
  let oldProgram;
  return (file, text) => {
    override = { path: resolve(work, file), text };
    const program = ts.createProgram(config.fileNames, config.options, host, oldProgram);
    oldProgram = program;
    const sourceFile = program.getSourceFile(override.path);
    if (!sourceFile) fail(`${file} is not part of tsconfig.build.json`);
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    override = undefined;
    return diagnostics.map((diagnostic) => {
      const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      return `${file}:${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
  };
}

const startedAt = Date.now();
// Two copies run two mutants at once: most list one or two suites, so one Jest rarely fills both cores.
const lanes = Math.max(1, Math.min(2, availableParallelism(), mutants.length));
const works = Array.from({ length: lanes }, copyCheckout);
// Also on `fail` and Ctrl-C, which end the process without unwinding.
process.on('exit', () => works.forEach((work) => rmSync(work, { recursive: true, force: true })));
process.on('SIGINT', () => process.exit(130));
// Baseline: every listed suite passes unmutated, and runs at least one test.
const suites = [...new Set(mutants.flatMap((mutant) => mutant.suites))].sort();
console.log(`baseline: ${suites.length} suites unmutated`);
const baseline = await jest(works[0], suites, 2);
const pass = evaluatePass({ status: baseline.status, report: baseline.report });
if (!pass.ok) {
  console.log(baseline.output);
  fail(`the suites fail without a mutant (${pass.reason}): fix them first`);
}
for (const suite of suites) {
  const ran = baseline.report.testResults.find((result) => result.name === join(works[0], suite));
  if (!ran?.assertionResults.some((test) => test.status === 'passed')) fail(`${suite} passed no test unmutated`);
}
console.log(`baseline: ${pass.passed} tests passed in ${baseline.seconds.toFixed(0)} s\n`);

// Only the mutated file's text differs between copies: one checker serves both.
const typeErrors = createTypeChecker(works[0]);
const results = [];

async function runMutant(work, mutant) {
  const errors = typeErrors(mutant.file, mutant.mutated);
  if (errors.length) return { name: mutant.name, status: 'invalid', detail: `type error: ${errors[0]}`, seconds: 0 };
  const path = join(work, mutant.file);
  writeFileSync(path, mutant.mutated);
  const ran = await jest(work, mutant.suites, lanes === 1 ? 2 : 1);
  writeFileSync(path, mutant.original);
  const result = {
    name: mutant.name,
    ...mutantOutcome(ran, { root: work, suites: mutant.suites, timeoutSeconds: JEST_TIMEOUT_MS / 1000 }),
    seconds: ran.seconds,
  };
  if (result.status === 'invalid') console.log(ran.output);
  return result;
}

let next = 0;
await Promise.all(
  works.map(async (work) => {
    for (let index = next++; index < mutants.length; index = next++) {
      const mutant = mutants[index];
      const result = await runMutant(work, mutant);
      // In the list's order, whichever copy ran it.
      results[index] = { ...result, promise: mutant.promise };
      console.log(`${result.status.padEnd(8)} ${mutant.name} (${result.seconds.toFixed(1)} s): ${result.detail}`);
    }
  }),
);

const total = (Date.now() - startedAt) / 1000;
const bad = results.filter((result) => result.status !== 'killed');
console.log('');
if (markdown) {
  console.log('| mutant | README promise | killed by | s |');
  console.log('|---|---|---|---:|');
  for (const { name, promise, status, detail, seconds } of results) {
    const by = status === 'killed' ? detail : `**${status.toUpperCase()}**: ${detail}`;
    console.log(`| \`${name}\` | ${promise} | ${by.replaceAll('|', '\\|')} | ${seconds.toFixed(1)} |`);
  }
} else {
  const width = Math.max(...results.map((result) => result.name.length));
  console.log(`${'mutant'.padEnd(width)}  ${'result'.padEnd(8)}  ${'s'.padStart(5)}  killed by`);
  for (const { name, status, detail, seconds } of results) {
    console.log(`${name.padEnd(width)}  ${status.padEnd(8)}  ${seconds.toFixed(1).padStart(5)}  ${detail}`);
  }
}
console.log(`\n${results.length - bad.length} of ${results.length} mutants killed in ${total.toFixed(0)} s`);
if (bad.length) console.log(`not killed: ${bad.map((result) => `${result.name} (${result.status})`).join(', ')}`);
process.exit(bad.length ? 1 : 0);
