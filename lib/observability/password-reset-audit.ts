import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Counter, Histogram, metrics } from '@opentelemetry/api';
import { PASSWORD_RESET_LOGGER_CONTEXT } from '../password-reset.constants.js';
import {
  PasswordResetEventName,
  PasswordResetEvents,
  RequestSuppressedEvent,
  RequestUnmatchedEvent,
  ThrottledEvent,
  TokenRejectedEvent,
} from '../password-reset.events.js';
import { describeError } from '../utils/redact.util.js';

/** Bucket bounds in seconds, as OpenTelemetry's semantic conventions advise for durations. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The meter's name: the instrumentation scope in every exported metric. */
export const PASSWORD_RESET_METER = 'nestjs-password-reset';

/**
 * Where outcomes become visible: audit events, emitted after the answer (so no listener delays or changes it),
 * and OpenTelemetry metrics, a no-op until the app registers an SDK's MeterProvider (do that before the app
 * is created: the instruments are made once). Every attribute value comes from a fixed set.
 */
@Injectable()
export class PasswordResetAudit {
  protected readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);
  private readonly pending = new Set<Promise<void>>();
  private readonly requests: Counter;
  private readonly throttled: Counter;
  private readonly tokenRejections: Counter;
  private readonly passwordRejections: Counter;
  private readonly resets: Counter;
  private readonly deliveryFailures: Counter;
  private readonly requestDuration: Histogram;
  private readonly confirmDuration: Histogram;

  constructor(@Optional() private readonly events?: EventEmitter2) {
    const meter = metrics.getMeter(PASSWORD_RESET_METER);
    this.requests = meter.createCounter('password_reset.requests', {
      description: 'Outcomes of reset requests, one per account matched (or per request that matched none)',
      unit: '{request}',
    });
    this.throttled = meter.createCounter('password_reset.throttled', {
      description: 'Calls refused by a per-client limit (HTTP 429), by limit',
      unit: '{call}',
    });
    this.tokenRejections = meter.createCounter('password_reset.token.rejections', {
      description: 'Tokens or second-factor proofs refused by validate or confirm, by operation and reason',
      unit: '{token}',
    });
    this.passwordRejections = meter.createCounter('password_reset.password.rejections', {
      description: 'New passwords refused by the validators (HTTP 400)',
      unit: '{password}',
    });
    this.resets = meter.createCounter('password_reset.resets', {
      description: 'Passwords changed through a reset',
      unit: '{reset}',
    });
    this.deliveryFailures = meter.createCounter('password_reset.delivery.failures', {
      description: 'Tokens withdrawn because every delivery attempt failed',
      unit: '{token}',
    });
    this.requestDuration = meter.createHistogram('password_reset.request.duration', {
      description: 'Duration of the deferred work of one reset request (lookup, token, delivery)',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.confirmDuration = meter.createHistogram('password_reset.confirm.duration', {
      description: 'Duration of confirm calls, by outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  /**
   * Counts an outcome and emits its audit event once the current answer is on its way: the listeners run
   * in a later turn of the event loop, and their failure is logged and goes no further.
   */
  record(name: PasswordResetEventName, payload: object): void {
    this.count(name, payload);
    if (!this.events) return;
    const events = this.events;
    const emitted = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => events.emitAsync(name, payload))
      .then(
        () => undefined,
        (error: unknown) => this.logger.error(`A ${name} listener failed: ${describeError(error)}`),
      )
      .finally(() => this.pending.delete(emitted));
    this.pending.add(emitted);
  }

  /** Counts an outcome whose event the caller emits itself (TokenCreated, PostReset, DeliveryFailed). */
  count(name: PasswordResetEventName, payload: object): void {
    switch (name) {
      case PasswordResetEvents.TokenCreated:
        return this.requests.add(1, { 'password_reset.outcome': 'token_created' });
      case PasswordResetEvents.RequestUnmatched:
        return this.requests.add(1, { 'password_reset.outcome': (payload as RequestUnmatchedEvent).reason });
      case PasswordResetEvents.RequestSuppressed:
        return this.requests.add(1, {
          'password_reset.outcome': 'suppressed',
          'password_reset.limit': (payload as RequestSuppressedEvent).limit,
        });
      case PasswordResetEvents.Throttled:
        return this.throttled.add(1, { 'password_reset.limit': (payload as ThrottledEvent).limit });
      case PasswordResetEvents.TokenRejected: {
        const { operation, reason } = payload as TokenRejectedEvent;
        return this.tokenRejections.add(1, { 'password_reset.operation': operation, 'password_reset.reason': reason });
      }
      case PasswordResetEvents.PasswordRejected:
        return this.passwordRejections.add(1);
      case PasswordResetEvents.PostReset:
        return this.resets.add(1);
      case PasswordResetEvents.DeliveryFailed:
        return this.deliveryFailures.add(1);
    }
  }

  /** Times the deferred work of one request, from the queue taking it to its last delivery. */
  recordRequestDuration(seconds: number, outcome: 'done' | 'failed'): void {
    this.requestDuration.record(seconds, { 'password_reset.outcome': outcome });
  }

  recordConfirmDuration(seconds: number, outcome: 'reset' | 'refused'): void {
    this.confirmDuration.record(seconds, { 'password_reset.outcome': outcome });
  }

  /** Resolves once every audit event recorded so far has reached its listeners. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all(this.pending);
  }
}
