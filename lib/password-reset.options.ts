import type { Provider } from '@nestjs/common';
import {
  DEFAULT_BCRYPT_COST,
  DEFAULT_CLEANUP_BATCH_SIZE,
  DEFAULT_MAX_FAILED_ATTEMPTS,
  DEFAULT_PATH,
  DEFAULT_TOKEN_TTL_SECONDS,
} from './password-reset.constants.js';
import { PasswordResetConfigurationError } from './exceptions/password-reset-configuration.error.js';
import { BaseTokenGenerator } from './tokens/base-token-generator.js';
import { RandomStringTokenGenerator } from './tokens/random-string-token.generator.js';
import { PasswordValidator } from './passwords/password-validator.js';
import { defaultPasswordValidators } from './passwords/default-password-validators.js';
import { definedEntries } from './utils/object.util.js';
import {
  DEFAULT_MESSAGES,
  isPasswordResetMessage,
  PasswordResetMessages,
  ResolvedPasswordResetMessages,
} from './password-reset.messages.js';
import { localisedMessages } from './i18n/password-reset-locale.context.js';
import { SHIPPED_CATALOGUES } from './i18n/shipped-catalogues.js';
import { MemoryThrottleStorage } from './throttling/memory-throttle.storage.js';
import {
  DEFAULT_IPV6_PREFIX,
  DEFAULT_RATE_LIMITS,
  DEFAULT_THROTTLE_STORAGE_TIMEOUT_MS,
  PasswordResetRateLimit,
  PasswordResetThrottleName,
  PasswordResetThrottleOptions,
  ResolvedPasswordResetThrottleOptions,
} from './throttling/password-reset-throttle.options.js';

/** Where the default user store finds each attribute on the entity. `null`: the entity has no such column. */
export interface PasswordResetUserFields {
  /** Default `'email'`. */
  email?: string;
  /** Default `'username'` (dropped if the entity has no such property). */
  username?: string | null;
  /** The password hash column. Default `'password'`. */
  password?: string;
  /** Default `'isActive'` (dropped if absent: every user is then active). */
  isActive?: string | null;
}

/** An entity class, typed without TypeORM (an app on stores of its own does not install it). */
export interface PasswordResetEntityClass {
  readonly name: string;
  readonly prototype: object;
}

export interface PasswordResetUserConfig {
  /** The app's TypeORM user entity; the token table references its table (ON DELETE CASCADE). */
  entity: PasswordResetEntityClass;
  fields?: PasswordResetUserFields;
}

