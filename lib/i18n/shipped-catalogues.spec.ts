import { describe, expect, it } from '@jest/globals';
import { MESSAGE_ARGUMENT_NAMES, MESSAGE_KEYS } from '../password-reset.messages.js';
import { SHIPPED_CATALOGUES } from './shipped-catalogues.js';

/** Values no translation would write on its own, so each shows up only where a message interpolates it. */
const SENTINELS: Record<string, string | number> = {
  field: '«FIELD»',
  attribute: '«ATTRIBUTE»',
  maxLength: 9137,
  maxBytes: 7219,
  minLength: 4711,
};

describe('shipped catalogues', () => {
  it('ship en, pt-BR, es, de and fr', () => {
    expect(Object.keys(SHIPPED_CATALOGUES).sort()).toEqual(['de', 'en', 'es', 'fr', 'pt-BR']);
  });

  describe.each(Object.entries(SHIPPED_CATALOGUES))('%s', (locale, catalogue) => {
    it('has every key and no other', () => {
      expect(Object.keys(catalogue).sort()).toEqual([...MESSAGE_KEYS].sort());
    });

    it.each(MESSAGE_KEYS)('%s interpolates exactly the values it is given, each at least once', (key) => {
      const names = MESSAGE_ARGUMENT_NAMES[key];
      const build = catalogue[key] as (...args: unknown[]) => string;
      const text = build(...names.map((name) => SENTINELS[name]));
      expect(typeof text).toBe('string');
      expect(text.trim()).not.toBe('');
      for (const name of names) expect(text).toContain(String(SENTINELS[name]));
      // Nothing left uninterpolated, in any template syntax.
      expect(text).not.toMatch(/\$\{|\{\{|undefined|NaN/);
      if (locale !== 'en') {
        // Written for the language, not left in English (messages that are the same in both would be rare).
        expect(text).not.toBe(
          (SHIPPED_CATALOGUES.en[key] as (...args: unknown[]) => string)(...names.map((n) => SENTINELS[n])),
        );
      }
    });
  });

  it('pluralise the minimum length where the language does', () => {
    expect(SHIPPED_CATALOGUES.en.passwordTooShort(1)).toContain('1 character.');
    expect(SHIPPED_CATALOGUES['pt-BR'].passwordTooShort(1)).toContain('1 caractere.');
    expect(SHIPPED_CATALOGUES.fr.passwordTooShort(2)).toContain('2 caractères.');
  });
});
