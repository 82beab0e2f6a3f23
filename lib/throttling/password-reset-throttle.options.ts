/** What a storage reports after counting a hit; the shape @nestjs/throttler storages return. */
export interface ThrottleStorageRecord {
  totalHits: number;
  /** Seconds. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds. */
  timeToBlockExpire: number;
}

/**
 * Counts hits. Structurally the `ThrottlerStorage` of @nestjs/throttler, so its storages (in-memory, Redis,
 * ...) plug in unchanged without this package depending on it. `ttl` and `blockDuration` are milliseconds.
 */
export interface PasswordResetThrottleStorage {
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottleStorageRecord>;
}

/** At most `limit` hits per `ttl` seconds; after that, blocked for `ttl` seconds. */
export interface PasswordResetRateLimit {
  limit: number;
  ttl: number;
}

export type PasswordResetThrottleName = 'request' | 'account' | 'token';

export interface PasswordResetThrottleOptions {
  /** Request endpoint, per client. Default 20 per hour. */
  request?: PasswordResetRateLimit | false;
  /**
   * Request endpoint, per target identifier (whether or not an account exists). Once reached, the answer
   * stays the same 200 but no token is issued, so the limit itself reveals nothing. Default 3 per hour.
   */
  account?: PasswordResetRateLimit | false;
  /** Validate and confirm together, per client. Default 30 per 15 minutes. */
  token?: PasswordResetRateLimit | false;
  /** Where hits are counted. Default: in memory (one process); use a shared store with several instances. */
  storage?: PasswordResetThrottleStorage;
}

export interface ResolvedPasswordResetThrottleOptions {
  limits: Record<PasswordResetThrottleName, PasswordResetRateLimit | false>;
  storage?: PasswordResetThrottleStorage;
}

export const DEFAULT_RATE_LIMITS: Record<PasswordResetThrottleName, PasswordResetRateLimit> = {
  request: { limit: 20, ttl: 60 * 60 },
  account: { limit: 3, ttl: 60 * 60 },
  token: { limit: 30, ttl: 15 * 60 },
};