/** Options that may come from an async factory. */
export interface PasswordResetModuleOptions {
  /** Seconds a token stays valid. Default 86400 (24 h). */
  tokenTtl?: number;
  /** Answer 200 for unknown accounts too. Default true. */
  noInformationLeakage?: boolean;
  /** Only accounts with a usable password may reset it. Default true. */
  requireUsablePassword?: boolean;
  /** The user field the request endpoint looks accounts up by, and the request body's key. Default 'email'. */
  lookupField?: string;
  /** Header holding the client IP (e.g. 'x-forwarded-for', set by your proxy). Default: the socket address. */
  ipAddressHeader?: string;
  /** Default 'user-agent'. */
  userAgentHeader?: string;
  /** Validate answers with the account's username and email. Default false. */
  userDetailsOnValidation?: boolean;
  /** Default: a `RandomStringTokenGenerator` of 32 letters and digits (about 190 bits). */
  tokenGenerator?: BaseTokenGenerator;
  /** Default: minimum length 8, common passwords, entirely numeric, similarity to email/username. */
  passwordValidators?: PasswordValidator[];
  /** bcrypt cost of the default hasher. Default 12. */
  bcryptCost?: number;
  /**
   * Key for HMAC-SHA256 token digests; without it, plain SHA-256. At least 32 characters. A list rotates keys:
   * the first signs new tokens, every one verifies (see the README's rotation steps).
   */
  tokenSecret?: string | readonly string[];
  /** Expired tokens deleted per request (and per statement in `clearExpired`). Default 100. */
  cleanupBatchSize?: number;
  /**
   * Validate and confirm also take the account identifier (the lookup field), wrong codes are counted per
   * account and the code is revoked after `maxFailedAttempts`. Needs `tokenSecret`. Default: on when the
   * generator's tokens carry fewer than 64 bits (numeric codes), off otherwise.
   */
  accountBoundTokens?: boolean;
  /**
   * Wrong guesses a token survives: codes of account-bound tokens and second-factor proofs, on one count per
   * token. Default 5.
   */
  maxFailedAttempts?: number;
  /**
   * Validate answers `secondFactorRequired: true` for a user enrolled with the `SecondFactorVerifier`, so a
   * page can ask for the code before the new password. Needs a verifier. Default false.
   */
  secondFactorOnValidation?: boolean;
  /**
   * One structured line per outcome (`password_reset.<outcome> key=value …`, never a token, password or secret)
   * through Nest's Logger at this level: 'log', 'debug', 'verbose' or 'warn'. Default false: none.
   */
  auditLogLevel?: PasswordResetAuditLogLevel | false;
  /** Rate limits per client and per account (see the README for the defaults); `false` switches all off. */
  throttle?: PasswordResetThrottleOptions | false;
  /**
   * Replacements for messages of the `defaultLocale` (see the README for each key); other languages go in
   * `translations`.
   */
  messages?: PasswordResetMessages;
  /**
   * The locale a call is answered in when its `Accept-Language` (or the `PasswordResetLocaleResolver`) names
   * none available. A shipped locale (en, pt-BR, es, de, fr) or one of `translations`. Default 'en'.
   */
  defaultLocale?: string;
  /**
   * Messages per locale (BCP 47 tag), laid over the shipped catalogue of that locale; a locale not shipped
   * becomes available, its missing keys in English. E.g. `{ 'pt-BR': { invalidToken: '...' }, it: { ... } }`.
   */
  translations?: Record<string, PasswordResetMessages>;
  /** How answered requests are run: retries, start delay, the in-process queue's bound (see the README's "Scaling out"). */
  queue?: PasswordResetQueueOptions;
}

export interface PasswordResetQueueOptions {
  /** Runs of a request whose delivery fails (a TokenCreated listener throws), the first included. Default 5. */
  attempts?: number;
  /** Milliseconds before the first retry, doubled for each further one. Default 3000 (3, 6, 12, 24 s). */
  backoff?: number;
  /**
   * A request's first run starts after a random delay from `min` to `max` ms, so a request sent right after it
   * is not slowed by its work. Default 50 to 1000; 0 to 0 only with workers on hosts of their own (workers on the
   * same host still share its CPU).
   */
  delay?: { min?: number; max?: number };
  /** In-process queue: requests taken and not yet finished, at most; more are refused with 503. Default 1000. */
  maxPending?: number;
  /** The longest a shutdown waits for requests in flight (ms). Default 10000. */
  shutdownTimeout?: number;
}

/** A class for `forRootAsync({ useClass })` or `useExisting`; the method name is set in the module definition. */
export interface PasswordResetOptionsFactory {
  createPasswordResetOptions(): PasswordResetModuleOptions | Promise<PasswordResetModuleOptions>;
}

/** Options that shape the module itself, so they sit beside `useFactory` in `forRootAsync`. */
export interface PasswordResetModuleExtras {
  /** Make the module's exports visible everywhere. Default false. */
  isGlobal?: boolean;
  /** The app's user entity and field map. Required while a default (TypeORM) token or user store is used. */
  user?: PasswordResetUserConfig;
  /** TypeORM data source name. Default: the default data source. */
  dataSource?: string;
  /** Mount the three endpoints. Default true; false to build your own routes over `PasswordResetService`. */
  registerController?: boolean;
  /** Base path of the endpoints. Default 'password_reset'. */
  path?: string;
  /** More providers, e.g. `{ provide: BaseTokenGenerator, useClass: MyGenerator }` to replace a strategy. */
  extraProviders?: Provider[];
}

type OptionalOptions = 'ipAddressHeader' | 'accountBoundTokens';

export type ResolvedPasswordResetQueueOptions = Required<Omit<PasswordResetQueueOptions, 'delay'>> & {
  delay: { min: number; max: number };
};

/** The levels an audit line may be logged at. */
export type PasswordResetAuditLogLevel = 'log' | 'debug' | 'verbose' | 'warn';

