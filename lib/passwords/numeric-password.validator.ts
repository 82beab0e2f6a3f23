import { PasswordValidator } from './password-validator.js';

/** Any script's decimal digits, not only 0-9: an all-digit password in Arabic-Indic numerals is just as weak. */
const ONLY_DIGITS = /^\p{Nd}+$/u;

/** Refuses passwords made only of digits. */
export class NumericPasswordValidator extends PasswordValidator {
  validate(password: string): string[] {
    return ONLY_DIGITS.test(password) ? ['This password is entirely numeric.'] : [];
  }
}
