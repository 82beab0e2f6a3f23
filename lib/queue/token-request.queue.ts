import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { PASSWORD_RESET_LOGGER_CONTEXT } from '../password-reset.constants.js';
import { describeError } from '../utils/redact.util.js';

/** Token requests answered but not yet processed, at most. */
export const MAX_PENDING_TOKEN_REQUESTS = 1000;

/**
 * The token work of requests that were answered first, run in this process after the response. Failures are
 * logged, never returned; `drain()` waits for the work in flight, and so does a graceful shutdown.
 */
@Injectable()
export class TokenRequestQueue implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);
  private readonly pending = new Set<Promise<void>>();

  schedule(work: () => Promise<void>): void {
    if (this.pending.size >= MAX_PENDING_TOKEN_REQUESTS) {
      // A flood the throttles let through must not grow memory without bound; the client just asks again.
      this.logger.warn(`${MAX_PENDING_TOKEN_REQUESTS} token requests are already waiting: one was dropped`);
      return;
    }
    // setImmediate: the answer is written before any of the work starts.
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => this.logger.error(`Token request failed: ${describeError(error)}`))
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Resolves once every scheduled request has finished. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }
}
