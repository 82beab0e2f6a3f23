/** The raw bcrypt rate on this machine: `parallel` hashes in flight on libuv's thread pool for `seconds`. */
import bcrypt from 'bcrypt';

export async function bcryptHashesPerSecond({ cost = 12, parallel = 2, seconds = 5 } = {}) {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let hashes = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await bcrypt.hash('Bench-ceiling-password', cost);
      hashes++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return hashes / ((performance.now() - started) / 1000);
}
