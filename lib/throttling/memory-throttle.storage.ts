import type { PasswordResetThrottleStorage, ThrottleStorageRecord } from './password-reset-throttle.options.js';

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

export interface MemoryThrottleStorageOptions {
  /**
   * Counters kept at most; when full, the oldest window is dropped for a new one. Default 100,000 (about
   * 25 MiB). A flood of new clients or identifiers can then push out older counters, which is why several
   * instances or a large public site want a shared store (Redis) instead.
   */
  maxKeys?: number;
}

export const DEFAULT_MEMORY_THROTTLE_MAX_KEYS = 100_000;

/** Expired windows dropped from the oldest end per hit: enough to keep up, too few to stall the event loop. */
const EXPIRED_DROPPED_PER_HIT = 4;

/**
 * Fixed-window counters in this process's memory: right for one instance. Several instances need a shared
 * store (any @nestjs/throttler storage, e.g. a Redis one), passed as `throttle.storage`.
 *
 * The map holds windows in the order they opened (a renewed window moves to the end), so the oldest one is
 * always first: evicting it when full and dropping expired ones are both O(1) per hit, with no sweep.
 */
export class MemoryThrottleStorage implements PasswordResetThrottleStorage {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;

  constructor({ maxKeys = DEFAULT_MEMORY_THROTTLE_MAX_KEYS }: MemoryThrottleStorageOptions = {}) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error('maxKeys must be a positive integer');
    this.maxKeys = maxKeys;
  }

  /** Counters held now, expired ones not yet dropped included. */
  get size(): number {
    return this.windows.size;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottleStorageRecord> {
    const now = Date.now();
    this.dropExpired(now);
    let window = this.windows.get(key);
    if (!window || isOver(window, now)) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
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
    this.windows.clear();
  }

  private dropExpired(now: number): void {
    for (let dropped = 0; dropped < EXPIRED_DROPPED_PER_HIT; dropped++) {
      const oldest = this.windows.entries().next().value;
      if (!oldest || !isOver(oldest[1], now)) return;
      this.windows.delete(oldest[0]);
    }
  }
}

function isOver(window: Window, now: number): boolean {
  return window.expiresAt <= now && window.blockedUntil <= now;
}
