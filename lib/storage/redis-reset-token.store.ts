import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import type { PasswordResetUserId } from '../users/password-reset-user-store.js';
import { NewResetTokenRecord, ResetTokenRecord, ResetTokenStore } from './reset-token.store.js';

export interface RedisResetTokenStoreOptions {
  /**
   * Put before every key this store writes. On Redis Cluster it must carry a hash tag (`{password_reset}:`):
   * the scripts touch a token's record and its user's pointer together, and Cluster runs a script only on
   * keys of one slot. The default has one, so it works on a single server and on Cluster alike.
   */
  keyPrefix?: string;
}

export const DEFAULT_REDIS_KEY_PREFIX = '{password_reset}:';

/**
 * Writes the token's record (KEYS[1], a hash) and makes it its user's live token (KEYS[2], the pointer,
 * holds the record's key name), both expiring at ARGV[4], epoch ms. An expiry in the past deletes both at
 * once: a token that is already expired is not stored.
 */
const PUT = `
local function put()
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'record', ARGV[2], 'failedAttempts', ARGV[3])
  redis.call('PEXPIREAT', KEYS[1], ARGV[4])
  redis.call('SET', KEYS[2], KEYS[1], 'PXAT', ARGV[4])
end
`;

/**
 * Each script runs as one step: no other command sees a state in between. The key of a replaced record is
 * read from the pointer rather than passed in, hence the one-slot rule on Cluster (see `keyPrefix`).
 */
