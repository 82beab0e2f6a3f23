/** autocannon runs against one endpoint, reported as requests/s, latency percentiles and status codes. */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { watchRss } from './sample-process.mjs';

/**
 * POSTs `body()` (called once per request, so each request can carry a fresh token) to `url + path`.
 * Runs for `duration` seconds, or for exactly `amount` requests. `pid`: the server, for its peak RSS.
 */
export function load({ url, path, body, duration, amount, connections = 10, pid }) {
  const rss = pid ? watchRss(pid) : undefined;
  const started = process.hrtime.bigint();
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon(
      {
        url: url + path,
        connections,
        ...(amount ? { amount } : { duration }),
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  const result = done.then((raw) => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const statuses = Object.fromEntries(
      Object.entries(raw.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
    );
    return {
      requests: raw.requests.total,
      rps: raw.requests.total / seconds,
      p50: raw.latency.p50,
      p99: raw.latency.p99,
      errors: raw.errors + raw.timeouts,
      statuses,
      peakRssMiB: rss?.stop(),
      seconds,
    };
  });
  return { result, stop: () => instance.stop() };
}

/**
 * One POST, timed from sending until its whole body is read, in milliseconds with sub-microsecond resolution
 * (autocannon's percentiles are whole milliseconds). Throws on any status but `status`, and when `accepts` (a
 * check of the body's text, read after the clock stopped) says no: GraphQL answers its errors with a 200.
 */
export async function timedPost(url, body, status = 200, accepts = () => true) {
  const started = process.hrtime.bigint();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const bytes = await response.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== status) throw new Error(`${url}: unexpected ${response.status}`);
  const text = new TextDecoder().decode(bytes);
  if (!accepts(text)) throw new Error(`${url}: unexpected answer ${text.slice(0, 200)}`);
  return ms;
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux clock ticks of 10 ms). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resolves once the process has used (almost) no CPU for `quietMs`: its deferred work has finished. */
export async function settle(pid, quietMs = 300, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = cpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = cpuMs(pid);
    // At most two clock ticks.
    if (now - last <= 20) return;
    last = now;
  }
}
