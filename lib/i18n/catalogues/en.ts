import {
  INVALID_TOKEN_MESSAGE,
  SECOND_FACTOR_INVALID_MESSAGE,
  SECOND_FACTOR_REQUIRED_MESSAGE,
  SERVICE_UNAVAILABLE_MESSAGE,
  TOO_MANY_REQUESTS_MESSAGE,
} from '../../exceptions/password-reset.exceptions.js';
import type { ResolvedPasswordResetMessages } from '../../password-reset.messages.js';

export const BREACHED_PASSWORD_MESSAGE = 'This password has appeared in a data breach and cannot be used.';
export const BREACH_CHECK_UNAVAILABLE_MESSAGE =
  'This password could not be checked against known data breaches right now. Please try again later.';

/** English: the default locale's catalogue, and what a partial translation falls back to. */
export const EN_MESSAGES: ResolvedPasswordResetMessages = {
  invalidToken: () => INVALID_TOKEN_MESSAGE,
  unknownAccount: (field) =>
    `We couldn't find an account associated with that ${field}. Please try a different ${field}.`,
  tooManyRequests: () => TOO_MANY_REQUESTS_MESSAGE,
  serviceUnavailable: () => SERVICE_UNAVAILABLE_MESSAGE,
  invalidBody: () => 'the request body must be a JSON or form-encoded object',
  unexpectedField: (field) => `property ${field} should not exist`,
  emptyField: (field) => `${field} should not be empty`,
  notAString: (field) => `${field} must be a string`,
  fieldTooLong: (field, maxLength) => `${field} must be at most ${maxLength} characters long`,
  invalidText: (field) => `${field} must be valid UTF-8 text without NUL characters`,
  invalidEmail: (field) => `${field} must be an email address`,
  passwordTooLong: (maxBytes) => `This password is too long. It must be at most ${maxBytes} bytes in UTF-8.`,
  secondFactorRequired: () => SECOND_FACTOR_REQUIRED_MESSAGE,
  secondFactorInvalid: () => SECOND_FACTOR_INVALID_MESSAGE,
  onePerRequest: () => 'only one password reset mutation may be sent per request',
  passwordTooShort: (min) =>
    `This password is too short. It must contain at least ${min} ${min === 1 ? 'character' : 'characters'}.`,
  passwordTooCommon: () => 'This password is too common.',
  passwordEntirelyNumeric: () => 'This password is entirely numeric.',
  passwordBlank: () => 'This password has no visible characters.',
  passwordRepetitive: () => 'This password repeats a few characters over and over.',
  passwordSequential: () => 'This password is a sequence of characters, like abcdefgh or 12345678.',
  passwordTooSimilar: (attribute) => `The password is too similar to the ${attribute}.`,
  passwordBreached: () => BREACHED_PASSWORD_MESSAGE,
  breachCheckUnavailable: () => BREACH_CHECK_UNAVAILABLE_MESSAGE,
};
