import { randomBytes } from 'node:crypto';
import { DEFAULT_RATE_LIMITS } from 'nestjs-password-reset';
import { DEFAULT_REDIS_KEY_PREFIX } from 'nestjs-password-reset/redis';

/** A start-up problem the operator must fix; main.ts prints its message as one line and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type DatabaseConfig =
  | {
      type: 'better-sqlite3';
      database: string;
      enableWAL: boolean;
      prepareDatabase: (db: { pragma(source: string): unknown }) => void;
    }
  | { type: 'postgres' | 'mysql' | 'mariadb'; url: string };

/** Where reset tokens live: the database's table (the default), or Redis at `redisUrl` under `keyPrefix`. */
export type TokenStoreConfig = { type: 'database' } | { type: 'redis'; keyPrefix: string };

/**
 * With REDIS_URL, answered requests wait in Redis for a worker (BullMQ); without, in this process. `prefix` keeps
 * the queue's keys apart from another app's on the same Redis (unset: the package's `{password_reset}`).
 */
export type QueueConfig = { type: 'in-process' } | { type: 'bullmq'; prefix?: string; lockDuration?: number };

/** `all`: HTTP and a queue worker; `web`: HTTP only; `worker`: a queue worker only, no port. */
export type SampleRole = 'all' | 'web' | 'worker';

/** `undefined`: the package's default; `false`: switched off. */
export type RateLimitConfig = { limit: number; ttl: number } | false | undefined;

export interface SampleConfig {
  port: number;
  /** The HTTP platform Nest runs on. */
  httpAdapter: 'express' | 'fastify';
  database: DatabaseConfig;
  /** Unset: mails are printed to stdout instead of sent. */
  smtp?: { host: string; port: number; connections: number };
  /** The page of your front end that reads `?token=` and asks for the new password. */
  appUrl: string;
  /** Unset: the demo account in sample/seed.json. */
  seedFile?: string;
  tokenTtl?: number;
  noInformationLeakage?: boolean;
  lookupField: 'email' | 'username';
  /** Shared throttle counters, for several instances behind one load balancer; the tokens too with TOKEN_STORE=redis. */
  redisUrl?: string;
  tokenStore: TokenStoreConfig;
  queue: QueueConfig;
  role: SampleRole;
  /** Runs of a request whose mail fails, and the first retry's delay (ms); unset: the package's defaults. */
  queueAttempts?: number;
  queueBackoff?: number;
  /** The random delay before a request's first run (ms); unset: the package's defaults (50 to 1000). */
  queueDelay: { min?: number; max?: number };
  /** Key of the throttle-key HMAC; required with `redisUrl`, and the same on every instance. */
  throttleKeySecret?: string;
  throttle: {
    request: RateLimitConfig;
    account: RateLimitConfig;
    accountPerClient: RateLimitConfig;
    guess: RateLimitConfig;
    token: RateLimitConfig;
  };
  /** Login attempts per client (the sample's own limit, through @nestjs/throttler). */
  loginThrottle: { limit: number; ttl: number } | false;
  /** Signs session tokens; instances that share users must share it. */
  sessionSecret: string;
  /** 6-digit codes bound to the account instead of long links (RESET_CODES=true). */
  resetCodes: boolean;
  /** The package's `tokenSecret`; with codes and no TOKEN_SECRET, a random one per start. */
  tokenSecret?: string;
  /** The random `tokenSecret` was made up at start: codes die with the process (main.ts warns). */
  tokenSecretGenerated: boolean;
  /** GraphQL at /graphql beside the routes (GRAPHQL=true). */
  graphql: boolean;
  /** The package's messages through nestjs-i18n and sample/i18n (NEST_I18N=true). */
  nestI18n: boolean;
  /** Serve Prometheus text at GET /metrics on this port; unset: no metrics. */
  metricsPort?: number;
  /** Mail an address that has no account when someone asks to reset it. */
  notifyUnknownAddresses: boolean;
}

type Env = Record<string, string | undefined>;

const DATABASE_TYPES: Record<string, 'postgres' | 'mysql' | 'mariadb'> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
};

/**
 * Pooled SMTP connections. nodemailer's default of 5 capped delivery at about 170 mails/s under load (50: about
 * 360): each mail takes a few round trips, each waiting for a turn of the busy event loop, so delivery is bound
 * by latency, not by CPU.
 */
const DEFAULT_SMTP_CONNECTIONS = 50;

