import { describe, expect, it } from '@jest/globals';
import { SequentialPasswordValidator } from './sequential-password.validator.js';

const SEQUENTIAL = ['This password is a sequence of characters, like abcdefgh or 12345678.'];

describe('SequentialPasswordValidator', () => {
  const validator = new SequentialPasswordValidator();

  it.each([
    ['digits up', '12345678'],
    ['digits down', '98765432'],
    ['letters up', 'abcdefgh'],
    ['letters down, upper case', 'ZYXWVUTS'],
    ['fullwidth letters', 'ｌｍｎｏｐｑｒｓ'],
    ['Greek letters', 'αβγδεζηθ'],
    ['the top letter row', 'qwertyui'],
    ['the home row backwards', 'lkjhgfds'],
    ['the bottom row', 'zxcvbnm'],
    ['the digit row across 0', '4567890'],
  ])('refuses %s', (_, password) => {
    expect(validator.validate(password)).toEqual(SEQUENTIAL);
  });

  it('accepts a sequence inside a longer password, broken runs, and other keyboard paths', () => {
    expect(validator.validate('abcdefgh-Tr0ut')).toEqual([]);
    expect(validator.validate('12345679')).toEqual([]);
    expect(validator.validate('acegikmo')).toEqual([]);
    expect(validator.validate('qwertyuiopa')).toEqual([]);
    expect(validator.validate('1qaz2wsx')).toEqual([]);
    expect(validator.validate('ab')).toEqual([]);
  });

  it("answers with the app's message", () => {
    expect(new SequentialPasswordValidator({ message: 'Une suite.' }).validate('abcdefgh')).toEqual(['Une suite.']);
  });
});
