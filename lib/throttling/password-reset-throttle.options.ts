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

export type PasswordResetThrottleName = 'request' | 'account' | 'accountPerClient' | 'guess' | 'token';

export interface PasswordResetThrottleOptions {
  /** Request endpoint, per client. Default 20 per hour. */
  request?: PasswordResetRateLimit | false;
  /**
   * Request endpoint, per target identifier (whether or not an account exists), over all clients: the cap on
   * mail to one address. Once reached, the answer stays the same 200 but no token is issued, so the limit itself
   * reveals nothing. Requests refused by `accountPerClient` do not count here. Default 10 per hour.
   */
  account?: PasswordResetRateLimit | false;
  /**
   * Request endpoint, per target identifier and client: one client's share of `account`, so an attacker at one
   * address cannot use up the account's limit and keep the owner from getting a code. Silent like `account`.
   * Default 3 per hour.
   */
  accountPerClient?: PasswordResetRateLimit | false;
  /**
   * Validate and confirm of account-bound codes, per named identifier and client (429 past it), whatever the
   * code: with the default, one client cannot use up the `maxFailedAttempts` (5) of more than one code per
   * account an hour, so it cannot revoke the fresh code the owner asks for after it. Default 5 per hour.
   */
  guess?: PasswordResetRateLimit | false;
  /** Validate and confirm together, per client. Default 30 per 15 minutes. */
  token?: PasswordResetRateLimit | false;
  /**
   * Where hits are counted. Default: a `MemoryThrottleStorage` (one process); use a shared store with several
   * instances, which needs `keySecret` (or `tokenSecret`).
   */
  storage?: PasswordResetThrottleStorage;
  /** Leading bits of an IPv6 address that make one client. Default 64 (a subscriber's usual share); 1 to 128. */
  ipv6Prefix?: number;
  /**
   * Key for the HMAC that turns addresses and identifiers into storage keys, at least 32 characters, the same on
   * every instance. Default: derived from `tokenSecret`; without either, a random key per process, which only
   * the in-memory store may use.
   */
  keySecret?: string;
  /**
   * Milliseconds the storage has to count a hit. A storage that fails or answers later gets a 503 (the limits
   * fail closed) instead of holding the request. Default 1000.
   */
  storageTimeout?: number;
}

export interface ResolvedPasswordResetThrottleOptions {
  limits: Record<PasswordResetThrottleName, PasswordResetRateLimit | false>;
  storage?: PasswordResetThrottleStorage;
  ipv6Prefix: number;
  keySecret?: string;
  storageTimeout: number;
}

export const DEFAULT_IPV6_PREFIX = 64;
export const DEFAULT_THROTTLE_STORAGE_TIMEOUT_MS = 1000;

export const DEFAULT_RATE_LIMITS: Record<PasswordResetThrottleName, PasswordResetRateLimit> = {
  request: { limit: 20, ttl: 60 * 60 },
  account: { limit: 10, ttl: 60 * 60 },
  accountPerClient: { limit: 3, ttl: 60 * 60 },
  guess: { limit: 5, ttl: 60 * 60 },
  token: { limit: 30, ttl: 15 * 60 },
};
