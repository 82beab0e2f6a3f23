import { describe, expect, it } from '@jest/globals';
import { MinimumLengthValidator } from './minimum-length.validator.js';

describe('MinimumLengthValidator', () => {
  const validator = new MinimumLengthValidator();

  it('refuses a password shorter than 8 characters by default', () => {
    expect(validator.validate('abc1234')).toEqual([
      'This password is too short. It must contain at least 8 characters.',
    ]);
  });

  it('accepts a password of 8 characters or more', () => {
    expect(validator.validate('abcd1234')).toEqual([]);
    expect(validator.validate('abcd12345')).toEqual([]);
  });

  it('counts code points, not UTF-16 units', () => {
    // Each emoji is 2 UTF-16 units, so 7 of them have a .length of 14.
    expect(validator.validate('😀'.repeat(7))).toHaveLength(1);
    expect(validator.validate('😀'.repeat(8))).toEqual([]);
  });

  it('uses the configured minimum in its message', () => {
    const long = new MinimumLengthValidator({ minLength: 12 });

    expect(long.validate('abcdefghijk')).toEqual([
      'This password is too short. It must contain at least 12 characters.',
    ]);
    expect(long.validate('abcdefghijkl')).toEqual([]);
  });

  it('says "character" when the minimum is 1', () => {
    expect(new MinimumLengthValidator({ minLength: 1 }).validate('')).toEqual([
      'This password is too short. It must contain at least 1 character.',
    ]);
  });

  it("answers with the app's message, a function receiving the minimum", () => {
    const french = new MinimumLengthValidator({
      minLength: 10,
      message: (min) => `Ce mot de passe est trop court : ${min} caractères au moins.`,
    });
    expect(french.validate('abc')).toEqual(['Ce mot de passe est trop court : 10 caractères au moins.']);
    expect(new MinimumLengthValidator({ message: 'Trop court.' }).validate('abc')).toEqual(['Trop court.']);
    expect(() => new MinimumLengthValidator({ message: 42 as never })).toThrow(/^message must be a non-empty string/);
  });

  it.each([0, -1, 1.5, Number.NaN, '8' as unknown as number])(
    'refuses minLength %p, naming the option',
    (minLength) => {
      expect(() => new MinimumLengthValidator({ minLength })).toThrow(/minLength/);
    },
  );
});