export type ResolvedPasswordResetOptions = Required<
  Omit<PasswordResetModuleOptions, OptionalOptions | 'tokenSecret' | 'throttle' | 'messages' | 'translations' | 'queue'>
> &
  Pick<PasswordResetModuleOptions, OptionalOptions> & {
    /** The key that signs new tokens: the first of the list. */
    tokenSecret?: string;
    /** Every key a token may have been signed with, the signing one first; empty without `tokenSecret`. */
    tokenSecrets: readonly string[];
    throttle: ResolvedPasswordResetThrottleOptions;
    /** The messages of the current call's locale (`defaultLocale`'s outside one): the one way to build a message. */
    messages: ResolvedPasswordResetMessages;
    /** Every available locale's messages, complete. */
    translations: Readonly<Record<string, ResolvedPasswordResetMessages>>;
    queue: ResolvedPasswordResetQueueOptions;
  };

const DEFAULTS = {
  tokenTtl: DEFAULT_TOKEN_TTL_SECONDS,
  noInformationLeakage: true,
  requireUsablePassword: true,
  lookupField: 'email',
  userAgentHeader: 'user-agent',
  userDetailsOnValidation: false,
  bcryptCost: DEFAULT_BCRYPT_COST,
  cleanupBatchSize: DEFAULT_CLEANUP_BATCH_SIZE,
  maxFailedAttempts: DEFAULT_MAX_FAILED_ATTEMPTS,
  secondFactorOnValidation: false,
  defaultLocale: 'en',
  auditLogLevel: false,
} satisfies Partial<ResolvedPasswordResetOptions>;

type Check = (value: unknown) => boolean;
const isBoolean: Check = (v) => typeof v === 'boolean';
const isPositiveInteger: Check = (v) => Number.isSafeInteger(v) && (v as number) > 0;
const isName: Check = (v) => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v);
const isHeaderName: Check = (v) => typeof v === 'string' && /^[A-Za-z0-9-]+$/.test(v);
const isSecret: Check = (v) => typeof v === 'string' && v.length >= 32;
const SECRET_EXPECTED = 'a string of at least 32 characters';

const CHECKS: Record<keyof PasswordResetModuleOptions, [Check, string]> = {
  tokenTtl: [isPositiveInteger, 'a positive whole number of seconds'],
  noInformationLeakage: [isBoolean, 'a boolean'],
  requireUsablePassword: [isBoolean, 'a boolean'],
  lookupField: [isName, 'an entity property name'],
  ipAddressHeader: [isHeaderName, 'an HTTP header name'],
  userAgentHeader: [isHeaderName, 'an HTTP header name'],
  userDetailsOnValidation: [isBoolean, 'a boolean'],
  tokenGenerator: [(v) => v instanceof BaseTokenGenerator, 'an instance of a BaseTokenGenerator subclass'],
  passwordValidators: [
    (v) => Array.isArray(v) && v.every((item) => item instanceof PasswordValidator),
    'an array of PasswordValidator instances',
  ],
  // The range is checked where bcrypt is set up, so a custom PasswordHasher is not bound by it.
  bcryptCost: [(v) => typeof v === 'number', 'a number'],
  // Checked on its own (checkTokenSecret), so an error can name the key of a list that is wrong.
  tokenSecret: [() => true, SECRET_EXPECTED],
  cleanupBatchSize: [(v) => isPositiveInteger(v) && (v as number) <= 10_000, 'an integer from 1 to 10000'],
  accountBoundTokens: [isBoolean, 'a boolean'],
  maxFailedAttempts: [(v) => isPositiveInteger(v) && (v as number) <= 100, 'an integer from 1 to 100'],
  secondFactorOnValidation: [isBoolean, 'a boolean'],
  auditLogLevel: [
    (v) => v === false || ['log', 'debug', 'verbose', 'warn'].includes(v as string),
    "false, 'log', 'debug', 'verbose' or 'warn'",
  ],
  throttle: [(v) => v === false || isPlainObject(v), 'false or an object of limits'],
  messages: [(v) => isPlainObject(v), 'an object of messages'],
  defaultLocale: [(v) => typeof v === 'string' && isLocaleTag(v), 'a language tag such as "en" or "pt-BR"'],
  translations: [
    (v) =>
      isPlainObject(v) && Object.entries(v).every(([tag, messages]) => isLocaleTag(tag) && isPlainObject(messages)),
    'an object of messages by language tag, e.g. { "pt-BR": { ... } }',
  ],
  // Checked on its own (resolveQueue), so an error names the setting.
  queue: [(v) => isPlainObject(v), 'an object of queue settings'],
};

