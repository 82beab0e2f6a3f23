import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  InvalidResetTokenException,
  PasswordResetBadRequestException,
  PasswordResetThrottledException,
  PasswordResetUnavailableException,
  SecondFactorRequiredException,
} from './password-reset.exceptions.js';

const expected: [string, () => HttpException, abstract new (...args: never[]) => HttpException, number][] = [
  ['InvalidResetTokenException', () => new InvalidResetTokenException(), NotFoundException, 404],
  ['PasswordResetBadRequestException', () => new PasswordResetBadRequestException(['no']), BadRequestException, 400],
  ['PasswordResetThrottledException', () => new PasswordResetThrottledException(), HttpException, 429],
  [
    'PasswordResetUnavailableException',
    () => new PasswordResetUnavailableException(),
    ServiceUnavailableException,
    503,
  ],
  ['SecondFactorRequiredException', () => new SecondFactorRequiredException(), ForbiddenException, 403],
];

describe('the expected answers (bad token, bad input, throttled, unavailable, second factor)', () => {
  it.each(expected)('%s captures no stack frames and stays the Nest exception it was', (name, build, base, status) => {
    const exception = build();
    expect(exception).toBeInstanceOf(base);
    expect(exception.name).toBe(name);
    expect(exception.getStatus()).toBe(status);
    expect(exception.stack).not.toMatch(/\n\s+at /);
  });

  it('leaves stack capture on for every other error', () => {
    const limit = Error.stackTraceLimit;
    build();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('unexpected').stack).toMatch(/\n\s+at /);
    expect(new NotFoundException().stack).toMatch(/\n\s+at /);
  });
});

function build(): void {
  for (const [, make] of expected) make();
}
