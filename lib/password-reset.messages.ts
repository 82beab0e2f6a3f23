import { EN_MESSAGES } from './i18n/catalogues/en.js';

/**
 * A message, or a function building it from the values it reports. A function is called each time the message
 * is needed, so it can interpolate and pluralise in the reader's language (or read a per-request locale).
 */
export type PasswordResetMessage<Args extends unknown[] = []> = string | ((...args: Args) => string);

/**
 * Every message the module answers with, by key, with the values each one reports: its own, and the default
 * refusals of the shipped password validators (a validator's `message` option replaces its refusal in every locale).
 */
export interface MessageArguments {
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
  /** MinimumLengthValidator. */
  passwordTooShort: [minLength: number];
  /** CommonPasswordValidator. */
  passwordTooCommon: [];
  /** NumericPasswordValidator. */
  passwordEntirelyNumeric: [];
  /** BlankPasswordValidator. */
  passwordBlank: [];
  /** RepetitivePasswordValidator. */
  passwordRepetitive: [];
  /** SequentialPasswordValidator. */
  passwordSequential: [];
  /** UserAttributeSimilarityValidator, once per attribute the password resembles. */
  passwordTooSimilar: [attribute: string];
  /** PwnedPasswordValidator: the password is in a known breach. */
  passwordBreached: [];
  /** PwnedPasswordValidator with `failOpen: false`: the breach API did not answer. */
  breachCheckUnavailable: [];
}

export type PasswordResetMessageKey = keyof MessageArguments;

/**
 * The names of each message's values, in order: how they are passed by name to a translation service
 * (nestjs-i18n's `{field}`), and what the catalogue test checks every language interpolates.
 */
export const MESSAGE_ARGUMENT_NAMES: { [Key in PasswordResetMessageKey]: readonly string[] } = {
  invalidToken: [],
  unknownAccount: ['field'],
  tooManyRequests: [],
  serviceUnavailable: [],
  invalidBody: [],
  unexpectedField: ['field'],
  emptyField: ['field'],
  notAString: ['field'],
  fieldTooLong: ['field', 'maxLength'],
  invalidText: ['field'],
  invalidEmail: ['field'],
  passwordTooLong: ['maxBytes'],
  secondFactorRequired: [],
  secondFactorInvalid: [],
  onePerRequest: [],
  passwordTooShort: ['minLength'],
  passwordTooCommon: [],
  passwordEntirelyNumeric: [],
  passwordBlank: [],
  passwordRepetitive: [],
  passwordSequential: [],
  passwordTooSimilar: ['attribute'],
  passwordBreached: [],
  breachCheckUnavailable: [],
};

export const MESSAGE_KEYS = Object.keys(MESSAGE_ARGUMENT_NAMES) as PasswordResetMessageKey[];

/** The `messages` option (and each language of `translations`): any subset of the module's messages. */
export type PasswordResetMessages = { [Key in keyof MessageArguments]?: PasswordResetMessage<MessageArguments[Key]> };

/** The messages with the defaults filled in, each a function. */
export type ResolvedPasswordResetMessages = {
  [Key in keyof MessageArguments]: (...args: MessageArguments[Key]) => string;
};

/** The English catalogue: the messages of the default locale unless the app says otherwise. */
export const DEFAULT_MESSAGES: ResolvedPasswordResetMessages = EN_MESSAGES;

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
