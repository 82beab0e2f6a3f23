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

  it("answers with the app's message", () => {
    const french = new NumericPasswordValidator({ message: () => 'Ce mot de passe est entièrement numérique.' });
    expect(french.validate('12345678')).toEqual(['Ce mot de passe est entièrement numérique.']);
    expect(() => new NumericPasswordValidator({ message: null as never })).toThrow(
      /^message must be a non-empty string/,
    );
  });

  it('leaves an empty password to the length rule', () => {
    expect(validator.validate('')).toEqual([]);
  });
});
