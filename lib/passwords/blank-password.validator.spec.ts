import { describe, expect, it } from '@jest/globals';
import { BlankPasswordValidator } from './blank-password.validator.js';

const BLANK = ['This password has no visible characters.'];

describe('BlankPasswordValidator', () => {
  const validator = new BlankPasswordValidator();

  it.each([
    ['spaces', ' '.repeat(8)],
    ['tabs', '\t'.repeat(8)],
    ['line breaks', '\r\n'.repeat(4)],
    ['zero-width spaces', '\u200b'.repeat(8)],
    ['ideographic spaces', '\u3000'.repeat(8)],
    ['no-break spaces', '\u00a0'.repeat(8)],
    ['word joiners and soft hyphens', '\u2060\u00ad'.repeat(4)],
    ['Hangul fillers', '\u3164'.repeat(8)],
    ['a mix with a right-to-left mark and a BOM', ' \t\u200e\ufeff\u2003\u180e\u205f\u200d'],
  ])('refuses %s', (_, password) => {
    expect(validator.validate(password)).toEqual(BLANK);
  });

  it('accepts anything with one visible character, spaces kept', () => {
    expect(validator.validate('       .')).toEqual([]);
    expect(validator.validate('  spaced out passphrase  ')).toEqual([]);
    expect(validator.validate('\u200b\u200bé')).toEqual([]);
  });

  it("answers with the app's message", () => {
    expect(new BlankPasswordValidator({ message: 'Mot de passe vide.' }).validate('        ')).toEqual([
      'Mot de passe vide.',
    ]);
  });
});
