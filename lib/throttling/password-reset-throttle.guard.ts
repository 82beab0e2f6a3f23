import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PasswordResetThrottledException } from '../exceptions/password-reset.exceptions.js';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import { clientAddress, clientThrottleKey } from '../utils/client-info.util.js';
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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.get<PasswordResetThrottleName | undefined>(THROTTLE_METADATA, context.getHandler());
    if (!name) return true;
    const http = context.switchToHttp();
    const address = clientAddress(http.getRequest<HttpRequestLike>(), this.options);
    const verdict = await this.throttler.hit(name, clientThrottleKey(address, this.options.throttle.ipv6Prefix));
    if (verdict.allowed) return true;
    // Express and Fastify replies both expose header().
    http
      .getResponse<{ header(name: string, value: string): unknown }>()
      .header('Retry-After', String(verdict.retryAfter));
    throw new PasswordResetThrottledException(this.options.messages.tooManyRequests());
  }
}
