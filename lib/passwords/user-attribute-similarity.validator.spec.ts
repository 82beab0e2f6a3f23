import { describe, expect, it } from '@jest/globals';
import { UserAttributeSimilarityValidator } from './user-attribute-similarity.validator.js';

const user = { email: 'jane.doe@example.com', username: 'johnsmith' };

describe('UserAttributeSimilarityValidator', () => {
  const validator = new UserAttributeSimilarityValidator();

  it('refuses a password close to a part of the email', () => {
    expect(validator.validate('jane.doe1', user)).toEqual(['The password is too similar to the email.']);
    expect(validator.validate('Jane1', user)).toEqual(['The password is too similar to the email.']);
    expect(validator.validate('jane.doe@example', user)).toEqual(['The password is too similar to the email.']);
  });

  it('refuses a password close to the username', () => {
    expect(validator.validate('johnsmith', user)).toEqual(['The password is too similar to the username.']);
    expect(validator.validate('JohnSmith1', user)).toEqual(['The password is too similar to the username.']);
  });

  it('accepts an unrelated password', () => {
    expect(validator.validate('violet-harbour-42', user)).toEqual([]);
  });

  it('reports each attribute at most once, in the configured order', () => {
    // "jane" matches the email's whole local part and one of its words, and also the username.
    const both = { email: 'jane@jane.example', username: 'jane' };

    expect(validator.validate('jane', both)).toEqual([
      'The password is too similar to the email.',
      'The password is too similar to the username.',
    ]);
  });

  it('splits on separators without breaking accented words', () => {
    // An ASCII-only split would give "j", "rgen", "m" and "ller", none close enough to "müller12".
    expect(validator.validate('müller12', { username: 'jürgen.müller' })).toEqual([
      'The password is too similar to the username.',
    ]);
  });

  it('ignores missing, empty and non-string attributes', () => {
    expect(validator.validate('johnsmith', {})).toEqual([]);
    expect(validator.validate('johnsmith', { email: null, username: '' })).toEqual([]);
    expect(validator.validate('12345678', { username: 12345678 as unknown as string })).toEqual([]);
  });

  it('checks the configured attributes only', () => {
    const byName = new UserAttributeSimilarityValidator({ attributes: ['firstName'] });

    expect(byName.validate('jonathan1', { firstName: 'Jonathan', email: 'jonathan1@example.com' })).toEqual([
      'The password is too similar to the firstName.',
    ]);
    expect(byName.validate('johnsmith', user)).toEqual([]);
  });

  it("answers with the app's message, a function receiving the attribute", () => {
    const french = new UserAttributeSimilarityValidator({ message: (attribute) => `Trop proche de : ${attribute}.` });
    expect(french.validate('janedoe1', { email: 'jane.doe@example.com', username: 'janedoe' })).toEqual([
      'Trop proche de : email.',
      'Trop proche de : username.',
    ]);
    expect(() => new UserAttributeSimilarityValidator({ message: ['x'] as never })).toThrow(/^message must be/);
  });

  it('applies the configured threshold', () => {
    // 'johnsmith1' vs 'johnsmith' has a ratio of 18/19 (about 0.947).
    expect(new UserAttributeSimilarityValidator({ maxSimilarity: 0.95 }).validate('johnsmith1', user)).toEqual([]);
    expect(new UserAttributeSimilarityValidator({ maxSimilarity: 0.94 }).validate('johnsmith1', user)).toHaveLength(1);
    expect(new UserAttributeSimilarityValidator({ maxSimilarity: 1 }).validate('johnsmith', user)).toHaveLength(1);
  });

  it('stays fast on hostile, very long input', () => {
    // Uncapped, comparing these would take on the order of 10^10 steps.
    const long = 'a'.repeat(100_000);
    const started = performance.now();

    expect(validator.validate(long, { username: long })).toEqual(['The password is too similar to the username.']);
    expect(validator.validate(long, { email: 'ab.'.repeat(50_000) })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each([0, 0.05, 1.01, Number.NaN, '0.7' as unknown as number])(
    'refuses maxSimilarity %p, naming the option',
    (maxSimilarity) => {
      expect(() => new UserAttributeSimilarityValidator({ maxSimilarity })).toThrow(/maxSimilarity/);
    },
  );

  it.each([0.1, 1])('accepts maxSimilarity %p', (maxSimilarity) => {
    expect(() => new UserAttributeSimilarityValidator({ maxSimilarity })).not.toThrow();
  });
});
