import { describe, expect, it } from '@jest/globals';
import { foldIdentifier } from './identifier.util.js';

describe('foldIdentifier', () => {
  it('ignores case and compatibility forms', () => {
    expect(foldIdentifier('Jane@Example.COM')).toBe(foldIdentifier('jane@example.com'));
    expect(foldIdentifier('ｊａｎｅ@example.com')).toBe('jane@example.com');
    expect(foldIdentifier('straße@example.com')).toBe(foldIdentifier('STRASSE@example.com'));
  });

  it('keeps look-alikes apart (CVE-2019-19844)', () => {
    expect(foldIdentifier('mıke@example.org')).not.toBe(foldIdentifier('mike@example.org'));
    expect(foldIdentifier('MİKE@example.org')).not.toBe(foldIdentifier('mike@example.org'));
    expect(foldIdentifier('uѕer@example.org')).not.toBe(foldIdentifier('user@example.org'));
  });
});
