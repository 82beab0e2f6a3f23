import { CanActivate, ExecutionContext, Inject, Injectable, Optional, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PasswordResetThrottledException } from '../exceptions/password-reset.exceptions.js';
import { PasswordResetAudit } from '../observability/password-reset-audit.js';
import { PasswordResetLocalization } from '../i18n/password-reset-localization.js';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import { PasswordResetEvents, ThrottledEvent } from '../password-reset.events.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import { clientAddress, clientThrottleKey, normaliseIpAddress } from '../utils/client-info.util.js';
import type { HttpRequestLike } from '../utils/client-info.util.js';
import type { PasswordResetThrottleName } from './password-reset-throttle.options.js';
import { PasswordResetThrottler } from './password-reset-throttler.js';

const THROTTLE_METADATA = 'password_reset:throttle';

/** Marks a route with the per-client limit that guards it. */
export const ThrottlePerClient = (name: PasswordResetThrottleName) => SetMetadata(THROTTLE_METADATA, name);

/**
 * Runs before the body is read, so malformed requests count too. Answers 429 with `Retry-After`, or 503 when
 * the throttle storage cannot count.
 */
@Injectable()
export class PasswordResetThrottleGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly throttler: PasswordResetThrottler,
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
    protected readonly localization: PasswordResetLocalization,
    @Optional() protected readonly audit?: PasswordResetAudit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.get<PasswordResetThrottleName | undefined>(THROTTLE_METADATA, context.getHandler());
    if (!name) return true;
    const request = this.getRequest(context);
    // The 429 and 503 are answered in the caller's language too.
    return this.localization.run(request, async () => {
      const address = clientAddress(request, this.options);
      const verdict = await this.throttler.hit(name, clientThrottleKey(address, this.options.throttle.ipv6Prefix));
      if (verdict.allowed) return true;
      this.audit?.record(
        PasswordResetEvents.Throttled,
        new ThrottledEvent(name, normaliseIpAddress(address), verdict.retryAfter),
      );
      throw this.throttled(context, verdict.retryAfter);
    });
  }

  /** The HTTP request of the call (a GraphQL guard reads it from the operation's context instead). */
  protected getRequest(context: ExecutionContext): HttpRequestLike {
    return context.switchToHttp().getRequest<HttpRequestLike>();
  }

  /** What a call over the limit is refused with: the 429, its `Retry-After` on the response. */
  protected throttled(context: ExecutionContext, retryAfter: number): Error {
    // Express and Fastify replies both expose header().
    context
      .switchToHttp()
      .getResponse<{ header(name: string, value: string): unknown }>()
      .header('Retry-After', String(retryAfter));
    return new PasswordResetThrottledException(this.options.messages.tooManyRequests());
  }
}
