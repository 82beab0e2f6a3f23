/**
 * The counting mail sink (mail-sink.mjs) on a worker thread of its own, so reading hundreds of mails a second
 * does not queue behind autocannon on the benchmark's event loop. `count()` resolves to the mails received so
 * far and when the last one arrived (`lastAt`, epoch milliseconds, to within the 10 ms the thread polls at).
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { startMailSink } from './mail-sink.mjs';

const now = () => performance.timeOrigin + performance.now();

if (!isMainThread && parentPort) {
  const sink = await startMailSink();
  let seen = 0;
  let lastAt = now();
  const poll = setInterval(() => {
    if (sink.received !== seen) [seen, lastAt] = [sink.received, now()];
  }, 10);
  parentPort.on('message', async (message) => {
    if (message === 'count') parentPort.postMessage({ received: sink.received, lastAt });
    if (message === 'close') {
      clearInterval(poll);
      await sink.close();
      parentPort.close();
    }
  });
  parentPort.postMessage({ port: sink.port });
}

export async function startMailSinkThread() {
  const worker = new Worker(new URL(import.meta.url));
  const pending = [];
  worker.on('message', (message) => pending.shift()?.resolve(message));
  worker.on('error', (error) => pending.splice(0).forEach(({ reject }) => reject(error)));
  const next = () => new Promise((resolve, reject) => pending.push({ resolve, reject }));
  const { port } = await next();
  return {
    port,
    count: () => {
      const answer = next();
      worker.postMessage('count');
      return answer;
    },
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}

/**
 * Resolves once `expected` mails beyond `before` have arrived and none for `quietMs` since (longer than the
 * queue's random delay before a request's first run, 1 s at most by default), or after `giveUpMs` with none:
 * how many came, and the epoch milliseconds of the last one.
 */
export async function drainedMails(sink, before, expected, quietMs = 1500, giveUpMs = 5000) {
  const started = now();
  for (;;) {
    const { received, lastAt } = await sink.count();
    const quiet = now() - Math.max(lastAt, started);
    if (quiet >= giveUpMs || (received - before >= expected && quiet >= quietMs)) {
      return { mails: received - before, lastAt };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
