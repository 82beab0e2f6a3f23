import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { currentPasswordResetMessages } from '../i18n/password-reset-locale.context.js';
import { PasswordValidator } from './password-validator.js';

export interface MinimumLengthValidatorOptions {
  /** Fewest characters (Unicode code points) a password may have. Default 8. */
  minLength?: number;
  /** The refusal in every locale (default: the caller's language, key `passwordTooShort`); a function receives `minLength`. */
  message?: PasswordResetMessage<[minLength: number]>;
}

/** Refuses passwords shorter than `minLength` characters. */
export class MinimumLengthValidator extends PasswordValidator {
  private readonly minLength: number;
  private readonly message: (minLength: number) => string;

  constructor({ minLength = 8, message }: MinimumLengthValidatorOptions = {}) {
    super();
    if (!Number.isInteger(minLength) || minLength < 1) {
      throw new Error('minLength must be a positive integer');
    }
    this.minLength = minLength;
    this.message = resolveValidatorMessage(message, (min) => currentPasswordResetMessages().passwordTooShort(min));
  }

  validate(password: string): string[] {
    // Count code points, not UTF-16 units, so an emoji or a CJK extension character counts as one.
    return [...password].length >= this.minLength ? [] : [this.message(this.minLength)];
  }
}
