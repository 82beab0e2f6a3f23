import { describe, expect, it } from '@jest/globals';
import { RandomStringTokenGenerator } from './random-string-token.generator.js';

describe('RandomStringTokenGenerator', () => {
  it('defaults to 32 letters and digits, at least 128 bits', () => {
    const generator = new RandomStringTokenGenerator();
    const token = generator.generateToken();
    expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generator.entropyBits).toBeGreaterThanOrEqual(128);
  });

  it('makes maxLength default to minLength, as documented', () => {
    const generator = new RandomStringTokenGenerator({ minLength: 40 });
    expect(generator.maxLength).toBe(40);
    expect(Array.from({ length: 50 }, () => generator.generateToken().length)).toEqual(Array(50).fill(40));
    expect(new RandomStringTokenGenerator({ minLength: 10 }).maxLength).toBe(10);
  });

  it('produces unique tokens within the length range', () => {
    const generator = new RandomStringTokenGenerator({ minLength: 10, maxLength: 15 });
    const tokens = Array.from({ length: 500 }, () => generator.generateToken());
    expect(new Set(tokens).size).toBe(500);
    const lengths = new Set(tokens.map((token) => token.length));
    expect([...lengths].every((length) => length >= 10 && length <= 15)).toBe(true);
    expect(lengths.size).toBeGreaterThan(3);
    expect(generator.entropyBits).toBeCloseTo(10 * Math.log2(62));
  });

  it('uses the whole alphabet evenly enough', () => {
    const text = Array.from({ length: 200 }, () =>
      new RandomStringTokenGenerator({ minLength: 256 }).generateToken(),
    ).join('');
    const counts = new Map<string, number>();
    for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = text.length / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });

  it.each([
    [{ minLength: 0 }, /minLength/],
    [{ minLength: 257 }, /minLength/],
    [{ maxLength: 1000 }, /maxLength/],
    [{ minLength: 20, maxLength: 10 }, /minLength \(20\) must not exceed maxLength \(10\)/],
    [{ minLength: 1.5 }, /minLength/],
  ])('rejects %j', (options, message) => {
    expect(() => new RandomStringTokenGenerator(options)).toThrow(message);
  });
});
