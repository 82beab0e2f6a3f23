import type { PasswordResetThrottleStorage, ThrottleStorageRecord } from './password-reset-throttle.options.js';

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

/** Sweeping idle windows once a minute keeps memory bounded by the keys seen within one window. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Fixed-window counters in this process's memory: right for one instance. Several instances need a shared
 * store (any @nestjs/throttler storage, e.g. a Redis one), passed as `throttle.storage`.
 */
export class MemoryThrottleStorage implements PasswordResetThrottleStorage {
  private readonly windows = new Map<string, Window>();
  private sweeper?: NodeJS.Timeout;

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottleStorageRecord> {
    const now = Date.now();
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    let window = this.windows.get(key);
    if (!window || (window.expiresAt <= now && window.blockedUntil <= now)) {
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
    }
    window.hits++;
    if (window.blockedUntil <= now && window.hits > limit) window.blockedUntil = now + blockDuration;
    const isBlocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.expiresAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  private sweep(now = Date.now()): void {
    for (const [key, window] of this.windows) {
      if (window.expiresAt <= now && window.blockedUntil <= now) this.windows.delete(key);
    }
  }
}
