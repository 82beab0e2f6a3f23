import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactSecretInError } from './redact.util.js';

const SECRET = '$2b$04$abcdefghijklmnopqrstuv';

class DriverError extends Error {
  code = 'ER_SIGNAL_EXCEPTION';
}

describe('redactSecretInError', () => {
  it('replaces the secret in the message, the stack and nested driver fields, keeping the error usable', () => {
    const driverError = Object.assign(new DriverError(`failed: ${SECRET}`), {
      sql: `UPDATE users SET password = '${SECRET}'`,
    });
    const error = Object.assign(new Error(`query failed with ${SECRET}`, { cause: driverError }), {
      parameters: [SECRET, 1],
      driverError,
    });

    const returned = redactSecretInError(error, SECRET);

    expect(returned).toBe(error);
    expect(error.message).toBe(`query failed with ${REDACTED}`);
    expect(error.stack).not.toContain(SECRET);
    expect(error.parameters).toEqual([REDACTED, 1]);
    expect(driverError.sql).toBe(`UPDATE users SET password = '${REDACTED}'`);
    expect(driverError.message).toBe(`failed: ${REDACTED}`);
    expect(driverError).toBeInstanceOf(DriverError);
    expect(driverError.code).toBe('ER_SIGNAL_EXCEPTION');
  });

  it('survives cycles, getters, frozen objects and non-objects', () => {
    const error = new Error(SECRET) as Error & { self?: unknown; frozen?: unknown };
    error.self = error;
    error.frozen = Object.freeze({ text: SECRET });
    Object.defineProperty(error, 'computed', { get: () => SECRET });

    redactSecretInError(error, SECRET);

    expect(error.message).toBe(REDACTED);
    expect(redactSecretInError('plain string', SECRET)).toBe('plain string');
    expect(redactSecretInError(null, SECRET)).toBeNull();
  });

  it('does nothing with an empty secret', () => {
    const error = new Error('message');
    redactSecretInError(error, '');
    expect(error.message).toBe('message');
  });
});
