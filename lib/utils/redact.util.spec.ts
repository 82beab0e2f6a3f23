import { describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import { inspect, types } from 'node:util';
import { describeError, REDACTED, redactSecretInError, redactText, redactUrlPasswords } from './redact.util.js';

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

    const redacted = redactSecretInError(error, SECRET);

    expect(redacted).toBeInstanceOf(Error);
    // Loggers print native errors by their stack; a look-alike object would print as `Error {}`.
    expect(types.isNativeError(redacted)).toBe(true);
    expect(inspect(redacted)).toContain(`query failed with ${REDACTED}`);
    expect(redacted.message).toBe(`query failed with ${REDACTED}`);
    expect(redacted.stack).not.toContain(SECRET);
    expect(redacted.parameters).toEqual([REDACTED, 1]);
    expect(redacted.driverError.sql).toBe(`UPDATE users SET password = '${REDACTED}'`);
    expect(redacted.driverError.message).toBe(`failed: ${REDACTED}`);
    expect(redacted.driverError).toBeInstanceOf(DriverError);
    expect(redacted.driverError.code).toBe('ER_SIGNAL_EXCEPTION');
    expect(redacted.cause).toBe(redacted.driverError);
    expect(inspect(redacted, { depth: 8 })).not.toContain(SECRET);
  });

  it('changes nothing it was given: errors and the objects they reach may be shared', () => {
    const sharedConfig = { baseUrl: 'https://policy.internal.example/api', apiKeyHeader: 'x-api-key' };
    const cachedError = new Error('Password policy service unavailable');
    const error = Object.assign(new Error(`policy refused ${SECRET}`), { config: sharedConfig, cause: cachedError });
    const before = inspect(error, { depth: 8 });

    const redacted = redactSecretInError(error, SECRET);
    redactSecretInError(error, 'a');

    expect(redacted).not.toBe(error);
    expect(inspect(error, { depth: 8 })).toBe(before);
    expect(sharedConfig).toEqual({ baseUrl: 'https://policy.internal.example/api', apiKeyHeader: 'x-api-key' });
    expect(cachedError.message).toBe('Password policy service unavailable');
  });

  it('keeps an HttpException answering with its status and redacted body', () => {
    const error = new HttpException({ message: [`not ${SECRET}`], error: 'Bad Request' }, 400);
    const redacted = redactSecretInError(error, SECRET);
    expect(redacted).toBeInstanceOf(HttpException);
    expect(redacted.getStatus()).toBe(400);
    expect(redacted.getResponse()).toEqual({ message: [`not ${REDACTED}`], error: 'Bad Request' });
  });

  it('finds the secret JSON-escaped, URL-encoded, in another case and in other Unicode forms', () => {
    const password = 'Tr"ick\\y Pässwörd';
    const nfd = password.normalize('NFD');
    const texts = [
      `policy said: ${JSON.stringify({ password })}`,
      `GET /check?pw=${encodeURIComponent(password)}`,
      `body: pw=${encodeURIComponent(password).replaceAll('%20', '+')}`,
      `GET /check?pw=${encodeURIComponent(password).toLowerCase()}`,
      `lower-cased: ${password.toLowerCase()}`,
      `upper-cased: ${password.toUpperCase()}`,
      `decomposed: ${nfd} and JSON ${JSON.stringify(nfd)}`,
    ];
    const redacted = redactSecretInError(new Error(texts.join('\n')), password);
    expect(redacted.message).not.toMatch(/ick|w(ö|o\u0308)rd/i);
    expect(redacted.message.split(REDACTED)).toHaveLength(texts.length + 2);
    // A fullwidth password, quoted by a validator after NFKC folded it to ASCII.
    expect(redactText('sent password', 'ｐａｓｓｗｏｒｄ')).toBe(`sent ${REDACTED}`);
  });

  it('replaces all text holding a very short secret, rather than spelling it out by where the marks fall', () => {
    const redacted = redactSecretInError(new Error('Password policy service unavailable'), 'a');
    expect(redacted.message).toBe(REDACTED);
    expect(redactText('no match here', 'x')).toBe('no match here');
  });

  it('survives cycles, getters, frozen objects, class instances and non-objects', () => {
    const error = new Error(SECRET) as Error & { self?: unknown; frozen?: unknown; body?: unknown };
    error.self = error;
    error.frozen = Object.freeze({ text: SECRET });
    error.body = Buffer.from(SECRET);
    Object.defineProperty(error, 'computed', { get: () => SECRET });

    const redacted = redactSecretInError(error, SECRET);

    expect(redacted.message).toBe(REDACTED);
    expect(redacted.self).toBe(redacted);
    expect(redacted.frozen).toEqual({ text: REDACTED });
    expect(redacted.body).toBe('[Buffer]');
    expect(Object.getOwnPropertyDescriptor(redacted, 'computed')).toBeUndefined();
    expect(redactSecretInError('plain string', SECRET)).toBe('plain string');
    expect(redactSecretInError(`a ${SECRET}`, SECRET)).toBe(`a ${REDACTED}`);
    expect(redactSecretInError(null, SECRET)).toBeNull();
  });

  it('does nothing with an empty secret', () => {
    const error = new Error('message');
    expect(redactSecretInError(error, '')).toBe(error);
    expect(redactText('message', undefined)).toBe('message');
  });
});

describe('redactUrlPasswords', () => {
  it('masks the password of every connection URL, whatever it holds, and keeps the rest to debug by', () => {
    const text =
      'no database at postgres://app:s3cret@db.internal:5432/app, nor at mysql://root:p@ss:w0rd@10.0.0.2/test; ' +
      'cache redis://:r3dis-pw@cache:6379/0 (amqps://guest:guest%40x@mq)';
    expect(redactUrlPasswords(text)).toBe(
      `no database at postgres://app:${REDACTED}@db.internal:5432/app, nor at mysql://root:${REDACTED}@10.0.0.2/test; ` +
        `cache redis://:${REDACTED}@cache:6379/0 (amqps://guest:${REDACTED}@mq)`,
    );
  });

  it('leaves URLs without a password, and other text, as they are', () => {
    const text = 'see https://example.com/a:b@c, postgres://app@db/app and user:pass@host (no scheme)';
    expect(redactUrlPasswords(text)).toBe(text);
  });

  it('is part of every error line the module logs', () => {
    const error = new Error('connect to redis://default:hunter2-pw@cache:6379 failed for token tok3n-value');
    expect(describeError(error, 'tok3n-value')).toBe(
      `Error: connect to redis://default:${REDACTED}@cache:6379 failed for token ${REDACTED}`,
    );
  });
});
