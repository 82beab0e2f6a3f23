import { randomInt } from 'node:crypto';
import { MAX_TOKEN_LENGTH } from '../password-reset.constants.js';
import { BaseTokenGenerator } from './base-token-generator.js';
import { checkGeneratorRange } from './generator-range.util.js';

/** Letters and digits only: survives mail clients, URL encoding and double-click selection. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface RandomStringTokenGeneratorOptions {
  /** Default 32 (about 190 bits). */
  minLength?: number;
  /** Default `minLength` (fixed-length tokens). */
  maxLength?: number;
}

export class RandomStringTokenGenerator extends BaseTokenGenerator {
  readonly minLength: number;
  readonly maxLength: number;
  readonly entropyBits: number;

  constructor(options: RandomStringTokenGeneratorOptions = {}) {
    super();
    this.minLength = options.minLength ?? 32;
    this.maxLength = options.maxLength ?? this.minLength;
    checkGeneratorRange(
      'RandomStringTokenGenerator',
      ['minLength', this.minLength],
      ['maxLength', this.maxLength],
      [1, MAX_TOKEN_LENGTH],
    );
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
