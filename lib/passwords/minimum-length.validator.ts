import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { PasswordValidator } from './password-validator.js';

export interface MinimumLengthValidatorOptions {
  /** Fewest characters (Unicode code points) a password may have. Default 8. */
  minLength?: number;
  /** The refusal, e.g. a translation; a function receives `minLength`. */
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
    this.message = resolveValidatorMessage(message, (min) => {
      const unit = min === 1 ? 'character' : 'characters';
      return `This password is too short. It must contain at least ${min} ${unit}.`;
    });
  }

  validate(password: string): string[] {
    // Count code points, not UTF-16 units, so an emoji or a CJK extension character counts as one.
    return [...password].length >= this.minLength ? [] : [this.message(this.minLength)];
  }
}