/** Reads and checks every variable before anything starts, so a mistake costs one clear line, not a stack. */
export function loadConfig(env: Env = process.env): SampleConfig {
  const port = readInteger(env, 'PORT', 1, 65_535) ?? 3000;
  const smtpHost = read(env, 'SMTP_HOST');
  const redisUrl = parseRedisUrl(read(env, 'REDIS_URL'));
  const resetCodes = readBoolean(env, 'RESET_CODES') ?? false;
  const tokenSecret = readOptionalSecret(env, 'TOKEN_SECRET');
  return {
    resetCodes,
    // Codes need a key (the package refuses to start without one); links work without.
    tokenSecret: tokenSecret ?? (resetCodes ? randomBytes(32).toString('base64url') : undefined),
    tokenSecretGenerated: resetCodes && tokenSecret === undefined,
    port,
    httpAdapter: readChoice(env, 'HTTP_ADAPTER', ['express', 'fastify'] as const) ?? 'express',
    database: parseDatabaseUrl(read(env, 'DATABASE_URL') ?? 'sqlite:sample.sqlite'),
    smtp: smtpHost
      ? {
          host: smtpHost,
          port: readInteger(env, 'SMTP_PORT', 1, 65_535) ?? 25,
          connections: readInteger(env, 'SMTP_CONNECTIONS', 1, 1000) ?? DEFAULT_SMTP_CONNECTIONS,
        }
      : undefined,
    appUrl: parseHttpUrl('APP_URL', read(env, 'APP_URL') ?? `http://localhost:${port}/reset-password`),
    seedFile: read(env, 'SEED_FILE'),
    tokenTtl: readInteger(env, 'TOKEN_TTL_SECONDS', 1),
    noInformationLeakage: readBoolean(env, 'NO_INFORMATION_LEAKAGE'),
    lookupField: readChoice(env, 'LOOKUP_FIELD', ['email', 'username'] as const) ?? 'email',
    redisUrl,
    tokenStore: readTokenStore(env, redisUrl),
    queue: readQueue(env, redisUrl),
    role: readRole(env, redisUrl),
    queueAttempts: readInteger(env, 'QUEUE_ATTEMPTS', 1, 100),
    queueBackoff: readInteger(env, 'QUEUE_BACKOFF_MS', 0, 3_600_000),
    queueDelay: readQueueDelay(env),
    throttleKeySecret: readThrottleKeySecret(env, redisUrl),
    sessionSecret: readSecret(env, 'SESSION_SECRET'),
    throttle: {
      request: readRateLimit(env, 'REQUEST', DEFAULT_RATE_LIMITS.request),
      account: readRateLimit(env, 'ACCOUNT', DEFAULT_RATE_LIMITS.account),
      accountPerClient: readRateLimit(env, 'ACCOUNT_PER_CLIENT', DEFAULT_RATE_LIMITS.accountPerClient),
      guess: readRateLimit(env, 'GUESS', DEFAULT_RATE_LIMITS.guess),
      token: readRateLimit(env, 'TOKEN', DEFAULT_RATE_LIMITS.token),
    },
    loginThrottle: readRateLimit(env, 'LOGIN', LOGIN_RATE_LIMIT) ?? LOGIN_RATE_LIMIT,
    graphql: readBoolean(env, 'GRAPHQL') ?? false,
    nestI18n: readBoolean(env, 'NEST_I18N') ?? false,
    metricsPort: readInteger(env, 'METRICS_PORT', 1, 65_535),
    notifyUnknownAddresses: readBoolean(env, 'NOTIFY_UNKNOWN_ADDRESSES') ?? false,
  };
}

/** A set, non-blank variable, trimmed. */
function read(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/** Unset: a random key, so sessions last as long as this process. */
function readSecret(env: Env, name: string): string {
  return readOptionalSecret(env, name) ?? randomBytes(32).toString('base64url');
}

function readOptionalSecret(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value !== undefined && value.length < 32) throw new ConfigError(`${name} must be at least 32 characters long`);
  return value;
}

/** Instances sharing Redis must compute the same keys, so a random key per process would not do. */
function readThrottleKeySecret(env: Env, redisUrl: string | undefined): string | undefined {
  const value = readOptionalSecret(env, 'THROTTLE_KEY_SECRET');
  if (redisUrl && value === undefined) {
    throw new ConfigError(
      'THROTTLE_KEY_SECRET (at least 32 characters, the same on every instance) is required with REDIS_URL',
    );
  }
  return value;
}