const SCRIPTS = {
  /** Replaces the user's earlier token. A digest that another user's token holds is refused, like SQL's unique key. */
  passwordResetSave: `${PUT}
local previous = redis.call('GET', KEYS[2])
if previous ~= KEYS[1] and redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('ERR password reset: the token digest is already in use')
end
if previous and previous ~= KEYS[1] then redis.call('DEL', previous) end
put()
return 1`,
  /** Puts a claimed token back unless its user has a token now, or the digest is taken. */
  passwordResetRestore: `${PUT}
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
put()
return 1`,
  /** Removes the token if it is still its user's live token with this id (ARGV[1]); 1 for the one caller that did. */
  passwordResetClaim: `
if redis.call('GET', KEYS[2]) ~= KEYS[1] or redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`,
  /**
   * Counts one wrong code and deletes the token when the count reaches ARGV[2]; resolves to the new count,
   * 0 when the token is gone. Callers are serialised, so the counts 1 to ARGV[2] each go to one caller.
   * No token (ARGV[1] empty, KEYS[1] a key no token has): a count's write on that key, deleted in the same step,
   * so the call writes what a count writes and leaves nothing.
   */
  passwordResetFail: `
local id = redis.call('HGET', KEYS[1], 'id')
if ARGV[1] == '' then
  if not id then
    redis.call('HINCRBY', KEYS[1], 'failedAttempts', 1)
    redis.call('DEL', KEYS[1])
  end
  return 0
end
if id ~= ARGV[1] then return 0 end
local count = redis.call('HINCRBY', KEYS[1], 'failedAttempts', 1)
if count >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  if redis.call('GET', KEYS[2]) == KEYS[1] then redis.call('DEL', KEYS[2]) end
end
return count`,
  /** Takes back one counted attempt of the token with id ARGV[1], never below 0. */
  passwordResetRelease: `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'failedAttempts')) <= 0 then return 0 end
return redis.call('HINCRBY', KEYS[1], 'failedAttempts', -1)`,
  passwordResetDeleteAll: `
local current = redis.call('GET', KEYS[1])
if current then redis.call('DEL', current) end
redis.call('DEL', KEYS[1])
return 1`,
  /** In a script because the pointer holds a full key name, which a client `keyPrefix` would prefix again. */
  passwordResetFindByUser: `
local current = redis.call('GET', KEYS[1])
if not current then return {} end
return redis.call('HGETALL', current)`,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** The record's fields in the hash's `record` field; JSON keeps a numeric user id a number. */
interface StoredRecord {
  tokenDigest: string;
  userId: PasswordResetUserId;
  credentialFingerprint: string;
  createdAt: number;
  expiresAt: number;
  ipAddress: string | null;
  userAgent: string;
}

/**
 * Reset tokens in Redis, through an ioredis client (`Redis` or `Cluster`) the app creates, owns and closes.
 * A token is a hash keyed by its digest; a per-user pointer names the user's one live token. Both expire
 * natively at `expiresAt` (by the Redis server's clock), so there is nothing to clean up and `deleteExpired`
 * deletes nothing. Redis holds what the SQL table would: the digest, never the token, and no email or other
 * lookup value.
 *
 * Atomic here means one Lua script per operation that touches more than one key: Redis runs it whole,
 * with no command of another client in between, so any number of app instances can share the store.
 *
 * The claim is the commit point (the base class's `redeem`): claim, then the password write, and a restore
 * if the write throws. A process that dies between the claim and the write leaves the token used up and
 * the password unchanged: the user asks for a new token.
 */
export class RedisResetTokenStore extends ResetTokenStore {
  protected readonly keyPrefix: string;
  /** The last record a lookup found (a digest, never a token), decoded again on a miss. */
  private lastFound?: Record<string, string>;

  constructor(
    protected readonly redis: Redis | Cluster,
    { keyPrefix = DEFAULT_REDIS_KEY_PREFIX }: RedisResetTokenStoreOptions = {},
  ) {
    super();
    if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
      throw new PasswordResetConfigurationError('RedisResetTokenStore keyPrefix must be a non-empty string');
    }
    if (redis.isCluster && !hasHashTag(keyPrefix)) {
      throw new PasswordResetConfigurationError(
        `RedisResetTokenStore keyPrefix "${keyPrefix}" needs a hash tag on Redis Cluster, e.g. "{password_reset}:", ` +
          "so a token's keys share one slot",
      );
    }
    this.keyPrefix = keyPrefix;
    // ioredis runs each by EVALSHA, sending the script itself only when the server does not know it yet.
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua });
  }

  async save(token: NewResetTokenRecord): Promise<ResetTokenRecord> {
    // Random rather than counted: no counter key to share between instances, and an id tells nothing about
    // how many resets were asked for.
    const saved: ResetTokenRecord = { ...token, id: randomUUID(), failedAttempts: 0 };
    await this.put('passwordResetSave', saved);
    return saved;
  }

  async findByDigest(tokenDigest: string): Promise<ResetTokenRecord | null> {
    return this.decode(await this.redis.hgetall(this.tokenKey(tokenDigest)));
  }

  /** No user: the same script on a pointer key no user has. */
  async findByUser(userId: PasswordResetUserId | null): Promise<ResetTokenRecord | null> {
    const pointer = userId === null ? this.noUserKey() : this.userKey(userId);
    const fields = (await this.run('passwordResetFindByUser', [pointer])) as string[];
    const hash: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) hash[fields[i]] = fields[i + 1];
    return this.decode(hash);
  }

  async claim(token: ResetTokenRecord): Promise<boolean> {
    return (await this.run('passwordResetClaim', this.keysOf(token), String(token.id))) === 1;
  }

  async restore(token: ResetTokenRecord): Promise<void> {
    await this.put('passwordResetRestore', token);
  }

  /** The claim's conditional removal, its answer unused. */
  async delete(token: ResetTokenRecord): Promise<void> {
    await this.claim(token);
  }

  async deleteAllOf(userId: PasswordResetUserId): Promise<void> {
    await this.run('passwordResetDeleteAll', [this.userKey(userId)]);
  }

  /** Resolves to the token's new count of wrong codes; 0 when it was gone already. */
  async recordFailedAttempt(token: ResetTokenRecord | null, maxAttempts: number): Promise<number> {
    // A key no token has (digests are 64 hex digits) and no id: the script's stand-in write (see its comment).
    const keys = token ? this.keysOf(token) : [this.tokenKey('none'), this.noUserKey()];
    return (await this.run('passwordResetFail', keys, token ? String(token.id) : '', maxAttempts)) as number;
  }

  async releaseAttempt(token: ResetTokenRecord): Promise<void> {
    await this.run('passwordResetRelease', this.keysOf(token), String(token.id));
  }

  /** Redis expires tokens itself. */
  async deleteExpired(): Promise<number> {
    return 0;
  }

  protected tokenKey(tokenDigest: string): string {
    return `${this.keyPrefix}token:${tokenDigest}`;
  }

  /** `String()`: one key for user 7 and "7", as a SQL column of either type would match both. */
  protected userKey(userId: PasswordResetUserId): string {
    return `${this.keyPrefix}user:${String(userId)}`;
  }

  /** Outside the `user:` names, so no user's pointer. */
  protected noUserKey(): string {
    return `${this.keyPrefix}no-user`;
  }

  protected keysOf(token: ResetTokenRecord): [string, string] {
    return [this.tokenKey(token.tokenDigest), this.userKey(token.userId)];
  }

  protected async put(script: 'passwordResetSave' | 'passwordResetRestore', token: ResetTokenRecord): Promise<void> {
    const record: StoredRecord = {
      tokenDigest: token.tokenDigest,
      userId: token.userId,
      credentialFingerprint: token.credentialFingerprint,
      createdAt: token.createdAt.getTime(),
      expiresAt: token.expiresAt.getTime(),
      ipAddress: token.ipAddress,
      userAgent: token.userAgent,
    };
    const args = [String(token.id), JSON.stringify(record), token.failedAttempts, record.expiresAt];
    await this.run(script, this.keysOf(token), ...args);
  }

  /** A miss decodes the last record found instead, and throws it away: decoding costs what it costs for a hit. */
  protected decode(hash: Record<string, string>): ResetTokenRecord | null {
    const found = !!hash.record;
    if (found) this.lastFound = hash;
    const source = found ? hash : this.lastFound;
    if (!source) return null;
    const record = JSON.parse(source.record) as StoredRecord;
    const decoded: ResetTokenRecord = {
      ...record,
      id: source.id,
      createdAt: new Date(record.createdAt),
      expiresAt: new Date(record.expiresAt),
      failedAttempts: Number(source.failedAttempts),
    };
    return found ? decoded : null;
  }

  /** Scripts are defined without a key count: it goes first, so ioredis knows which arguments are keys. */
  protected run(script: ScriptName, keys: string[], ...args: (string | number)[]): Promise<unknown> {
    return (this.redis as unknown as Record<ScriptName, ScriptCommand>)[script](keys.length, ...keys, ...args);
  }
}

/** Cluster hashes only the part between the first `{` and the next `}`, when that part is not empty. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}
