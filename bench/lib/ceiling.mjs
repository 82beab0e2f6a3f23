/**
 * A shared machine's speed drifts over a run, so a figure and the ceiling it is a share of are measured close
 * together: the ceiling before the first row, between the rows and after the last, each row against the mean
 * of the two ceiling runs beside it.
 *
 * `ceiling()` and each of `rows` resolve to a result with a `rate`; each row's result gets
 * `ceiling: { rate, runs: [before, after] }` and `share` (its rate over the ceiling's).
 */
export async function alternate(ceiling, rows) {
  let before = await ceiling();
  const results = [];
  for (const row of rows) {
    const result = await row();
    const after = await ceiling();
    const rate = (before.rate + after.rate) / 2;
    results.push({ ...result, ceiling: { rate, runs: [before, after] }, share: result.rate / rate });
    before = after;
  }
  return results;
}

/**
 * `rounds` runs of one row in an alternation with its ceiling (ceiling, row, ceiling, row, …, ceiling): the
 * round whose share is the median, with every round's result in `rounds`. One 8 s run's share moves by up to
 * ±20% on a 2-core machine; the median of a few does not.
 */
export async function medianOfRounds(ceiling, row, rounds) {
  const results = await alternate(
    ceiling,
    Array.from({ length: rounds }, () => row),
  );
  const byShare = [...results].sort((a, b) => a.share - b.share);
  return { ...byShare[Math.floor((rounds - 1) / 2)], rounds: results };
}
