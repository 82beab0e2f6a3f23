import { describe, expect, it } from '@jest/globals';
import { RandomNumberTokenGenerator } from './random-number-token.generator.js';

describe('RandomNumberTokenGenerator', () => {
  it('defaults to six-digit codes', () => {
    const generator = new RandomNumberTokenGenerator();
    for (let i = 0; i < 200; i++) expect(generator.generateToken()).toMatch(/^[1-9]\d{5}$/);
    expect(generator.entropyBits).toBeCloseTo(Math.log2(900_000));
  });

  it('stays within a large range and repeats nothing in 100 draws', () => {
    const generator = new RandomNumberTokenGenerator({ minNumber: 1e9, maxNumber: 9_999_999_999 });
    const tokens = Array.from({ length: 100 }, () => generator.generateToken());
    expect(new Set(tokens).size).toBe(100);
    for (const token of tokens) {
      expect(Number(token)).toBeGreaterThanOrEqual(1e9);
      expect(Number(token)).toBeLessThanOrEqual(9_999_999_999);
    }
  });

  it('covers both ends of a small range', () => {
    const generator = new RandomNumberTokenGenerator({ minNumber: 1, maxNumber: 3 });
    const seen = new Set(Array.from({ length: 300 }, () => generator.generateToken()));
    expect([...seen].sort()).toEqual(['1', '2', '3']);
  });

  it.each([
    [{ minNumber: -1 }, /minNumber/],
    [{ maxNumber: 1.5 }, /maxNumber/],
    [{ minNumber: 10, maxNumber: 9 }, /minNumber \(10\) must not exceed maxNumber \(9\)/],
    [{ minNumber: 0, maxNumber: 2 ** 50 }, /2\^48/],
  ])('rejects %j', (options, message) => {
    expect(() => new RandomNumberTokenGenerator(options)).toThrow(message);
  });
});
