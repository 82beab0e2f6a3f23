import { randomInt } from 'node:crypto';
import { BaseTokenGenerator } from './base-token-generator.js';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import { checkGeneratorRange } from './generator-range.util.js';

export interface RandomNumberTokenGeneratorOptions {
  /** Default 100000 (six digits). */
  minNumber?: number;
  /** Default 999999. */
  maxNumber?: number;
}

/** Largest span `crypto.randomInt` accepts. */
const MAX_RANGE = 2 ** 48;

/**
 * Numeric codes for people who type them from an SMS or a mail. Short by nature: keep throttling on and the
 * TTL brief (the module warns at start-up about small ranges).
 */
export class RandomNumberTokenGenerator extends BaseTokenGenerator {
  readonly minNumber: number;
  readonly maxNumber: number;
  readonly entropyBits: number;

  constructor(options: RandomNumberTokenGeneratorOptions = {}) {
    super();
    this.minNumber = options.minNumber ?? 100_000;
    this.maxNumber = options.maxNumber ?? 999_999;
    checkGeneratorRange(
      'RandomNumberTokenGenerator',
      ['minNumber', this.minNumber],
      ['maxNumber', this.maxNumber],
      [0, Number.MAX_SAFE_INTEGER],
    );
    if (this.maxNumber - this.minNumber + 1 > MAX_RANGE) {
      throw new PasswordResetConfigurationError(`RandomNumberTokenGenerator: maxNumber - minNumber must be below 2^48`);
    }
    this.entropyBits = Math.log2(this.maxNumber - this.minNumber + 1);
  }

  generateToken(): string {
    return String(randomInt(this.minNumber, this.maxNumber + 1));
  }
}
