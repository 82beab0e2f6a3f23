import {
  INVALID_TOKEN_MESSAGE,
  SECOND_FACTOR_INVALID_MESSAGE,
  SECOND_FACTOR_REQUIRED_MESSAGE,
  SERVICE_UNAVAILABLE_MESSAGE,
  TOO_MANY_REQUESTS_MESSAGE,
} from './exceptions/password-reset.exceptions.js';

/**
 * A message, or a function building it from the values it reports. A function is called each time the message
 * is needed, so it can interpolate and pluralise in the reader's language (or read a per-request locale).
 */
export type PasswordResetMessage<Args extends unknown[] = []> = string | ((...args: Args) => string);

/**
 * Every message the module itself answers with, by key, with the values each one reports. The password
 * validators carry their own (their `message` option).
 */
interface MessageArguments {
  /** 404 for every bad token. Takes no arguments, so missing, malformed, expired and used tokens stay alike. */
  invalidToken: [];
  /** 400 for an unknown account, only with `noInformationLeakage: false`. */
  unknownAccount: [field: string];
  /** 429. */
  tooManyRequests: [];
  /** 503: the throttle storage failed or did not answer within `throttle.storageTimeout`. */
  serviceUnavailable: [];
  /** 400: the body is not a JSON or form-encoded object. */
  invalidBody: [];
  /** 400: a property the endpoint does not take (its name cut to 64 characters). */
  unexpectedField: [field: string];
  /** 400: a field missing, null or blank. */
  emptyField: [field: string];
  /** 400: a field that is not a string. */
  notAString: [field: string];
  /** 400: a field longer than its limit. */
  fieldTooLong: [field: string, maxLength: number];
  /** 400: a field with lone surrogates, NUL or bytes that are not UTF-8. */
  invalidText: [field: string];
  /** 400: the `email` lookup value is not an email address. */
  invalidEmail: [field: string];
  /** 400: a new password over the hasher's byte limit (72 UTF-8 bytes for bcrypt). */
  passwordTooLong: [maxBytes: number];
  /** 403: an enrolled user's confirm carried no second-factor proof. */
  secondFactorRequired: [];
  /** 403: the second-factor proof was wrong. */
  secondFactorInvalid: [];
  /** 400, GraphQL only: a second password-reset field in one HTTP request (aliases, batched operations). */
  onePerRequest: [];
}

/** The `messages` option: any subset of the module's messages. */
export type PasswordResetMessages = { [Key in keyof MessageArguments]?: PasswordResetMessage<MessageArguments[Key]> };

/** The messages with the defaults filled in, each a function. */
export type ResolvedPasswordResetMessages = {
  [Key in keyof MessageArguments]: (...args: MessageArguments[Key]) => string;
};

export const DEFAULT_MESSAGES: ResolvedPasswordResetMessages = {
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
};

/** What a message option accepts: a non-empty string or a function. */
export function isPasswordResetMessage(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || typeof value === 'function';
}

/** A validator's message option as a function, or its default; anything else fails at construction. */
export function resolveValidatorMessage<Args extends unknown[]>(
  given: PasswordResetMessage<Args> | undefined,
  fallback: (...args: Args) => string,
  option = 'message',
): (...args: Args) => string {
  if (given === undefined) return fallback;
  if (!isPasswordResetMessage(given))
    throw new Error(`${option} must be a non-empty string or a function returning one`);
  return typeof given === 'function' ? given : () => given;
}
