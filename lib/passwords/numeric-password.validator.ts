import { SingleRulePasswordValidator, SingleRulePasswordValidatorOptions } from './single-rule-password.validator.js';

/** Any script's decimal digits, not only 0-9: an all-digit password in Arabic-Indic numerals is just as weak. */
const ONLY_DIGITS = /^\p{Nd}+$/u;

export type NumericPasswordValidatorOptions = SingleRulePasswordValidatorOptions;

/** Refuses passwords made only of digits. */
export class NumericPasswordValidator extends SingleRulePasswordValidator {
  constructor({ message }: NumericPasswordValidatorOptions = {}) {
    super(message, 'passwordEntirelyNumeric');
  }

  protected refuses(password: string): boolean {
    return ONLY_DIGITS.test(password);
  }
}
