import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Counter, Histogram, metrics } from '@opentelemetry/api';
import { PASSWORD_RESET_LOGGER_CONTEXT, PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import {
  DeliveryFailedEvent,
  PasswordRejectedEvent,
  PasswordResetEventName,
  PasswordResetEvents,
  PostResetEvent,
  RequestSuppressedEvent,
  RequestUnmatchedEvent,
  ThrottledEvent,
  TokenRejectedEvent,
} from '../password-reset.events.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import type { ResetTokenRecord } from '../storage/reset-token.store.js';
import { PasswordResetUserStore } from '../users/password-reset-user-store.js';
import { describeError } from '../utils/redact.util.js';

type AuditFields = Record<string, string | number | null | undefined>;

/** `password_reset.<outcome> key=value …`: one line, strings quoted (so no value can forge a field or a line). */
function auditLine(name: string, fields: AuditFields): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? value : JSON.stringify(value)}`);
  return [name, ...pairs].join(' ');
}

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

  constructor(
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
    protected readonly users: PasswordResetUserStore,
    @Optional() private readonly events?: EventEmitter2,
  ) {
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
    const events = this.events;
    // Nobody listening (a 429 flood, usually): no turn of the loop to schedule. Wildcard mode leaves onAny() out
    // of hasListeners(), hence the second test.
    if (!events || !(events.hasListeners(name) || events.listenersAny().length)) return;
    const emitted = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => events.emitAsync(name, payload))
      .then(
        () => undefined,
        (error: unknown) => this.logger.error(`A ${name} listener failed: ${describeError(error)}`),
      )
      .finally(() => this.pending.delete(emitted));
    this.pending.add(emitted);
  }

  /**
   * Counts an outcome whose event the caller emits itself (TokenCreated, with the new row as `payload`;
   * PostReset, DeliveryFailed), and logs its line when `auditLogLevel` is set.
   */
  count(name: PasswordResetEventName, payload: object): void {
    const fields = this.measure(name, payload);
    const level = this.options.auditLogLevel;
    if (level) this.logger[level](auditLine(name, fields));
  }

  /** Adds the outcome to its metric; returns what its log line says (ids, reasons, limits: nothing secret). */
  private measure(name: PasswordResetEventName, payload: object): AuditFields {
    switch (name) {
      case PasswordResetEvents.TokenCreated: {
        const row = payload as ResetTokenRecord;
        this.requests.add(1, { 'password_reset.outcome': 'token_created' });
        return { userId: row.userId, tokenId: row.id, ipAddress: row.ipAddress };
      }
      case PasswordResetEvents.RequestUnmatched: {
        const { reason, user, ipAddress } = payload as RequestUnmatchedEvent;
        this.requests.add(1, { 'password_reset.outcome': reason });
        return { reason, userId: user && this.users.getId(user), ipAddress };
      }
      case PasswordResetEvents.RequestSuppressed: {
        const { limit, ipAddress } = payload as RequestSuppressedEvent;
        this.requests.add(1, { 'password_reset.outcome': 'suppressed', 'password_reset.limit': limit });
        return { limit, ipAddress };
      }
      case PasswordResetEvents.Throttled: {
        const { limit, ipAddress, retryAfter } = payload as ThrottledEvent;
        this.throttled.add(1, { 'password_reset.limit': limit });
        return { limit, ipAddress, retryAfter };
      }
      case PasswordResetEvents.TokenRejected: {
        const { operation, reason, user, resetToken, ipAddress } = payload as TokenRejectedEvent;
        this.tokenRejections.add(1, { 'password_reset.operation': operation, 'password_reset.reason': reason });
        return { operation, reason, userId: user ? this.users.getId(user) : resetToken?.userId, ipAddress };
      }
      case PasswordResetEvents.PasswordRejected: {
        const { user, reasons } = payload as PasswordRejectedEvent;
        this.passwordRejections.add(1);
        return { userId: this.users.getId(user), reasons: reasons.length };
      }
      case PasswordResetEvents.PostReset: {
        const { user, resetToken } = payload as PostResetEvent;
        this.resets.add(1);
        return { userId: this.users.getId(user), tokenId: resetToken.id };
      }
      case PasswordResetEvents.DeliveryFailed: {
        const { user, attempts } = payload as DeliveryFailedEvent;
        this.deliveryFailures.add(1);
        return { userId: this.users.getId(user), attempts };
      }
      default:
        return {};
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
