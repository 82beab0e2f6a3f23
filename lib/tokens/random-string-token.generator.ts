import { randomInt } from 'node:crypto';
import { BaseTokenGenerator } from './base-token-generator.js';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';

/** Letters and digits only: survives mail clients, URL encoding and double-click selection. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Tokens arrive in request bodies capped at this length. */
export const MAX_TOKEN_LENGTH = 256;

export interface RandomStringTokenGeneratorOptions {
  /** Default 32 (about 190 bits). */
  minLength?: number;
  /** Default `minLength`. */
  maxLength?: number;
}

export class RandomStringTokenGenerator extends BaseTokenGenerator {
  readonly minLength: number;
  readonly maxLength: number;
  readonly entropyBits: number;

  constructor(options: RandomStringTokenGeneratorOptions = {}) {
    super();
    this.minLength = options.minLength ?? 32;
    this.maxLength = options.maxLength ?? Math.max(this.minLength, 32);
    for (const name of ['minLength', 'maxLength'] as const) {
      const value = this[name];
      if (!Number.isInteger(value) || value < 1 || value > MAX_TOKEN_LENGTH) {
        throw new PasswordResetConfigurationError(
          `RandomStringTokenGenerator: ${name} must be an integer between 1 and ${MAX_TOKEN_LENGTH}, got ${String(value)}`,
        );
      }
    }
    if (this.minLength > this.maxLength) {
      throw new PasswordResetConfigurationError(
        `RandomStringTokenGenerator: minLength (${this.minLength}) must not exceed maxLength (${this.maxLength})`,
      );
    }
    this.entropyBits = this.minLength * Math.log2(ALPHABET.length);
  }

  generateToken(): string {
    const length = randomInt(this.minLength, this.maxLength + 1);
    let token = '';
    // randomInt draws without modulo bias, one character at a time.
    for (let i = 0; i < length; i++) token += ALPHABET[randomInt(ALPHABET.length)];
    return token;
  }
}
