/**
 * Preloaded into the sample by bench/profile.mjs: a V8 CPU profile of the load window only. The first SIGWINCH
 * starts it, the second writes it to $PROFILE_OUT (then `$PROFILE_OUT.done`). Not `--cpu-prof`: Nest's shutdown
 * hooks re-raise SIGTERM, so that profile would never be written, and they take SIGUSR2 too.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
let running = false;
process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.start');
    return;
  }
  session.post('Profiler.stop', (error, result) => {
    if (error) throw error;
    writeFileSync(process.env.PROFILE_OUT, JSON.stringify(result.profile));
    writeFileSync(`${process.env.PROFILE_OUT}.done`, '');
  });
});
