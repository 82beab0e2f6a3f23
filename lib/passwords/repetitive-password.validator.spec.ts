import { describe, expect, it } from '@jest/globals';
import { RepetitivePasswordValidator } from './repetitive-password.validator.js';

const REPETITIVE = ['This password repeats a few characters over and over.'];

describe('RepetitivePasswordValidator', () => {
  const validator = new RepetitivePasswordValidator();

  it.each([
    'aaaaaaaa',
    'zzzzzzzzzzzz',
    '........',
    'abababab',
    'abcabcab',
    'passpass',
    'PassPASS',
    'ＡａＡａＡａＡａ',
    '😀😀😀😀',
  ])('refuses %p', (password) => {
    expect(validator.validate(password)).toEqual(REPETITIVE);
  });

  it('accepts units longer than four characters, and anything that breaks the pattern', () => {
    expect(validator.validate('abcdeabcde')).toEqual([]);
    expect(validator.validate('aaaaaaab')).toEqual([]);
    expect(validator.validate('password password')).toEqual([]);
    expect(validator.validate('a')).toEqual([]);
  });

  it("answers with the app's message", () => {
    expect(new RepetitivePasswordValidator({ message: () => 'Trop répétitif.' }).validate('aaaaaaaa')).toEqual([
      'Trop répétitif.',
    ]);
  });
});
