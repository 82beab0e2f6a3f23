#!/usr/bin/env node
/**
 * Does the request endpoint's response time tell whether an account exists?
 *
 * Starts the built sample (SQLite, its real nodemailer mailer) against a local SMTP sink, then sends
 * interleaved requests, in random order, for existing and for unknown accounts, one at a time, and compares
 * the two latency distributions (median, p90, p99, two-sample Kolmogorov–Smirnov).
 *
 *   node bench/timing-oracle.mjs [--requests 1000] [--graphql]
 *
 * Writes bench/timing-oracle.json and bench/timing-oracle.svg and prints a Markdown section. `--graphql` sends the
 * `requestPasswordReset` mutation to the sample's /graphql instead (GRAPHQL=true: Apollo on Express, or Mercurius
 * with HTTP_ADAPTER=fastify) and writes bench/timing-oracle-graphql.json and .svg.
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { timedPost } from './lib/load.mjs';
import { kolmogorovSmirnov, summarise } from './lib/stats.mjs';
import { buildSample, freePort, ROOT, startSample, UNTHROTTLED, writeSeedFile } from './lib/sample-process.mjs';
import { cdfPlot } from './lib/svg-plot.mjs';

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1]]));
const perGroup = Number(args.get('--requests') ?? 1000);
const graphql = args.has('--graphql');
const output = graphql ? 'bench/timing-oracle-graphql' : 'bench/timing-oracle';
const REQUEST_MUTATION = 'mutation Request($email: String!) { requestPasswordReset(email: $email) { status } }';
const ACCOUNTS = 50;
const WARMUP = 200;

async function startSmtpSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received: () => received, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function main() {
  buildSample(args.has('--build'));
  const smtp = await startSmtpSink();
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
    email: `member${i}@example.com`,
    username: `member${i}`,
    password: null,
    isActive: true,
  }));
  // Password-less accounts would be ineligible: give them a password (hashed once by the seeder).
  for (const account of accounts) account.password = 'Bench-password-1';
  const seed = writeSeedFile(accounts);
  const port = await freePort();
  const sample = await startSample({
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(seed.dir, 'bench.sqlite')}`,
    SEED_FILE: seed.file,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    ...UNTHROTTLED,
    ...(graphql ? { GRAPHQL: 'true' } : {}),
  });
  // One request for a reset, by route or by mutation; any answer but OK stops the run.
  const ask = graphql
    ? (email) =>
        timedPost(`${sample.url}/graphql`, { query: REQUEST_MUTATION, variables: { email } }, 200, (text) => {
          const answer = JSON.parse(text);
          return !answer.errors && answer.data?.requestPasswordReset?.status === 'OK';
        })
    : (email) => timedPost(`${sample.url}/api/password_reset/`, { email }, 200, (text) => text === '{"status":"OK"}');

  try {
    const plan = [
      ...Array.from({ length: perGroup }, () => 'existing'),
      ...Array.from({ length: perGroup }, () => 'unknown'),
    ];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    const emailFor = (kind, i) =>
      kind === 'existing' ? `member${i % ACCOUNTS}@example.com` : `nobody${i}-${randomInt(1e9)}@example.com`;
    // Every existing-account request must really produce a mail, or the comparison means nothing.
    const waitForMails = async (count) => {
      const deadline = Date.now() + 60_000;
      while (smtp.received() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return smtp.received();
    };
    for (let i = 0; i < WARMUP; i++) await ask(emailFor(i % 2 ? 'existing' : 'unknown', i));
    const mailsBefore = await waitForMails(WARMUP / 2);

    const latencies = { existing: [], unknown: [] };
    for (const [i, kind] of plan.entries()) latencies[kind].push(await ask(emailFor(kind, i)));
    const mails = (await waitForMails(mailsBefore + perGroup)) - mailsBefore;

    const existing = summarise(latencies.existing);
    const unknown = summarise(latencies.unknown);
    const ks = kolmogorovSmirnov(latencies.existing, latencies.unknown);
    const medianGap = Math.abs(existing.median - unknown.median) / unknown.median;
    const result = {
      date: new Date().toISOString(),
      endpoint: graphql
        ? `POST /graphql requestPasswordReset (${process.env.HTTP_ADAPTER || 'express'})`
        : 'POST /api/password_reset/',
      requestsPerGroup: perGroup,
      mailsDelivered: mails,
      existing: { median: existing.median, p90: existing.p90, p99: existing.p99, mean: existing.mean },
      unknown: { median: unknown.median, p90: unknown.p90, p99: unknown.p99, mean: unknown.mean },
      medianGap,
      ks,
      goals: { medianWithin5Percent: medianGap <= 0.05, pAbove001: ks.p > 0.01, allMailsSent: mails === perGroup },
    };
    writeFileSync(join(ROOT, `${output}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(
      join(ROOT, `${output}.svg`),
      cdfPlot({
        title: `${graphql ? 'requestPasswordReset' : 'Request'} latency, ${perGroup} requests each (sample app, SQLite, SMTP)`,
        series: [
          { label: 'existing account', values: existing.sorted, color: '#d62728' },
          { label: 'unknown account', values: unknown.sorted, color: '#1f77b4' },
        ],
        xLabel: 'latency (ms)',
      }),
    );
    const f = (n) => n.toFixed(3);
    console.log(
      [
        `| accounts | n | median ms | p90 ms | p99 ms |`,
        `|---|---|---|---|---|`,
        `| existing | ${perGroup} | ${f(existing.median)} | ${f(existing.p90)} | ${f(existing.p99)} |`,
        `| unknown | ${perGroup} | ${f(unknown.median)} | ${f(unknown.p90)} | ${f(unknown.p99)} |`,
        '',
        `medians differ by ${(medianGap * 100).toFixed(2)}% (goal ≤ 5%: ${result.goals.medianWithin5Percent ? 'met' : 'NOT met'}); ` +
          `KS D = ${ks.d.toFixed(4)}, p = ${ks.p.toFixed(4)} (goal p > 0.01: ${result.goals.pAbove001 ? 'met' : 'NOT met'}); ` +
          `mails delivered: ${mails}/${perGroup}`,
      ].join('\n'),
    );
    if (!result.goals.allMailsSent) process.exitCode = 1;
  } finally {
    await sample.stop();
    await smtp.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
