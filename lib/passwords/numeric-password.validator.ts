import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { PasswordValidator } from './password-validator.js';

/** Any script's decimal digits, not only 0-9: an all-digit password in Arabic-Indic numerals is just as weak. */
const ONLY_DIGITS = /^\p{Nd}+$/u;

export interface NumericPasswordValidatorOptions {
  /** The refusal, e.g. a translation. */
  message?: PasswordResetMessage;
}

/** Refuses passwords made only of digits. */
export class NumericPasswordValidator extends PasswordValidator {
  private readonly message: () => string;

  constructor({ message }: NumericPasswordValidatorOptions = {}) {
    super();
    this.message = resolveValidatorMessage(message, () => 'This password is entirely numeric.');
  }

  validate(password: string): string[] {
    return ONLY_DIGITS.test(password) ? [this.message()] : [];
  }
}
