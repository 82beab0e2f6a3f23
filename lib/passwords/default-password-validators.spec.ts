import { describe, expect, it } from '@jest/globals';
import { BlankPasswordValidator } from './blank-password.validator.js';
import { CommonPasswordValidator } from './common-password.validator.js';
import { defaultPasswordValidators } from './default-password-validators.js';
import { MinimumLengthValidator } from './minimum-length.validator.js';
import { NumericPasswordValidator } from './numeric-password.validator.js';
import type { PasswordUserAttributes } from './password-validator.js';
import { RepetitivePasswordValidator } from './repetitive-password.validator.js';
import { SequentialPasswordValidator } from './sequential-password.validator.js';
import { UserAttributeSimilarityValidator } from './user-attribute-similarity.validator.js';

async function messages(password: string, user: PasswordUserAttributes = {}): Promise<string[]> {
  const results = await Promise.all(defaultPasswordValidators().map((validator) => validator.validate(password, user)));
  return results.flat();
}

describe('defaultPasswordValidators', () => {
  it('returns the seven built-in rules', () => {
    expect(defaultPasswordValidators()).toEqual([
      expect.any(MinimumLengthValidator),
      expect.any(BlankPasswordValidator),
      expect.any(CommonPasswordValidator),
      expect.any(NumericPasswordValidator),
      expect.any(RepetitivePasswordValidator),
      expect.any(SequentialPasswordValidator),
      expect.any(UserAttributeSimilarityValidator),
    ]);
  });

  it('returns fresh instances on every call', () => {
    const [first] = defaultPasswordValidators();
    const [second] = defaultPasswordValidators();
    expect(first).not.toBe(second);
  });

  it('accepts a strong password', async () => {
    await expect(messages('Xq7#vLp2!mZr9@Tw', { email: 'jane.doe@example.com' })).resolves.toEqual([]);
  });

  it('applies every rule', async () => {
    await expect(messages('1234567')).resolves.toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
      'This password is entirely numeric.',
      'This password is a sequence of characters, like abcdefgh or 12345678.',
    ]);
    await expect(messages(' \t\u200b\u3000\u00a0\t  ')).resolves.toEqual(['This password has no visible characters.']);
    await expect(messages('zzzzzzzz')).resolves.toEqual(['This password repeats a few characters over and over.']);
    await expect(messages('jane.doe1', { email: 'jane.doe@example.com' })).resolves.toEqual([
      'The password is too similar to the email.',
    ]);
  });
});