function readTokenStore(env: Env, redisUrl: string | undefined): TokenStoreConfig {
  const type = readChoice(env, 'TOKEN_STORE', ['database', 'redis'] as const) ?? 'database';
  const keyPrefix = read(env, 'REDIS_KEY_PREFIX');
  if (type === 'database') {
    // Said rather than ignored: an operator who sets a prefix expects the tokens in Redis.
    if (keyPrefix !== undefined) throw new ConfigError('REDIS_KEY_PREFIX applies only to TOKEN_STORE=redis');
    return { type };
  }
  if (!redisUrl) throw new ConfigError('TOKEN_STORE=redis needs REDIS_URL, the Redis that keeps the tokens');
  return { type, keyPrefix: keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX };
}

function readQueue(env: Env, redisUrl: string | undefined): QueueConfig {
  const prefix = read(env, 'QUEUE_PREFIX');
  const lockDuration = readInteger(env, 'QUEUE_LOCK_MS', 1000, 600_000);
  if (!redisUrl) {
    if (prefix !== undefined || lockDuration !== undefined) {
      throw new ConfigError('QUEUE_PREFIX and QUEUE_LOCK_MS apply only with REDIS_URL (the queue in Redis)');
    }
    return { type: 'in-process' };
  }
  return { type: 'bullmq', prefix, lockDuration };
}

function readQueueDelay(env: Env): SampleConfig['queueDelay'] {
  const min = readInteger(env, 'QUEUE_DELAY_MIN_MS', 0, 3_600_000);
  const max = readInteger(env, 'QUEUE_DELAY_MAX_MS', 0, 3_600_000);
  if ((min ?? 50) > (max ?? 1000)) throw new ConfigError('QUEUE_DELAY_MIN_MS must not be above QUEUE_DELAY_MAX_MS');
  return { min, max };
}

function readRole(env: Env, redisUrl: string | undefined): SampleRole {
  const role = readChoice(env, 'SAMPLE_ROLE', ['all', 'web', 'worker'] as const) ?? 'all';
  // Without Redis a request runs in the process that took it: a web-only instance would never run it.
  if (role !== 'all' && !redisUrl) throw new ConfigError(`SAMPLE_ROLE=${role} needs REDIS_URL, where the queue is`);
  return role;
}

function parseDatabaseUrl(value: string): DatabaseConfig {
  if (value.startsWith('sqlite:')) {
    const database = value.slice('sqlite:'.length);
    if (!database) throw new ConfigError('DATABASE_URL "sqlite:" needs a file name, e.g. sqlite:sample.sqlite');
    // WAL with synchronous=NORMAL: a commit appends to the log and returns; only checkpoints wait for an fsync.
    // (WAL alone still fsyncs every commit, on the event loop: better-sqlite3 is synchronous.) An app crash
    // loses nothing; a power loss may undo the last commits, never part of one.
    return {
      type: 'better-sqlite3',
      database,
      enableWAL: true,
      prepareDatabase: (db) => db.pragma('synchronous = NORMAL'),
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1].toLowerCase() ?? '';
  if (!Object.hasOwn(DATABASE_TYPES, scheme)) {
    throw new ConfigError(
      `DATABASE_URL has an unknown scheme "${scheme || value}": use sqlite:<file>, postgres://…, mysql://… or mariadb://…`,
    );
  }
  return { type: DATABASE_TYPES[scheme], url: value };
}

function parseHttpUrl(name: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`${name} must be an http:// or https:// URL, not "${value}"`);
  }
  return value;
}

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value !== undefined && !/^rediss?:\/\/./.test(value)) {
    throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
  }
  return value;
}

function readInteger(env: Env, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be a whole number ${range}, not "${value}"`);
  }
  return number;
}

function readBoolean(env: Env, name: string): boolean | undefined {
  const value = read(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new ConfigError(`${name} must be true or false, not "${value}"`);
  return value === 'true';
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[]): T | undefined {
  const value = read(env, name);
  if (value !== undefined && !choices.includes(value as T)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, not "${value}"`);
  }
  return value as T | undefined;
}

/** Login attempts per client: a person mistyping has room, a password-guessing script does not. */
const LOGIN_RATE_LIMIT = { limit: 10, ttl: 15 * 60 };

/**
 * `<NAME>_THROTTLE_LIMIT` and `<NAME>_THROTTLE_TTL_SECONDS`. Both unset: undefined (the default); one unset:
 * its half of `fallback`; a limit of 0: off.
 */
function readRateLimit(env: Env, name: string, fallback: { limit: number; ttl: number }): RateLimitConfig {
  const limit = readInteger(env, `${name}_THROTTLE_LIMIT`, 0);
  const ttl = readInteger(env, `${name}_THROTTLE_TTL_SECONDS`, 1);
  if (limit === 0) return false;
  if (limit === undefined && ttl === undefined) return undefined;
  return { limit: limit ?? fallback.limit, ttl: ttl ?? fallback.ttl };
}