const THROTTLE_NAMES = Object.keys(DEFAULT_RATE_LIMITS) as PasswordResetThrottleName[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const THROTTLE_SETTINGS: Record<string, [Check, string]> = {
  ipv6Prefix: [(v) => isPositiveInteger(v) && (v as number) <= 128, 'an integer from 1 to 128'],
  keySecret: [isSecret, SECRET_EXPECTED],
  storageTimeout: [
    (v) => isPositiveInteger(v) && (v as number) <= 60_000,
    'a whole number of milliseconds up to 60000',
  ],
};

function resolveThrottle(
  throttle: PasswordResetThrottleOptions | false | undefined,
  tokenSecret: string | undefined,
): ResolvedPasswordResetThrottleOptions {
  if (throttle === false) {
    const off = Object.fromEntries(THROTTLE_NAMES.map((name) => [name, false])) as Record<
      PasswordResetThrottleName,
      false
    >;
    return { limits: off, ...throttleSettings({}) };
  }
  const given = throttle ?? {};
  const settings = Object.entries(given).filter(
    ([key]) => key !== 'storage' && !THROTTLE_NAMES.includes(key as PasswordResetThrottleName),
  );
  checkSettings('throttle', Object.fromEntries(settings), THROTTLE_SETTINGS);
  const { storage } = given;
  if (storage !== undefined && typeof storage?.increment !== 'function') {
    throw new PasswordResetConfigurationError('option "throttle.storage" must implement ThrottlerStorage (increment)');
  }
  // A store outside this process (Redis) must get keys every instance computes alike and nobody can reverse.
  if (storage && !(storage instanceof MemoryThrottleStorage) && !given.keySecret && !tokenSecret) {
    throw new PasswordResetConfigurationError(
      'option "throttle.keySecret" (or tokenSecret) is required with throttle.storage: the keys of a shared ' +
        'store are HMACs of client addresses and identifiers under a key all instances share',
    );
  }
  const limits = {} as Record<PasswordResetThrottleName, PasswordResetRateLimit | false>;
  for (const name of THROTTLE_NAMES) {
    const rate = given[name] ?? DEFAULT_RATE_LIMITS[name];
    if (rate !== false && !(isPlainObject(rate) && isPositiveInteger(rate.limit) && isPositiveInteger(rate.ttl))) {
      throw new PasswordResetConfigurationError(
        `option "throttle.${name}" must be false or { limit, ttl } with positive whole numbers (ttl in seconds)`,
      );
    }
    limits[name] = rate;
  }
  return { limits, storage, ...throttleSettings(given) };
}

function throttleSettings(given: PasswordResetThrottleOptions) {
  return {
    ipv6Prefix: given.ipv6Prefix ?? DEFAULT_IPV6_PREFIX,
    keySecret: given.keySecret,
    storageTimeout: given.storageTimeout ?? DEFAULT_THROTTLE_STORAGE_TIMEOUT_MS,
  };
}

const QUEUE_DEFAULTS: ResolvedPasswordResetQueueOptions = {
  attempts: 5,
  backoff: 3000,
  delay: { min: 50, max: 1000 },
  maxPending: 1000,
  shutdownTimeout: 10_000,
};

const isMilliseconds: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 3_600_000;
const MILLISECONDS_EXPECTED = 'a whole number of milliseconds from 0 to 3600000';

const QUEUE_SETTINGS: Record<string, [Check, string]> = {
  attempts: [(v) => isPositiveInteger(v) && (v as number) <= 100, 'an integer from 1 to 100'],
  backoff: [isMilliseconds, MILLISECONDS_EXPECTED],
  delay: [isPlainObject, 'an object { min, max } of milliseconds'],
  maxPending: [(v) => isPositiveInteger(v) && (v as number) <= 1_000_000, 'an integer from 1 to 1000000'],
  shutdownTimeout: [isMilliseconds, MILLISECONDS_EXPECTED],
};

function resolveQueue(given: PasswordResetQueueOptions = {}): ResolvedPasswordResetQueueOptions {
  checkSettings('queue', given, QUEUE_SETTINGS);
  const delay = { ...QUEUE_DEFAULTS.delay, ...definedEntries(given.delay ?? {}) };
  checkSettings('queue.delay', delay, {
    min: [isMilliseconds, MILLISECONDS_EXPECTED],
    max: [isMilliseconds, MILLISECONDS_EXPECTED],
  });
  if (delay.min > delay.max) {
    throw new PasswordResetConfigurationError('option "queue.delay.min" must not be above "queue.delay.max"');
  }
  return { ...QUEUE_DEFAULTS, ...definedEntries(given), delay };
}

/** Every key known, every set value of the expected kind; the error names the option by its full path. */
function checkSettings(path: string, given: object, settings: Record<string, [Check, string]>): void {
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(settings, key)) throw new PasswordResetConfigurationError(`unknown option "${path}.${key}"`);
    const [check, expected] = settings[key];
    if (value !== undefined && !check(value)) {
      throw new PasswordResetConfigurationError(`option "${path}.${key}" must be ${expected}`);
    }
  }
}

