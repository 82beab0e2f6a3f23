#!/usr/bin/env node
/**
 * With account-bound codes, does validate's response time tell whether an account exists, or has a code?
 *
 * Starts the built sample with RESET_CODES=true (6-digit codes bound to the account) over a database of its
 * own, seeds accounts straight into it, has codes issued through the API for half of them, then sends
 * validate calls with wrong codes, in random order, one at a time, in three groups: unknown accounts,
 * accounts without a code, and accounts with a live code. Each account is named once, so no code is revoked
 * and no limit is met (the throttles are off). Compares each group's latencies with the live-code group's
 * (median ratio, two-sample Kolmogorov–Smirnov).
 *
 *   node bench/account-bound-timing.mjs [--requests 300] [--db sqlite|postgres]
 *
 * Writes bench/account-bound-timing-<db>.json and prints a Markdown section.
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { createBenchDb, seedAccounts, seededEmail } from './lib/bench-db.mjs';
import { timedPost } from './lib/load.mjs';
import { kolmogorovSmirnov, summarise } from './lib/stats.mjs';
import { buildSample, freePort, ROOT, startSample, UNTHROTTLED, writeSeedFile } from './lib/sample-process.mjs';

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1]]));
const perGroup = Number(args.get('--requests') ?? 300);
const dbKind = args.get('--db') ?? 'sqlite';
const WARMUP = 100;
const TOKEN_SECRET = 'bench-token-secret-of-at-least-32-characters';
const GROUPS = ['unknown', 'no code', 'live code'];

async function main() {
  buildSample(args.has('--build'));
  // Accounts 0..n-1 get a code, n..2n-1 do not; the warm-up uses accounts of its own (2n..2n+WARMUP-1).
  const withCode = perGroup + WARMUP;
  const seed = writeSeedFile([]);
  const db = await createBenchDb(dbKind, seed.dir);
  const port = await freePort();
  const sample = await startSample({
    PORT: String(port),
    DATABASE_URL: db.url,
    SEED_FILE: seed.file,
    RESET_CODES: 'true',
    TOKEN_SECRET,
    ...UNTHROTTLED,
    ACCOUNT_PER_CLIENT_THROTTLE_LIMIT: '0',
    GUESS_THROTTLE_LIMIT: '0',
  });
  try {
    const passwordHash = await bcrypt.hash('Bench-password-1', 4);
    await seedAccounts(db, { from: 0, count: withCode + perGroup, passwordHash });
    for (let i = 0; i < withCode; i++) {
      await timedPost(`${sample.url}/api/password_reset/`, { email: seededEmail(i) });
    }
    // The codes are issued after the answer: wait until every one is stored.
    const deadline = Date.now() + 120_000;
    const stored = async () => Number((await db.query('SELECT COUNT(*) AS "n" FROM "password_reset_tokens"'))[0].n);
    while ((await stored()) < withCode && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const codes = await stored();
    if (codes < withCode) throw new Error(`only ${codes} of ${withCode} codes were issued`);

    const validate = (email) =>
      timedPost(
        `${sample.url}/api/password_reset/validate_token/`,
        { token: String(randomInt(100000, 1000000)), email },
        404,
      );
    const target = {
      unknown: (i) => `nobody${i}-${randomInt(1e9)}@example.com`,
      'no code': (i) => seededEmail(withCode + i),
      'live code': (i) => seededEmail(WARMUP + i),
    };
    for (let i = 0; i < WARMUP; i++) {
      await validate(
        i % 3 === 0 ? seededEmail(i) : i % 3 === 1 ? seededEmail(withCode + (i % perGroup)) : target.unknown(i),
      );
    }

    const plan = GROUPS.flatMap((group) => Array.from({ length: perGroup }, (_, i) => [group, i]));
    for (let i = plan.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    const latencies = Object.fromEntries(GROUPS.map((group) => [group, []]));
    for (const [group, i] of plan) latencies[group].push(await validate(target[group](i)));
    // Every live-code account must still hold its code with one counted miss, or the groups were not what they say.
    const counted = Number(
      (await db.query('SELECT COUNT(*) AS "n" FROM "password_reset_tokens" WHERE "failedAttempts" = 1'))[0].n,
    );

    const live = summarise(latencies['live code']);
    const result = {
      date: new Date().toISOString(),
      database: dbKind,
      requestsPerGroup: perGroup,
      liveCodesWithOneMiss: counted,
      groups: {},
    };
    for (const group of GROUPS) {
      const s = summarise(latencies[group]);
      const ks = group === 'live code' ? null : kolmogorovSmirnov(latencies[group], latencies['live code']);
      const ratio = s.median / live.median;
      result.groups[group] = {
        median: s.median,
        p90: s.p90,
        p99: s.p99,
        mean: s.mean,
        medianRatioToLiveCode: ratio,
        ks,
        goals: ks && { medianRatioWithin10Percent: ratio >= 0.9 && ratio <= 1.1, pAbove001: ks.p > 0.01 },
      };
    }
    writeFileSync(join(ROOT, `bench/account-bound-timing-${dbKind}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const f = (n) => n.toFixed(3);
    const rows = GROUPS.map((group) => {
      const g = result.groups[group];
      const vs = g.ks ? `${f(g.medianRatioToLiveCode)} | D = ${g.ks.d.toFixed(3)}, p = ${g.ks.p.toFixed(3)}` : '1 | —';
      return `| ${group} | ${perGroup} | ${f(g.median)} | ${f(g.p90)} | ${f(g.p99)} | ${vs} |`;
    });
    console.log(
      [
        `| account | n | median ms | p90 ms | p99 ms | median ratio to live code | KS vs live code |`,
        `|---|---|---|---|---|---|---|`,
        ...rows,
        '',
        `live-code accounts with exactly one counted miss: ${counted} (expected ${perGroup + Math.ceil(WARMUP / 3)})`,
      ].join('\n'),
    );
  } finally {
    await sample.stop();
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
