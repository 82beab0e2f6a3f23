/** Case folds that `toLowerCase` misses; NFKC already maps ligatures, long s and fullwidth forms. */
const FULL_CASE_FOLDS: Record<string, string> = { ß: 'ss', ẞ: 'ss', ς: 'σ' };

/**
 * NFKC + case-fold form of an identifier, the comparison Django adopted after CVE-2019-19844. Unlike an
 * upper-case comparison it keeps dotless ı and dotted İ distinct from i, so a look-alike address typed by
 * an attacker never matches a victim's.
 */
export function foldIdentifier(value: string): string {
  const lowered = value.normalize('NFKC').toLowerCase();
  return lowered.replace(/[ßẞς]/gu, (char) => FULL_CASE_FOLDS[char]);
}
