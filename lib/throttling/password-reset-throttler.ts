import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import type { PasswordResetThrottleName, PasswordResetThrottleStorage } from './password-reset-throttle.options.js';
import { MemoryThrottleStorage } from './memory-throttle.storage.js';

export interface ThrottleVerdict {
  allowed: boolean;
  /** Seconds until the key may try again; 0 when allowed. */
  retryAfter: number;
}

/** Counts hits per (limit, key) in the configured `ThrottlerStorage`. */
@Injectable()
export class PasswordResetThrottler implements OnApplicationShutdown {
  protected readonly storage: PasswordResetThrottleStorage;
  /** Only the default in-memory store is ours to close; a store passed in belongs to the app. */
  private readonly ownedStorage?: MemoryThrottleStorage;

  constructor(@Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions) {
    this.ownedStorage = options.throttle.storage ? undefined : new MemoryThrottleStorage();
    this.storage = options.throttle.storage ?? this.ownedStorage!;
  }

  /** Counts one hit for `key` against the named limit. A limit that is switched off always allows. */
  async hit(name: PasswordResetThrottleName, key: string): Promise<ThrottleVerdict> {
    const rate = this.options.throttle.limits[name];
    if (!rate) return { allowed: true, retryAfter: 0 };
    const ttl = rate.ttl * 1000;
    // Keys are digests: identifiers and addresses never sit in a shared store in the clear.
    const digest = createHash('sha256').update(`${name}\u0000${key}`).digest('hex');
    const record = await this.storage.increment(`password_reset:${name}:${digest}`, ttl, rate.limit, ttl, name);
    if (!record.isBlocked) return { allowed: true, retryAfter: 0 };
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(record.timeToBlockExpire)) };
  }

  onApplicationShutdown(): void {
    this.ownedStorage?.close();
  }
}
