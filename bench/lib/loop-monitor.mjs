/**
 * Preloaded into the sample (`node --import bench/lib/loop-monitor.mjs sample/dist/main.js`, spawned with an
 * IPC channel) to watch its event loop from outside the app's code. The message 'loop-window' is answered
 * with the delay percentiles (milliseconds) since the previous one, and starts a new window. IPC rather than
 * a signal: Nest's enableShutdownHooks() exits on SIGUSR2 and the other usual ones.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns) => ns / 1e6;
  process.channel.unref();
  process.on('message', (message) => {
    if (message !== 'loop-window') return;
    process.send({
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
    });
    histogram.reset();
  });
}