function isLocaleTag(value: string): boolean {
  return /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(value);
}

function resolveMessages(
  messages: PasswordResetMessages = {},
  base: ResolvedPasswordResetMessages,
  path: string,
): ResolvedPasswordResetMessages {
  const resolved = { ...base };
  for (const [key, message] of Object.entries(messages)) {
    if (!Object.hasOwn(DEFAULT_MESSAGES, key)) {
      throw new PasswordResetConfigurationError(`unknown option "${path}.${key}"`);
    }
    if (message === undefined) continue;
    if (!isPasswordResetMessage(message)) {
      throw new PasswordResetConfigurationError(
        `option "${path}.${key}" must be a non-empty string or a function returning one (got ${describeType(message)})`,
      );
    }
    Object.assign(resolved, { [key]: typeof message === 'function' ? message : () => message });
  }
  return resolved;
}

/**
 * Every available locale complete: the shipped catalogues, each `translations` entry over its own (or over
 * English), and `messages` over the default locale's. The default locale must be among them.
 */
function resolveTranslations(options: PasswordResetModuleOptions): {
  defaultLocale: string;
  translations: Record<string, ResolvedPasswordResetMessages>;
} {
  const translations: Record<string, ResolvedPasswordResetMessages> = { ...SHIPPED_CATALOGUES };
  const shippedTag = (tag: string) =>
    Object.keys(SHIPPED_CATALOGUES).find((t) => t.toLowerCase() === tag.toLowerCase());
  for (const [tag, messages] of Object.entries(options.translations ?? {})) {
    const locale = shippedTag(tag) ?? tag;
    translations[locale] = resolveMessages(messages, translations[locale] ?? DEFAULT_MESSAGES, `translations.${tag}`);
  }
  const defaultLocale = options.defaultLocale ?? DEFAULTS.defaultLocale;
  const locale = Object.keys(translations).find((tag) => tag.toLowerCase() === defaultLocale.toLowerCase());
  if (locale === undefined) {
    throw new PasswordResetConfigurationError(
      `option "defaultLocale" must be a shipped locale (${Object.keys(SHIPPED_CATALOGUES).join(', ')}) or one of "translations" (got "${defaultLocale}")`,
    );
  }
  translations[locale] = resolveMessages(options.messages, translations[locale], 'messages');
  return { defaultLocale: locale, translations };
}

function describeType(value: unknown): string {
  if (value === '') return 'an empty string';
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** One key, or a non-empty list of keys (the first signs), each at least 32 characters. */
function resolveTokenSecrets(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    if (!isSecret(value)) {
      throw new PasswordResetConfigurationError(`option "tokenSecret" must be ${SECRET_EXPECTED} or a list of them`);
    }
    return [value as string];
  }
  if (value.length === 0) {
    throw new PasswordResetConfigurationError(
      'option "tokenSecret" must not be an empty list: give the key that signs first, then the keys still accepted',
    );
  }
  value.forEach((key, index) => {
    if (!isSecret(key))
      throw new PasswordResetConfigurationError(`option "tokenSecret[${index}]" must be ${SECRET_EXPECTED}`);
  });
  if (new Set(value).size !== value.length) {
    throw new PasswordResetConfigurationError('option "tokenSecret" lists a key twice');
  }
  return [...(value as string[])];
}

