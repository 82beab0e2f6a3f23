import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchDb } from './bench-db.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the library and the sample unless a build is already there (or `force`). */
export function buildSample(force = false) {
  if (!force && existsSync(join(ROOT, 'sample/dist/main.js')) && existsSync(join(ROOT, 'dist/index.js'))) return;
  const result = spawnSync('npm', ['run', 'build:sample'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build:sample failed');
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The sample's environment with every throttle off: a benchmark measures the flow, not the limits. */
export const UNTHROTTLED = {
  REQUEST_THROTTLE_LIMIT: '0',
  ACCOUNT_THROTTLE_LIMIT: '0',
  ACCOUNT_PER_CLIENT_THROTTLE_LIMIT: '0',
  TOKEN_THROTTLE_LIMIT: '0',
};

export function writeSeedFile(accounts) {
  const dir = mkdtempSync(join(tmpdir(), 'pr-bench-'));
  const file = join(dir, 'seed.json');
  writeFileSync(file, JSON.stringify(accounts));
  return { dir, file };
}

/**
 * Starts `node [...nodeArgs] sample/dist/main.js` and resolves once it prints its listening line.
 * `script` runs another app that prints the same line (the bare baseline); `ipc` opens a channel to it.
 */
export async function startSample(
  env,
  { nodeArgs = [], script = join(ROOT, 'sample/dist/main.js'), ipc = false } = {},
) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sample did not start:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      // A SAMPLE_ROLE=worker process listens on no port.
      if (/Sample listening on|Sample worker running/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`sample exited with ${code}:\n${output}`)));
  });
  child.removeAllListeners('exit');
  // Keep draining the pipe (the mailer may print), without holding the output in memory.
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  return {
    child,
    url: `http://127.0.0.1:${env.PORT}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** A SAMPLE_ROLE=worker process of the sample on `env`: it listens on no port, but reads PORT like any role. */
export async function startSampleWorker(env, options) {
  return startSample({ ...env, PORT: String(await freePort()), SAMPLE_ROLE: 'worker' }, options);
}

/**
 * bench/bare-app (one statement per request) on a fresh database of `engine` in `dir`, SQLite in WAL mode as the
 * sample opens it; `stop()` drops the database too.
 */
export async function startBareApp(engine, dir, adapter = 'express') {
  const db = await createBenchDb(engine, dir);
  const app = await startSample(
    { PORT: String(await freePort()), DATABASE_URL: db.url, HTTP_ADAPTER: adapter, BARE_WAL: '1' },
    { script: join(ROOT, 'bench/bare-app/main.mjs') },
  );
  return { url: app.url, pid: app.child.pid, stop: async () => (await app.stop(), await db.drop()) };
}

/** Peak resident set size so far (VmHWM) of a Linux process, in MiB. */
export function peakRssMiB(pid) {
  return readStatusKiB(pid, 'VmHWM') / 1024;
}

/** Samples VmRSS every `intervalMs` until `stop()`, which resolves to the largest value seen, in MiB. */
export function watchRss(pid, intervalMs = 50) {
  let peak = readStatusKiB(pid, 'VmRSS');
  const timer = setInterval(() => (peak = Math.max(peak, readStatusKiB(pid, 'VmRSS'))), intervalMs);
  return { stop: () => (clearInterval(timer), Math.max(peak, readStatusKiB(pid, 'VmRSS')) / 1024) };
}

function readStatusKiB(pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${field}:`));
  return line ? Number(/(\d+)/.exec(line)[1]) : 0;
}
