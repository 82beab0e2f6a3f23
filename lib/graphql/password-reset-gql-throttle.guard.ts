import { ExecutionContext } from '@nestjs/common';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import { PasswordResetThrottleGuard } from '../throttling/password-reset-throttle.guard.js';
import type { HttpRequestLike } from '../utils/client-info.util.js';
import { passwordResetGraphQLError, toPasswordResetGraphQLError } from './password-reset-graphql.errors.js';

/** The HTTP request in a GraphQL context: both Nest drivers (Apollo, Mercurius) put it at `req`. */
export function graphQLRequest(context: unknown): HttpRequestLike {
  const request = (context as { req?: Partial<HttpRequestLike> } | undefined)?.req;
  if (typeof request?.headers !== 'object' || request.headers === null) {
    throw new PasswordResetConfigurationError(
      'the GraphQL context has no HTTP request at "req": a `context` function of your own must keep the one the driver passes',
    );
  }
  return request as HttpRequestLike;
}

/**
 * The per-client limits for the mutations. Beside counting each field as the REST guard counts each request,
 * it admits one password-reset field per HTTP request: aliases and batched operations would otherwise turn
 * one request into thousands of counted hits (each a round trip to a shared store), and none gets more done.
 */
export class PasswordResetGqlThrottleGuard extends PasswordResetThrottleGuard {
  /** The HTTP requests that already ran a password-reset field (the request, not the context: Apollo copies that). */
  private readonly served = new WeakSet<object>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = this.getRequest(context);
    if (this.served.has(request)) {
      const refusal = await this.localization.run(request, async () => this.options.messages.onePerRequest());
      throw passwordResetGraphQLError(refusal, 'BAD_USER_INPUT');
    }
    this.served.add(request);
    try {
      return await super.canActivate(context);
    } catch (error) {
      throw toPasswordResetGraphQLError(error);
    }
  }

  protected override getRequest(context: ExecutionContext): HttpRequestLike {
    // A resolver's arguments are (root, args, context, info).
    return graphQLRequest(context.getArgByIndex(2));
  }

  /** The 429 as a GraphQL error; the wait goes in `extensions.retryAfter`, since the reply is the driver's. */
  protected override throttled(_context: ExecutionContext, retryAfter: number): Error {
    return passwordResetGraphQLError(this.options.messages.tooManyRequests(), 'TOO_MANY_REQUESTS', { retryAfter });
  }
}
