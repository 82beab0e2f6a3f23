import { randomInt } from 'node:crypto';
import type { PasswordResetClientInfo } from '../utils/client-info.util.js';

/** What a queued request carries: the lookup value, the client and its language, nothing else (no token exists yet). */
export interface TokenRequest {
  lookupValue: string;
  client: PasswordResetClientInfo;
  /** The locale the request was answered in, for TokenCreated's `locale`. */
  locale: string;
}

/** Which run of a request this is. On the last one a failed delivery is reported, not retried. */
export interface TokenRequestAttempt {
  /** 1 for the first run. */
  number: number;
  final: boolean;
}

/** The token work of one request. Throws to have the request run again (if attempts are left). */
export type TokenRequestHandler = (request: TokenRequest, attempt: TokenRequestAttempt) => Promise<void>;

/** How requests are run, from the module's `queue` options; the same for every queue. */
export interface TokenRequestQueueSettings {
  /** Runs of a request whose delivery fails, the first included. */
  attempts: number;
  /** Milliseconds before the first retry; each further retry waits twice as long as the one before. */
  backoff: number;
  /** A request's first run starts after a random delay in this range (ms), whatever the account. */
  delay: { min: number; max: number };
  /** The longest a shutdown waits for work in flight (ms). */
  shutdownTimeout: number;
}

/**
 * Where the request endpoint hands a request after counting it, so it can answer before any account is looked
 * up. A strategy (replace it through `extraProviders`): the default runs requests in this process
 * (`InProcessTokenRequestQueue`); `BullMqTokenRequestQueue` from `nestjs-password-reset/bullmq` keeps them in
 * Redis, for several instances and crash safety.
 */
export abstract class TokenRequestQueue {
  /**
   * Called once by the module at start-up, before any `enqueue`: from then on, run requests with `handler`
   * (in this process, if this process consumes).
   */
  abstract start(handler: TokenRequestHandler, settings: TokenRequestQueueSettings): Promise<void>;

  /**
   * Takes a request. Resolves once the request is safe by the queue's own promise (in memory, or stored in
   * Redis); rejects (the endpoint then answers 503) if it cannot be taken. Must cost the same for every account:
   * nothing may be looked up here.
   */
  abstract enqueue(request: TokenRequest): Promise<void>;

  /** Starts every waiting request now (delays and backoffs skipped) and resolves once all have finished. */
  abstract drain(): Promise<void>;

  /** Resolves if the queue can take requests, for health checks; an in-process queue always can. */
  async ping(): Promise<void> {}
}

/** How long a request's first run waits: uniformly random in `settings.delay`, from node:crypto. */
export function randomStartDelay({ delay }: TokenRequestQueueSettings): number {
  return randomInt(delay.min, delay.max + 1);
}
