import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { PASSWORD_RESET_LOGGER_CONTEXT } from '../password-reset.constants.js';
import { TokenRequestQueue } from '../queue/token-request.queue.js';
import { ResetTokenStore } from '../storage/reset-token.store.js';
import { PasswordResetThrottler } from '../throttling/password-reset-throttler.js';
import { describeError } from '../utils/redact.util.js';
import { withDeadline } from '../utils/deadline.util.js';

/** How long each part may take to answer before it counts as down. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

/**
 * A `@nestjs/terminus` indicator: up when the token store, the request queue and (when the app configured one)
 * the throttle storage answer. The result names each part `up` or `down`, never why (health endpoints are
 * often public); the reason is logged.
 */
@Injectable()
export class PasswordResetHealthIndicator {
  protected readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);

  constructor(
    protected readonly health: HealthIndicatorService,
    protected readonly tokens: ResetTokenStore,
    protected readonly queue: TokenRequestQueue,
    protected readonly throttler: PasswordResetThrottler,
  ) {}

  async isHealthy<const Key extends string = 'password_reset'>(
    key: Key = 'password_reset' as Key,
    timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
  ): Promise<HealthIndicatorResult<Key>> {
    const parts: [string, () => Promise<void>][] = [
      ['tokenStore', () => this.tokens.ping()],
      ['queue', () => this.queue.ping()],
    ];
    if (this.throttler.hasConfiguredStorage) parts.push(['throttleStore', () => this.throttler.ping()]);
    const states = await Promise.all(
      parts.map(async ([name, ping]) => {
        try {
          await withDeadline(ping, timeoutMs);
          return [name, 'up'] as const;
        } catch (error) {
          this.logger.warn(`Health check: the ${name} did not answer: ${describeError(error)}`);
          return [name, 'down'] as const;
        }
      }),
    );
    const session = this.health.check(key);
    const details = Object.fromEntries(states);
    return states.some(([, state]) => state === 'down') ? session.down(details) : session.up(details);
  }
}
