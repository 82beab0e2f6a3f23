import { describe, expect, it } from '@jest/globals';
import { resolvePasswordResetOptions, validatePasswordResetExtras } from './password-reset.options.js';
import { RandomStringTokenGenerator } from './tokens/random-string-token.generator.js';

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
    expect(options.passwordValidators).toHaveLength(4);
    expect(options.throttle.limits).toEqual({
      request: { limit: 20, ttl: 3600 },
      account: { limit: 3, ttl: 3600 },
      token: { limit: 30, ttl: 900 },
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
    [{ tokenSecret: 'short' }, /tokenSecret/],
    [{ throttle: { request: { limit: 1 } } }, /throttle\.request/],
    [{ throttle: { storage: {} } }, /throttle\.storage/],
  ])('refuses %j naming the option', (options, message) => {
    expect(() => resolvePasswordResetOptions(options as never)).toThrow(message);
  });
});

describe('validatePasswordResetExtras', () => {
  it('requires the user entity and a clean path', () => {
    expect(() => validatePasswordResetExtras({})).toThrow(/user\.entity is required/);
    expect(() => validatePasswordResetExtras({ user: { entity: class User {} }, path: 'a b' })).toThrow(/path/);
    expect(() => validatePasswordResetExtras({ user: { entity: class User {} }, path: 'auth/reset' })).not.toThrow();
  });
});
