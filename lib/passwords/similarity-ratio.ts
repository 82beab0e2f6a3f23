/**
 * Ratcliff/Obershelp similarity of two sequences: 2 * M / T, where M is the number of elements in
 * matching blocks and T the total number of elements. Gives the same result as Python's
 * `difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()`, the measure Django's
 * UserAttributeSimilarityValidator is tuned for. Runs in O(|a| * |b| * depth): cap the inputs.
 */
export function similarityRatio<T>(a: readonly T[], b: readonly T[]): number {
  const total = a.length + b.length;
  if (total === 0) return 1;

  let matched = 0;
  // Explicit stack of [aStart, aEnd, bStart, bEnd] ranges still to match, instead of recursion.
  const ranges: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  for (let range = ranges.pop(); range; range = ranges.pop()) {
    const [aStart, aEnd, bStart, bEnd] = range;
    const [i, j, size] = longestMatch(a, aStart, aEnd, b, bStart, bEnd);
    if (size === 0) continue;
    matched += size;
    if (aStart < i && bStart < j) ranges.push([aStart, i, bStart, j]);
    if (i + size < aEnd && j + size < bEnd) ranges.push([i + size, aEnd, j + size, bEnd]);
  }
  return (2 * matched) / total;
}

/**
 * Longest common block of a[aStart, aEnd) and b[bStart, bEnd), as [start in a, start in b, size].
 * Ties go to the block that ends first in a, then in b, as in difflib: the choice changes later matches.
 */
function longestMatch<T>(
  a: readonly T[],
  aStart: number,
  aEnd: number,
  b: readonly T[],
  bStart: number,
  bEnd: number,
): [number, number, number] {
  let best: [number, number, number] = [aStart, bStart, 0];
  // runs[k + 1] = length of the common run ending at a[i] and b[bStart + k]; two rows suffice.
  let previous = new Uint32Array(bEnd - bStart + 1);
  let current = new Uint32Array(bEnd - bStart + 1);
  for (let i = aStart; i < aEnd; i++) {
    for (let j = bStart; j < bEnd; j++) {
      const run = a[i] === b[j] ? previous[j - bStart] + 1 : 0;
      current[j - bStart + 1] = run;
      if (run > best[2]) best = [i - run + 1, j - run + 1, run];
    }
    [previous, current] = [current, previous];
  }
  return best;
}
