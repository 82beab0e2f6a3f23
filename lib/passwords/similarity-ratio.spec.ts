import { describe, expect, it } from '@jest/globals';
import { similarityRatio } from './similarity-ratio.js';

const ratio = (a: string, b: string): number => similarityRatio([...a], [...b]);

describe('similarityRatio', () => {
  it('is 1 for identical sequences, including two empty ones', () => {
    expect(ratio('johnsmith', 'johnsmith')).toBe(1);
    expect(ratio('', '')).toBe(1);
  });

  it('is 0 when nothing matches or one side is empty', () => {
    expect(ratio('abc', 'xyz')).toBe(0);
    expect(ratio('abc', '')).toBe(0);
  });

  it('is 2 * matched / total', () => {
    expect(ratio('abcd', 'bcde')).toBe(6 / 8);
    expect(ratio('jane.doe1', 'jane.doe@example.com')).toBe(16 / 29);
    expect(ratio('johnsmith1', 'johnsmith')).toBe(18 / 19);
  });

  it('keeps matching on both sides of the longest block', () => {
    // difflib's own example: the block " abcd" (5) is found inside 'abcd abcd'.
    expect(ratio(' abcd', 'abcd abcd')).toBe(10 / 14);
    // "abc" first, then "de" to its right.
    expect(ratio('xabcyde', 'abczdex')).toBe((2 * 5) / 14);
  });

  // Expected values from Python: difflib.SequenceMatcher(None, a, b, autojunk=False).ratio().
  // In these, picking a different one of several equally long blocks changes the total.
  it.each([
    ['cacbcccac', 'accbbaabc', 4],
    ['bccbaba', 'bcbbba', 4],
    ['aacaa', 'baabc', 3],
    ['bababccc', 'abbaaaa', 3],
    ['abcaacab', 'acaaabbaaacb', 6],
    ['acbccaaccca', 'accacaca', 7],
  ])('matches difflib for %p vs %p', (a, b, matched) => {
    expect(ratio(a, b)).toBe((2 * matched) / (a.length + b.length));
  });

  it('compares whatever elements it is given, e.g. code points', () => {
    expect(similarityRatio([...'😀😀x'], [...'😀y'])).toBe(2 / 5);
  });
});
