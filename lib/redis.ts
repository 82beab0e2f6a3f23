// `nestjs-password-reset/redis`: reset tokens in Redis. The app creates, owns and closes the ioredis client, so
// this entry loads no ioredis (its types only) and no TypeORM.
export { DEFAULT_REDIS_KEY_PREFIX, RedisResetTokenStore } from './storage/redis-reset-token.store.js';
export type { RedisResetTokenStoreOptions } from './storage/redis-reset-token.store.js';
