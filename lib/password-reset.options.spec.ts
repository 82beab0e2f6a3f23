import { describe, expect, it } from '@jest/globals';
import { resolvePasswordResetOptions, validatePasswordResetExtras } from './password-reset.options.js';
import type { PasswordResetModuleExtras } from './password-reset.options.js';
import { RandomStringTokenGenerator } from './tokens/random-string-token.generator.js';
import { MemoryThrottleStorage } from './throttling/memory-throttle.storage.js';

describe('resolvePasswordResetOptions', () => {
  it('fills in the documented defaults', () => {
    const options = resolvePasswordResetOptions({});
    expect(options).toMatchObject({
      tokenTtl: 86_400,
      noInformationLeakage: true,
      requireUsablePassword: true,
      lookupField: 'email',
      userAgentHeader: 'user-agent',
      userDetailsOnValidation: false,
      bcryptCost: 12,
      maxFailedAttempts: 5,
    });
    expect(options.ipAddressHeader).toBeUndefined();
    expect(options.tokenGenerator).toBeInstanceOf(RandomStringTokenGenerator);
    expect(options.passwordValidators).toHaveLength(7);
    expect(options.throttle.limits).toEqual({
      request: { limit: 20, ttl: 3600 },
      account: { limit: 10, ttl: 3600 },
      accountPerClient: { limit: 3, ttl: 3600 },
      guess: { limit: 5, ttl: 3600 },
      token: { limit: 30, ttl: 900 },
    });
  });

  it('takes the throttle settings, and a shared store once a key secret is known', () => {
    const storage = { increment: () => Promise.reject(new Error('unused')) };
    const secret = 's'.repeat(32);
    expect(resolvePasswordResetOptions({ throttle: { ipv6Prefix: 56, storageTimeout: 250 } }).throttle).toMatchObject({
      ipv6Prefix: 56,
      storageTimeout: 250,
    });
    expect(resolvePasswordResetOptions({}).throttle).toMatchObject({ ipv6Prefix: 64, storageTimeout: 1000 });
    expect(resolvePasswordResetOptions({ throttle: { storage, keySecret: secret } }).throttle.storage).toBe(storage);
    expect(resolvePasswordResetOptions({ tokenSecret: secret, throttle: { storage } }).throttle.storage).toBe(storage);
    // Another in-memory store stays in this process: a random key does.
    const memory = new MemoryThrottleStorage({ maxKeys: 10 });
    expect(resolvePasswordResetOptions({ throttle: { storage: memory } }).throttle.storage).toBe(memory);
  });

  it('takes one key or a list of keys, the first signing', () => {
    const [signing, older] = ['s'.repeat(32), 'o'.repeat(40)];
    expect(resolvePasswordResetOptions({ tokenSecret: signing })).toMatchObject({
      tokenSecret: signing,
      tokenSecrets: [signing],
    });
    expect(resolvePasswordResetOptions({ tokenSecret: [signing, older] })).toMatchObject({
      tokenSecret: signing,
      tokenSecrets: [signing, older],
    });
    expect(resolvePasswordResetOptions({}).tokenSecrets).toEqual([]);
  });

  it('merges the queue settings into their defaults', () => {
    expect(resolvePasswordResetOptions({}).queue).toEqual({
      attempts: 5,
      backoff: 3000,
      delay: { min: 50, max: 1000 },
      maxPending: 1000,
      shutdownTimeout: 10_000,
    });
    expect(resolvePasswordResetOptions({ queue: { attempts: 2, delay: { max: 100 } } }).queue).toMatchObject({
      attempts: 2,
      backoff: 3000,
      delay: { min: 50, max: 100 },
    });
  });

  it('keeps defaults where the app passed undefined', () => {
    expect(resolvePasswordResetOptions({ tokenTtl: undefined }).tokenTtl).toBe(86_400);
  });

  it.each([
    [{ tokenTTL: 5 }, /unknown option "tokenTTL"/],
    [{ tokenTtl: -1 }, /option "tokenTtl" must be a positive whole number of seconds/],
    [{ tokenTtl: '3600' }, /tokenTtl/],
    [{ lookupField: 'email; drop table' }, /lookupField/],
    [{ ipAddressHeader: 'x forwarded' }, /ipAddressHeader/],
    [{ tokenGenerator: { generateToken: () => 'x' } }, /tokenGenerator/],
    [{ passwordValidators: [() => []] }, /passwordValidators/],
    [{ tokenSecret: 'short' }, /option "tokenSecret" must be a string of at least 32 characters or a list of them/],
    [{ tokenSecret: [] }, /option "tokenSecret" must not be an empty list/],
    [
      { tokenSecret: ['k'.repeat(32), 'short'] },
      /option "tokenSecret\[1\]" must be a string of at least 32 characters/,
    ],
    [{ tokenSecret: ['k'.repeat(32), 42] }, /option "tokenSecret\[1\]"/],
    [{ tokenSecret: ['k'.repeat(32), 'k'.repeat(32)] }, /option "tokenSecret" lists a key twice/],
    [{ throttle: { request: { limit: 1 } } }, /throttle\.request/],
    [{ throttle: { storage: {} } }, /throttle\.storage/],
    [{ throttle: { ipv6Prefix: 0 } }, /option "throttle\.ipv6Prefix" must be an integer from 1 to 128/],
    [{ throttle: { ipv6Prefix: 129 } }, /throttle\.ipv6Prefix/],
    [{ throttle: { ipv6Prefix: '64' } }, /throttle\.ipv6Prefix/],
    [{ throttle: { keySecret: 'short' } }, /option "throttle\.keySecret" must be a string of at least 32 characters/],
    [{ throttle: { storageTimeout: 0 } }, /option "throttle\.storageTimeout" must be a whole number of milliseconds/],
    [{ throttle: { storage: { increment: () => {} } } }, /option "throttle\.keySecret" \(or tokenSecret\) is required/],
    [{ messages: 'Token invalide' }, /option "messages" must be an object of messages/],
    [{ queue: 5 }, /option "queue" must be an object of queue settings/],
    [{ queue: { attempt: 3 } }, /unknown option "queue\.attempt"/],
    [{ queue: { attempts: 0 } }, /option "queue\.attempts" must be an integer from 1 to 100/],
    [{ queue: { backoff: -1 } }, /option "queue\.backoff" must be a whole number of milliseconds/],
    [{ queue: { maxPending: 0 } }, /option "queue\.maxPending" must be an integer from 1 to 1000000/],
    [{ queue: { shutdownTimeout: 1.5 } }, /option "queue\.shutdownTimeout"/],
    [{ queue: { delay: 100 } }, /option "queue\.delay" must be an object/],
    [{ queue: { delay: { max: -5 } } }, /option "queue\.delay\.max" must be a whole number of milliseconds/],
    [{ queue: { delay: { min: 2000 } } }, /option "queue\.delay\.min" must not be above "queue\.delay\.max"/],
    [{ queue: { delay: { mini: 1 } } }, /unknown option "queue\.delay\.mini"/],
    [{ messages: { invalidTokens: 'Jeton invalide.' } }, /unknown option "messages\.invalidTokens"/],
    [
      { messages: { invalidToken: 404 } },
      /option "messages\.invalidToken" must be a non-empty string or a function returning one \(got number\)/,
    ],
    [{ messages: { fieldTooLong: '' } }, /option "messages\.fieldTooLong" .* \(got an empty string\)/],
    [
      { messages: { tooManyRequests: { fr: 'Trop de requêtes.' } } },
      /option "messages\.tooManyRequests" .* \(got object\)/,
    ],
  ])('refuses %j naming the option', (options, message) => {
    expect(() => resolvePasswordResetOptions(options as never)).toThrow(message);
  });
});

