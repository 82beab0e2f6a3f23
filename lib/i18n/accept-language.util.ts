/** Headers longer than this are cut: a browser sends a few dozen characters, and parsing stays bounded. */
const MAX_HEADER_LENGTH = 1024;
const MAX_RANGES = 32;
const LANGUAGE_RANGE = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** The language ranges of an `Accept-Language` header, most wanted first (q=0 and malformed ones dropped). */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const ranges: { tag: string; q: number; index: number }[] = [];
  for (const [index, part] of header.slice(0, MAX_HEADER_LENGTH).split(',').slice(0, MAX_RANGES).entries()) {
    const [tag, ...params] = part.trim().split(';');
    if (!LANGUAGE_RANGE.test(tag)) continue;
    const qParam = params.map((param) => param.trim()).find((param) => /^q=/i.test(param));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0 && q <= 1)) continue;
    ranges.push({ tag, q, index });
  }
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map(({ tag }) => tag);
}

/**
 * The available locale best matching the wanted ones, in order: for each, the exact tag (any case), then the
 * tag cut subtag by subtag (`pt-BR-x` -> `pt-BR` -> `pt`), where a cut tag also takes a regional locale of the
 * same language (`pt` -> `pt-BR`). Undefined when none matches.
 */
export function matchLocale(wanted: readonly string[], available: readonly string[]): string | undefined {
  // Most calls carry no Accept-Language: no lookup table to build for them.
  if (!wanted.length) return undefined;
  const byLower = new Map(available.map((locale) => [locale.toLowerCase(), locale]));
  for (const tag of wanted) {
    const subtags = tag.toLowerCase().split('-');
    for (let length = subtags.length; length > 0; length--) {
      const range = subtags.slice(0, length).join('-');
      const exact = byLower.get(range);
      if (exact) return exact;
      const regional = available.find((locale) => locale.toLowerCase().startsWith(`${range}-`));
      if (regional) return regional;
    }
  }
  return undefined;
}
