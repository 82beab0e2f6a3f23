import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { PasswordResetUnavailableException } from '../exceptions/password-reset.exceptions.js';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import type {
  PasswordResetThrottleName,
  PasswordResetThrottleStorage,
  ThrottleStorageRecord,
} from './password-reset-throttle.options.js';
import { MemoryThrottleStorage } from './memory-throttle.storage.js';
import { withDeadline } from '../utils/deadline.util.js';

export interface ThrottleVerdict {
  allowed: boolean;
  /** Seconds until the key may try again; 0 when allowed. */
  retryAfter: number;
}

/** Separates the throttle-key HMAC from every other use of `tokenSecret`. */
const KEY_DERIVATION_LABEL = 'nestjs-password-reset throttle keys';

/**
 * How many digested storage keys of the per-client limits a throttler remembers. A flood repeats a few clients,
 * so most of its hits skip the HMAC; a spread-out one costs a Map update more per hit. Entries go oldest first.
 */
const STORAGE_KEY_CACHE_SIZE = 4096;
/**
 * The limits keyed by the caller's own address. The others name an account: remembering theirs would make a
 * request for an identifier someone asked for lately a few microseconds faster than for one nobody did.
 */
const REMEMBERED_LIMITS: ReadonlySet<PasswordResetThrottleName> = new Set(['request', 'token']);

/**
 * Counts hits per (limit, key) in the configured `ThrottlerStorage`. A storage that fails or does not answer
 * within `throttle.storageTimeout` gets a 503: the limits fail closed, and no request waits on a dead store.
 */
@Injectable()
export class PasswordResetThrottler implements OnApplicationShutdown {
  protected readonly logger = new Logger('PasswordReset');
  protected readonly storage: PasswordResetThrottleStorage;
  /** Only the default in-memory store is ours to close; a store passed in belongs to the app. */
  private readonly ownedStorage?: MemoryThrottleStorage;
  private readonly keyHmacKey: Buffer;
  private readonly storageKeys = new Map<string, string>();

  constructor(@Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions) {
    this.ownedStorage = options.throttle.storage ? undefined : new MemoryThrottleStorage();
    this.storage = options.throttle.storage ?? this.ownedStorage!;
    const secret = options.throttle.keySecret ?? options.tokenSecret;
    // Without a secret the store is this process's memory (the options insist), so a random key suffices.
    this.keyHmacKey = secret ? createHmac('sha256', secret).update(KEY_DERIVATION_LABEL).digest() : randomBytes(32);
  }

  /** Counts one hit for `key` against the named limit. A limit that is switched off always allows. */
  async hit(name: PasswordResetThrottleName, key: string): Promise<ThrottleVerdict> {
    const rate = this.options.throttle.limits[name];
    if (!rate) return { allowed: true, retryAfter: 0 };
    const ttl = rate.ttl * 1000;
    const record = await this.increment(this.storageKey(name, key), ttl, rate.limit, name);
    if (!record.isBlocked) return { allowed: true, retryAfter: 0 };
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(record.timeToBlockExpire)) };
  }

  onApplicationShutdown(): void {
    this.ownedStorage?.close();
  }

  /** Whether the counts live in a storage the app configured (shared, e.g. Redis), not in this process. */
  get hasConfiguredStorage(): boolean {
    return !this.ownedStorage;
  }

  /** Resolves if the storage counts, for health checks: one hit on a key of its own that expires in a second. */
  async ping(): Promise<void> {
    await withDeadline(
      () => this.storage.increment('password_reset:health', 1000, Number.MAX_SAFE_INTEGER, 1000, 'health'),
      this.options.throttle.storageTimeout,
    );
  }

  /**
   * Keyed digests: whoever reads the store cannot tell which address or identifier a counter belongs to, not
   * even by hashing every IPv4 address or a list of emails.
   * A client address's key is remembered for its next hits, in this process's memory only.
   */
  protected storageKey(name: PasswordResetThrottleName, key: string): string {
    const input = `${name}\u0000${key}`;
    if (!REMEMBERED_LIMITS.has(name)) return this.digestedKey(name, input);
    let storageKey = this.storageKeys.get(input);
    if (storageKey === undefined) {
      storageKey = this.digestedKey(name, input);
      if (this.storageKeys.size >= STORAGE_KEY_CACHE_SIZE) {
        this.storageKeys.delete(this.storageKeys.keys().next().value!);
      }
      this.storageKeys.set(input, storageKey);
    }
    return storageKey;
  }

  private digestedKey(name: PasswordResetThrottleName, input: string): string {
    return `password_reset:${name}:${createHmac('sha256', this.keyHmacKey).update(input).digest('base64url')}`;
  }

  private async increment(
    key: string,
    ttl: number,
    limit: number,
    name: PasswordResetThrottleName,
  ): Promise<ThrottleStorageRecord> {
    const count = () => this.storage.increment(key, ttl, limit, ttl, name);
    try {
      // Our own in-memory counts answer at once; a deadline timer per hit would only tax a flood.
      return await (this.ownedStorage ? count() : withDeadline(count, this.options.throttle.storageTimeout));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.logger.error(`The throttle storage failed to count a ${name} hit (${reason}): answering 503`);
      throw new PasswordResetUnavailableException(this.options.messages.serviceUnavailable());
    }
  }
}
