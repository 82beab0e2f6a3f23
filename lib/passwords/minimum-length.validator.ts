import { PasswordValidator } from './password-validator.js';

export interface MinimumLengthValidatorOptions {
  /** Fewest characters (Unicode code points) a password may have. Default 8. */
  minLength?: number;
}

/** Refuses passwords shorter than `minLength` characters. */
export class MinimumLengthValidator extends PasswordValidator {
  private readonly minLength: number;

  constructor({ minLength = 8 }: MinimumLengthValidatorOptions = {}) {
    super();
    if (!Number.isInteger(minLength) || minLength < 1) {
      throw new Error('minLength must be a positive integer');
    }
    this.minLength = minLength;
  }

  validate(password: string): string[] {
    // Count code points, not UTF-16 units, so an emoji or a CJK extension character counts as one.
    if ([...password].length >= this.minLength) return [];
    const unit = this.minLength === 1 ? 'character' : 'characters';
    return [`This password is too short. It must contain at least ${this.minLength} ${unit}.`];
  }
}