describe('resolvePasswordResetOptions: messages', () => {
  it('defaults to the English messages the suites assert', () => {
    const { messages } = resolvePasswordResetOptions({});
    expect(messages.invalidToken()).toBe('The password reset token is invalid or has expired.');
    expect(messages.tooManyRequests()).toBe('Too many requests. Try again later.');
    expect(messages.unknownAccount('email')).toBe(
      "We couldn't find an account associated with that email. Please try a different email.",
    );
    expect(messages.fieldTooLong('token', 128)).toBe('token must be at most 128 characters long');
    expect(messages.passwordTooLong(72)).toBe('This password is too long. It must be at most 72 bytes in UTF-8.');
  });

  it('takes strings and functions, and keeps the defaults for the rest', () => {
    const { messages } = resolvePasswordResetOptions({
      messages: {
        invalidToken: 'Le jeton est invalide ou a expiré.',
        fieldTooLong: (field, max) => `${field} : ${max} caractères au plus`,
        emptyField: undefined,
      },
    });
    expect(messages.invalidToken()).toBe('Le jeton est invalide ou a expiré.');
    expect(messages.fieldTooLong('token', 128)).toBe('token : 128 caractères au plus');
    expect(messages.emptyField('token')).toBe('token should not be empty');
  });
});

describe('validatePasswordResetExtras', () => {
  const sync = { async: false, userEntityRequired: true };

  it('requires the user entity while a TypeORM store is used, and a clean path', () => {
    expect(() => validatePasswordResetExtras({}, sync)).toThrow(/user\.entity is required/);
    expect(() => validatePasswordResetExtras({}, { ...sync, userEntityRequired: false })).not.toThrow();
    expect(() => validatePasswordResetExtras({ user: { entity: class User {} }, path: 'a b' }, sync)).toThrow(/path/);
    expect(() =>
      validatePasswordResetExtras({ user: { entity: class User {} }, path: 'auth/reset' }, sync),
    ).not.toThrow();
  });

  it('refuses options beside useFactory in forRootAsync, naming them', () => {
    // As plain JavaScript (or a spread) would pass them.
    const valid = { user: { entity: class User {} }, useFactory: () => ({}), inject: [] };
    const check = (extra: object) => () =>
      validatePasswordResetExtras({ ...valid, ...extra } as PasswordResetModuleExtras, { ...sync, async: true });
    expect(check({ tokenTtl: 60 })).toThrow(/option "tokenTtl" is not read beside useFactory/);
    expect(check({ tokenTtl: undefined, tokenTTL: 1 })).toThrow(/unknown option "tokenTTL" in forRootAsync/);
    expect(check({ isGlobal: true, path: 'x', tokenTtl: undefined })).not.toThrow();
  });
});
