import { describe, expect, it } from '@jest/globals';
import { CommonPasswordValidator } from './common-password.validator.js';

const TOO_COMMON = ['This password is too common.'];

describe('CommonPasswordValidator', () => {
  const validator = new CommonPasswordValidator();

  it.each(['password', 'qwerty123', '123456789', 'iloveyou'])('refuses %p from the default list', (password) => {
    expect(validator.validate(password)).toEqual(TOO_COMMON);
  });

  it('ignores case and surrounding whitespace', () => {
    expect(validator.validate('PassWord')).toEqual(TOO_COMMON);
    expect(validator.validate('  QWERTY123 ')).toEqual(TOO_COMMON);
  });

  it('accepts an uncommon password', () => {
    expect(validator.validate('Xq7#vLp2!mZr9@Tw')).toEqual([]);
  });

  it("answers with the app's message", () => {
    expect(new CommonPasswordValidator({ message: 'Ce mot de passe est trop courant.' }).validate('password')).toEqual([
      'Ce mot de passe est trop courant.',
    ]);
    expect(() => new CommonPasswordValidator({ message: '' })).toThrow(/^message must be a non-empty string/);
  });

  it('uses a custom list instead of the default one', () => {
    const custom = new CommonPasswordValidator({ passwords: ['  Hunter2  ', 'letmein'] });

    expect(custom.validate('hunter2')).toEqual(TOO_COMMON);
    expect(custom.validate('LETMEIN')).toEqual(TOO_COMMON);
    expect(custom.validate('password')).toEqual([]);
  });

  it('reads a one-shot iterable once and keeps using it', () => {
    function* passwords(): Generator<string> {
      yield 'hunter2';
    }
    const custom = new CommonPasswordValidator({ passwords: passwords() });

    expect(custom.validate('hunter2')).toEqual(TOO_COMMON);
    expect(custom.validate('hunter2')).toEqual(TOO_COMMON);
  });
});
