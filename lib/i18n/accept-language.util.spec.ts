import { describe, expect, it } from '@jest/globals';
import { matchLocale, parseAcceptLanguage } from './accept-language.util.js';

const AVAILABLE = ['en', 'pt-BR', 'es', 'de', 'fr'];
const best = (header?: string) => matchLocale(parseAcceptLanguage(header), AVAILABLE);

describe('Accept-Language', () => {
  it('orders ranges by q-value, ties by position, and drops q=0, bad q-values and malformed ranges', () => {
    expect(parseAcceptLanguage('fr;q=0.9, es;q=0.8, de')).toEqual(['de', 'fr', 'es']);
    expect(parseAcceptLanguage('es;q=0.5,de;q=0.5')).toEqual(['es', 'de']);
    expect(parseAcceptLanguage('fr;q=0, de;q=2, es;q=abc, <script>, it')).toEqual(['it']);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    expect(parseAcceptLanguage('')).toEqual([]);
  });

  it('stays bounded on a hostile header', () => {
    const header = Array.from({ length: 10_000 }, (_, i) => ['ja', 'ko', 'zh'][i % 3]).join(',') + ',de';
    expect(parseAcceptLanguage(header)).toHaveLength(32);
    expect(best(header)).toBeUndefined();
  });

  it('matches exactly (any case), then by cutting subtags, then a regional locale of the language', () => {
    expect(best('PT-br')).toBe('pt-BR');
    expect(best('de-CH-1996')).toBe('de');
    expect(best('pt')).toBe('pt-BR');
    expect(best('pt-PT')).toBe('pt-BR');
    expect(best('ja, fr;q=0.1')).toBe('fr');
    expect(best('ja, *;q=0.5')).toBeUndefined();
    expect(best()).toBeUndefined();
  });
});
