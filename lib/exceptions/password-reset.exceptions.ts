import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';

// A mixin's base must be constructible with `any[]` (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HttpExceptionClass = new (...args: any[]) => HttpException;

/**
 * The class, built without capturing a stack: these answers are expected outcomes (a bad token, a refused
 * request), and capturing the stack of each was a measurable share of a 404's or a 429's cost under load,
 * for a trace no one reads (Nest logs no HttpException).
 */
function withoutStack<Base extends HttpExceptionClass>(base: Base): Base {
  return class extends base {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
        super(...args);
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
  };
}

/** One message for every bad-token case, so no answer tells missing, expired, used and ineligible apart. */
export const INVALID_TOKEN_MESSAGE = 'The password reset token is invalid or has expired.';

export class InvalidResetTokenException extends withoutStack(NotFoundException) {
  constructor(message: string = INVALID_TOKEN_MESSAGE) {
    super(message);
  }
}

/** 400 with Nest's standard body; `message` lists every reason. */
export class PasswordResetBadRequestException extends withoutStack(BadRequestException) {
  constructor(readonly reasons: string[]) {
    super(reasons);
  }
}

export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests. Try again later.';

export class PasswordResetThrottledException extends withoutStack(HttpException) {
  constructor(message: string = TOO_MANY_REQUESTS_MESSAGE) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

export const SERVICE_UNAVAILABLE_MESSAGE = 'The service is unavailable. Try again later.';

/** 503: the throttle storage failed or did not answer in time, so no limit could be checked. */
export class PasswordResetUnavailableException extends withoutStack(ServiceUnavailableException) {
  constructor(message: string = SERVICE_UNAVAILABLE_MESSAGE) {
    super(message);
  }
}

export const SECOND_FACTOR_REQUIRED_MESSAGE = 'A second factor is required to reset this password.';
export const SECOND_FACTOR_INVALID_MESSAGE = 'The second factor could not be verified.';

/**
 * 403 for an enrolled user's confirm without a proof, or with one that failed: the token is kept, so the client
 * asks for the code and sends the confirm again. `secondFactorRequired: true` tells it from any other 403.
 */
export class SecondFactorRequiredException extends withoutStack(ForbiddenException) {
  constructor(message: string = SECOND_FACTOR_REQUIRED_MESSAGE) {
    super({ statusCode: HttpStatus.FORBIDDEN, message, error: 'Forbidden', secondFactorRequired: true });
  }
}
