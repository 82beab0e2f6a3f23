import { beforeAll, describe, expect, it } from '@jest/globals';
import { buildSample, runSampleToExit, SeedAccount } from '../fixtures/sample-process.js';
import { DB_ENGINE } from '../fixtures/test-database.js';

const GOOD: SeedAccount = {
  email: 'jane@example.com',
  username: 'jane',
  password: 'jane-old-secret-7',
  isActive: true,
};

interface BadStart {
  name: string;
  env?: Record<string, string>;
  /** Written to SEED_FILE as JSON. */
  seed?: unknown;
  /** The one line on stderr. */
  line: RegExp;
}

const BAD_STARTS: BadStart[] = [
  {
    name: 'an SMTP pool of no connections',
    env: { SMTP_HOST: '127.0.0.1', SMTP_CONNECTIONS: '0' },
    line: /^Configuration error: SMTP_CONNECTIONS must be a whole number from 1 to 1000, not "0"$/,
  },
  {
    name: 'an unknown DATABASE_URL scheme',
    env: { DATABASE_URL: 'mongodb://127.0.0.1/app' },
    line: /^Configuration error: DATABASE_URL has an unknown scheme "mongodb"/,
  },
  {
    name: 'an unreadable SEED_FILE',
    env: { SEED_FILE: '/nonexistent/seed.json' },
    line: /^Configuration error: SEED_FILE \/nonexistent\/seed\.json cannot be read \(ENOENT\)$/,
  },
  {
    name: 'an empty SEED_FILE',
    env: { SEED_FILE: '/dev/null' },
    line: /^Configuration error: SEED_FILE \/dev\/null is not valid JSON/,
  },
  {
    name: 'a SEED_FILE that is not an array',
    seed: GOOD,
    line: /^Configuration error: SEED_FILE .* must hold a JSON array of accounts$/,
  },
  {
    name: 'a seed entry without an email',
    seed: [GOOD, { username: 'x', password: null, isActive: true }],
    line: /^Configuration error: SEED_FILE .*seed\.json: entry 2: "email" must be an email address$/,
  },
  {
    name: 'a seed entry with a string isActive',
    seed: [{ ...GOOD, isActive: 'yes' }],
    line: /^Configuration error: SEED_FILE .*: entry 1: "isActive" must be true or false$/,
  },
  {
    name: 'a seed entry whose totpSecret is not base32',
    seed: [{ ...GOOD, totpSecret: 'not base32!' }],
    line: /^Configuration error: SEED_FILE .*: entry 1: "totpSecret" must be a base32 secret of at least 16 bytes \(Invalid Base32/,
  },
  {
    name: 'a seed entry whose totpSecret is too short',
    seed: [{ ...GOOD, totpSecret: 'JBSWY3DPEHPK3PXP' }],
    line: /^Configuration error: SEED_FILE .*: entry 1: "totpSecret" must be a base32 secret of at least 16 bytes \(Secret must be at least 16 bytes/,
  },
  {
    name: 'a GRAPHQL that is not a boolean',
    env: { GRAPHQL: 'yes' },
    line: /^Configuration error: GRAPHQL must be true or false, not "yes"$/,
  },
  {
    name: 'a non-numeric PORT',
    env: { PORT: 'eighty' },
    line: /^Configuration error: PORT must be a whole number from 1 to 65535, not "eighty"$/,
  },
  {
    name: 'a non-numeric throttle limit',
    env: { REQUEST_THROTTLE_LIMIT: 'ten' },
    line: /^Configuration error: REQUEST_THROTTLE_LIMIT must be a whole number 0 or more, not "ten"$/,
  },
  {
    name: 'a zero TOKEN_TTL_SECONDS',
    env: { TOKEN_TTL_SECONDS: '0' },
    line: /^Configuration error: TOKEN_TTL_SECONDS must be a whole number 1 or more, not "0"$/,
  },
  {
    name: 'an unsupported LOOKUP_FIELD',
    env: { LOOKUP_FIELD: 'phone' },
    line: /^Configuration error: LOOKUP_FIELD must be one of email, username, not "phone"$/,
  },
  {
    name: 'a NO_INFORMATION_LEAKAGE that is not a boolean',
    env: { NO_INFORMATION_LEAKAGE: 'maybe' },
    line: /^Configuration error: NO_INFORMATION_LEAKAGE must be true or false, not "maybe"$/,
  },
  {
    name: 'an unknown HTTP_ADAPTER',
    env: { HTTP_ADAPTER: 'koa' },
    line: /^Configuration error: HTTP_ADAPTER must be one of express, fastify, not "koa"$/,
  },
  {
    name: 'a REDIS_URL of another scheme',
    env: { REDIS_URL: 'http://127.0.0.1:6379' },
    line: /^Configuration error: REDIS_URL must start with redis:\/\/ or rediss:\/\/$/,
  },
  {
    name: 'a REDIS_URL without THROTTLE_KEY_SECRET',
    env: { REDIS_URL: 'redis://127.0.0.1:6379' },
    line: /^Configuration error: THROTTLE_KEY_SECRET \(at least 32 characters, the same on every instance\) is required with REDIS_URL$/,
  },
  {
    name: 'an unknown TOKEN_STORE',
    env: { TOKEN_STORE: 'memory' },
    line: /^Configuration error: TOKEN_STORE must be one of database, redis, not "memory"$/,
  },
  {
    name: 'TOKEN_STORE=redis without REDIS_URL',
    env: { TOKEN_STORE: 'redis' },
    line: /^Configuration error: TOKEN_STORE=redis needs REDIS_URL, the Redis that keeps the tokens$/,
  },
  {
    name: 'a REDIS_KEY_PREFIX with the tokens in the database',
    env: { REDIS_KEY_PREFIX: '{app}:' },
    line: /^Configuration error: REDIS_KEY_PREFIX applies only to TOKEN_STORE=redis$/,
  },
  {
    name: 'an unknown SAMPLE_ROLE',
    env: { SAMPLE_ROLE: 'api' },
    line: /^Configuration error: SAMPLE_ROLE must be one of all, web, worker, not "api"$/,
  },
  {
    name: 'SAMPLE_ROLE=web without REDIS_URL',
    env: { SAMPLE_ROLE: 'web' },
    line: /^Configuration error: SAMPLE_ROLE=web needs REDIS_URL, where the queue is$/,
  },
  {
    name: 'SAMPLE_ROLE=worker without REDIS_URL',
    env: { SAMPLE_ROLE: 'worker' },
    line: /^Configuration error: SAMPLE_ROLE=worker needs REDIS_URL, where the queue is$/,
  },
  {
    name: 'a QUEUE_PREFIX without REDIS_URL',
    env: { QUEUE_PREFIX: '{app}' },
    line: /^Configuration error: QUEUE_PREFIX and QUEUE_LOCK_MS apply only with REDIS_URL \(the queue in Redis\)$/,
  },
  {
    name: 'a QUEUE_ATTEMPTS of 0',
    env: { QUEUE_ATTEMPTS: '0' },
    line: /^Configuration error: QUEUE_ATTEMPTS must be a whole number from 1 to 100, not "0"$/,
  },
  {
    name: 'a QUEUE_DELAY_MIN_MS above QUEUE_DELAY_MAX_MS',
    env: { QUEUE_DELAY_MIN_MS: '500', QUEUE_DELAY_MAX_MS: '100' },
    line: /^Configuration error: QUEUE_DELAY_MIN_MS must not be above QUEUE_DELAY_MAX_MS$/,
  },
];

// Configuration is checked before any database is touched: once, not once per engine.
const describeOnce = DB_ENGINE === 'sqlite' ? describe : describe.skip;

describeOnce('sample app: a bad configuration', () => {
  beforeAll(() => buildSample(), 180_000);

  it.each(BAD_STARTS)(
    'refuses $name with one line and a non-zero exit',
    async ({ env, seed, line }) => {
      const exit = await runSampleToExit({ DATABASE_URL: 'sqlite:sample.sqlite', ...env }, seed);
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(exit.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(exit.stderr.trimEnd()).toMatch(line);
      expect(exit.stdout).not.toContain('Sample listening on');
    },
    30_000,
  );
});
