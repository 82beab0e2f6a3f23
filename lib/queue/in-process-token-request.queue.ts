import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { PASSWORD_RESET_LOGGER_CONTEXT } from '../password-reset.constants.js';
import { settleWithin } from '../utils/deadline.util.js';
import {
  randomStartDelay,
  TokenRequest,
  TokenRequestHandler,
  TokenRequestQueue,
  TokenRequestQueueSettings,
} from './token-request.queue.js';

export interface InProcessTokenRequestQueueOptions {
  /** Requests taken and not yet finished, at most; `enqueue` refuses more. The module passes `queue.maxPending`. */
  maxPending: number;
}

/** The error of `enqueue` when the queue is full or shutting down (the endpoint answers 503). */
export class TokenRequestQueueFullError extends Error {
  override readonly name = 'TokenRequestQueueFullError';
}

/** A full queue is logged at most this often. */
const FULL_WARNING_INTERVAL_MS = 60_000;

interface PendingRequest {
  request: TokenRequest;
  attempt: number;
  /** Set while the request waits for its start (delay or backoff); cleared when it runs. */
  timer?: NodeJS.Timeout;
  run?: Promise<void>;
}

/**
 * The default queue: requests wait in this process's memory and run on its event loop. For one instance; a
 * request is lost if the process dies before it ran, and retries stop with the process. Each first run starts
 * after a random delay, so a request that follows an existing account's request is not slowed by its work.
 */
export class InProcessTokenRequestQueue extends TokenRequestQueue implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);
  private readonly pending = new Set<PendingRequest>();
  private handler?: TokenRequestHandler;
  private settings?: TokenRequestQueueSettings;
  private refused = 0;
  private lastFullWarningAt = -Infinity;
  private closing = false;

  constructor(private readonly options: InProcessTokenRequestQueueOptions) {
    super();
  }

  /** Requests taken and not yet finished (waiting, running or between retries). */
  get size(): number {
    return this.pending.size;
  }

  /** Requests refused with a 503 because `queue.maxPending` were already waiting, since start. */
  get refusedCount(): number {
    return this.refused;
  }

  async start(handler: TokenRequestHandler, settings: TokenRequestQueueSettings): Promise<void> {
    this.handler = handler;
    this.settings = settings;
  }

  async enqueue(request: TokenRequest): Promise<void> {
    const max = this.options.maxPending;
    if (this.closing) throw new TokenRequestQueueFullError('the app is shutting down');
    if (this.pending.size >= max) {
      this.refused++;
      if (Date.now() - this.lastFullWarningAt >= FULL_WARNING_INTERVAL_MS) {
        this.lastFullWarningAt = Date.now();
        this.logger.warn(
          `${max} token requests are waiting (queue.maxPending): refusing new ones with 503 ` +
            `(${this.refused} refused since start)`,
        );
      }
      throw new TokenRequestQueueFullError(`${max} token requests are already waiting`);
    }
    this.schedule({ request, attempt: 1 }, randomStartDelay(this.requireSettings()));
  }

  async drain(): Promise<void> {
    while (this.pending.size) {
      for (const item of this.pending) if (item.timer) this.runNow(item);
      await Promise.all([...this.pending].map((item) => item.run ?? Promise.resolve()));
    }
  }

  /** Bounded: a hung mailer cannot hold the shutdown; what did not finish is logged and lost. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const timeout = this.requireSettings().shutdownTimeout;
    if (!(await settleWithin(this.drain(), timeout)) && this.pending.size) {
      this.logger.warn(`${this.pending.size} token requests did not finish within ${timeout} ms of shutdown`);
    }
  }

  private schedule(item: PendingRequest, delayMs: number): void {
    this.pending.add(item);
    item.timer = setTimeout(() => this.runNow(item), delayMs);
  }

  private runNow(item: PendingRequest): void {
    clearTimeout(item.timer);
    item.timer = undefined;
    const { attempts, backoff } = this.requireSettings();
    const final = item.attempt >= attempts || this.closing;
    item.run = this.handler!(item.request, { number: item.attempt, final }).then(
      () => {
        this.pending.delete(item);
      },
      () => {
        // The handler has logged why.
        this.pending.delete(item);
        if (final) return;
        this.schedule({ request: item.request, attempt: item.attempt + 1 }, backoff * 2 ** (item.attempt - 1));
      },
    );
  }

  private requireSettings(): TokenRequestQueueSettings {
    if (!this.settings) throw new Error('the token request queue was used before the module started it');
    return this.settings;
  }
}
