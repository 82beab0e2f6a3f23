import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';

/** One message for every bad-token case, so no answer tells missing, expired, used and ineligible apart. */
export const INVALID_TOKEN_MESSAGE = 'The password reset token is invalid or has expired.';

export class InvalidResetTokenException extends NotFoundException {
  constructor() {
    super(INVALID_TOKEN_MESSAGE);
  }
}

/** 400 with Nest's standard body; `message` lists every reason. */
export class PasswordResetBadRequestException extends BadRequestException {
  constructor(reasons: string[]) {
    super(reasons);
  }
}

export const UNKNOWN_ACCOUNT_MESSAGE = (field: string) =>
  `We couldn't find an account associated with that ${field}. Please try a different ${field}.`;

export class PasswordResetThrottledException extends HttpException {
  constructor() {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: 'Too many requests. Try again later.', error: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
