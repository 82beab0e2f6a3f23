import { describe, expect, it } from '@jest/globals';
import { NumericPasswordValidator } from './numeric-password.validator.js';

describe('NumericPasswordValidator', () => {
  const validator = new NumericPasswordValidator();

  it('refuses a password made only of digits', () => {
    expect(validator.validate('12345678901')).toEqual(['This password is entirely numeric.']);
  });

  it('refuses digits from other scripts too', () => {
    expect(validator.validate('١٢٣٤٥٦٧٨')).toEqual(['This password is entirely numeric.']); // Arabic-Indic
    expect(validator.validate('１２３４５６７８')).toEqual(['This password is entirely numeric.']); // full-width
  });

  it('accepts a password with anything besides digits', () => {
    expect(validator.validate('a1234567')).toEqual([]);
    expect(validator.validate('1234 5678')).toEqual([]);
    expect(validator.validate('1234567.8')).toEqual([]);
  });

  it('leaves an empty password to the length rule', () => {
    expect(validator.validate('')).toEqual([]);
  });
});
