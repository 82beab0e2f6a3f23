#!/usr/bin/env node
/**
 * What one SQLite commit of a token write costs in WAL mode with `synchronous = FULL` (SQLite's default) and with
 * `NORMAL` (what the sample opens its file with): better-sqlite3 is synchronous, so the whole commit, fsync
 * included, is time the event loop cannot serve anything else. A table shaped like `password_reset_tokens` (unique
 * userId and digest, indexed createdAt and expiresAt) with 1,000 rows on a file in the OS's temp directory; each
 * write replaces one random user's row in its own transaction, as the token store's UPDATE does. Rounds alternate
 * the two settings, each on a fresh file; the median round is reported.
 *
 *   node bench/sqlite-commit.mjs [--writes 5000] [--rounds 3]
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { summarise } from './lib/stats.mjs';

const { values: options } = parseArgs({
  options: { writes: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' } },
});
const WRITES = Number(options.writes);
const ROUNDS = Number(options.rounds);
const ROWS = 1000;
const SETTINGS = ['FULL', 'NORMAL'];

/** Per write: wall time and this process's CPU time (user + system), in microseconds. */
function round(synchronous) {
  const dir = mkdtempSync(join(tmpdir(), 'pr-sqlite-commit-'));
  const db = new Database(join(dir, 'tokens.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(`CREATE TABLE tokens (
      id INTEGER PRIMARY KEY, userId INTEGER NOT NULL UNIQUE, tokenDigest VARCHAR(64) NOT NULL UNIQUE,
      credentialFingerprint VARCHAR(64) NOT NULL, createdAt BIGINT NOT NULL, expiresAt BIGINT NOT NULL,
      ipAddress VARCHAR(45), userAgent VARCHAR(512) NOT NULL DEFAULT '', failedAttempts INT NOT NULL DEFAULT 0)`);
    db.exec('CREATE INDEX tokens_created ON tokens (createdAt); CREATE INDEX tokens_expires ON tokens (expiresAt)');
    const digest = () => randomBytes(32).toString('hex');
    const seed = db.prepare(
      'INSERT INTO tokens (userId, tokenDigest, credentialFingerprint, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let user = 1; user <= ROWS; user++) seed.run(user, digest(), digest(), Date.now(), Date.now() + 3.6e6);
    })();
    const write = db.prepare(
      'UPDATE tokens SET tokenDigest = ?, credentialFingerprint = ?, createdAt = ?, expiresAt = ?, ' +
        'failedAttempts = 0 WHERE userId = ? RETURNING id',
    );
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < WRITES; i++) {
      write.get(digest(), digest(), Date.now(), Date.now() + 3.6e6, randomInt(1, ROWS + 1));
    }
    const wall = Number(process.hrtime.bigint() - started) / 1e3 / WRITES;
    const { user, system } = process.cpuUsage(cpu);
    return { wall, cpu: (user + system) / WRITES };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = Object.fromEntries(SETTINGS.map((setting) => [setting, []]));
for (let r = 0; r < ROUNDS; r++) for (const setting of SETTINGS) results[setting].push(round(setting));
/** The median of the rounds' `key`, and the figure as printed: median (lowest–highest). */
const figure = (runs, key) => {
  const { median, sorted } = summarise(runs.map((run) => run[key]));
  return { median, text: `${median.toFixed(1)} (${sorted[0].toFixed(1)}–${sorted.at(-1).toFixed(1)})` };
};
console.log(
  [
    `${cpus()[0].model.trim()}, ${cpus().length} vCPU, Node.js ${process.versions.node}, temp dir ${tmpdir()}; ` +
      `${WRITES} writes per round, ${ROUNDS} rounds, median (range)`,
    '',
    '| WAL with synchronous = | wall µs per write | CPU µs per write | writes/s on one thread |',
    '|---|---:|---:|---:|',
    ...SETTINGS.map((setting) => {
      const [wall, cpu] = [figure(results[setting], 'wall'), figure(results[setting], 'cpu')];
      return `| ${setting} | ${wall.text} | ${cpu.text} | ${Math.round(1e6 / wall.median).toLocaleString('en-US')} |`;
    }),
  ].join('\n'),
);