/** Merges the defaults into the user's options and fails the boot on anything wrong, naming the option. */
export function resolvePasswordResetOptions(options: PasswordResetModuleOptions = {}): ResolvedPasswordResetOptions {
  if (typeof options !== 'object' || options === null) {
    throw new PasswordResetConfigurationError('options must be an object');
  }
  for (const [name, value] of Object.entries(options)) {
    if (!(name in CHECKS)) {
      throw new PasswordResetConfigurationError(`unknown option "${name}"`);
    }
    const [check, expected] = CHECKS[name as keyof PasswordResetModuleOptions];
    if (value !== undefined && !check(value)) {
      throw new PasswordResetConfigurationError(`option "${name}" must be ${expected}`);
    }
  }
  const tokenSecrets = resolveTokenSecrets(options.tokenSecret);
  const { defaultLocale, translations } = resolveTranslations(options);
  return {
    ...DEFAULTS,
    tokenGenerator: new RandomStringTokenGenerator(),
    passwordValidators: defaultPasswordValidators(),
    ...definedEntries(options),
    tokenSecret: tokenSecrets[0],
    tokenSecrets,
    throttle: resolveThrottle(options.throttle, tokenSecrets[0]),
    defaultLocale,
    translations,
    messages: localisedMessages(translations[defaultLocale]),
    queue: resolveQueue(options.queue),
  };
}

/** What `forRootAsync` takes beside the extras (ConfigurableModuleBuilder's async options). */
const ASYNC_OPTION_KEYS = new Set([
  'imports',
  'inject',
  'useFactory',
  'useClass',
  'useExisting',
  'provideInjectionTokensFrom',
]);

/**
 * Checks the synchronous extras; they are known at import time, so errors surface before anything starts.
 * In `forRootAsync`, any other key would be taken for an extra and silently dropped: an option such as
 * `tokenTtl` written beside `useFactory` belongs in what the factory returns.
 */
export function validatePasswordResetExtras(
  extras: PasswordResetModuleExtras,
  { async, userEntityRequired }: { async: boolean; userEntityRequired: boolean },
): void {
  const { user, path, dataSource } = extras;
  if (async) {
    for (const key of Object.keys(extras)) {
      const known = ASYNC_OPTION_KEYS.has(key) || Object.hasOwn(EXTRA_DEFAULTS_AND_PLACEHOLDERS, key);
      if (known || (extras as Record<string, unknown>)[key] === undefined) continue;
      throw new PasswordResetConfigurationError(
        key in CHECKS
          ? `option "${key}" is not read beside useFactory/useClass/useExisting in forRootAsync: return it from the factory`
          : `unknown option "${key}" in forRootAsync`,
      );
    }
  }
  if (user === undefined ? userEntityRequired : typeof user !== 'object' || typeof user?.entity !== 'function') {
    throw new PasswordResetConfigurationError(
      'user.entity is required while a default TypeORM store is used: pass `user: { entity: User }`',
    );
  }
  if (path !== undefined && (typeof path !== 'string' || !/^[A-Za-z0-9_\-/]*$/.test(path))) {
    throw new PasswordResetConfigurationError('path must contain only letters, digits, "_", "-" and "/"');
  }
  if (dataSource !== undefined && (typeof dataSource !== 'string' || dataSource === '')) {
    throw new PasswordResetConfigurationError('dataSource must be the name of a TypeORM data source');
  }
}

export const DEFAULT_EXTRAS: Required<Omit<PasswordResetModuleExtras, 'user' | 'dataSource'>> = {
  isGlobal: false,
  registerController: true,
  path: DEFAULT_PATH,
  extraProviders: [],
};

/**
 * The extras as ConfigurableModuleBuilder must know them. The builder strips these keys from the options, so
 * the ones without a default (`user`, `dataSource`) need an undefined placeholder: without it they would reach
 * `resolvePasswordResetOptions` and fail there as unknown options.
 */
export const EXTRA_DEFAULTS_AND_PLACEHOLDERS: Required<PasswordResetModuleExtras> | PasswordResetModuleExtras = {
  ...DEFAULT_EXTRAS,
  user: undefined,
  dataSource: undefined,
};
