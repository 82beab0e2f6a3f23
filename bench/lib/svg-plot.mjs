/** A dependency-free SVG of empirical CDFs, so RESULTS.md can show distributions as a picture. */
const WIDTH = 720;
const HEIGHT = 420;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

export function cdfPlot({ title, series, xLabel }) {
  const all = series.flatMap((s) => s.values);
  // Cut the long tail at the 99.5th percentile so the bulk of the distribution stays readable.
  const sortedAll = [...all].sort((a, b) => a - b);
  const xMax = sortedAll[Math.floor(sortedAll.length * 0.995)] * 1.05;
  const xMin = Math.max(0, sortedAll[0] * 0.95);
  const x = (v) => M.left + ((Math.min(v, xMax) - xMin) / (xMax - xMin)) * (WIDTH - M.left - M.right);
  const y = (p) => HEIGHT - M.bottom - p * (HEIGHT - M.top - M.bottom);
  const lines = series.map(({ values, color }) => {
    const points = values.map((v, i) => `${x(v).toFixed(1)},${y((i + 1) / values.length).toFixed(1)}`);
    return `<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${points.join(' ')}"/>`;
  });
  const ticks = Array.from({ length: 6 }, (_, i) => xMin + ((xMax - xMin) * i) / 5);
  const axis = [
    `<line x1="${M.left}" y1="${y(0)}" x2="${WIDTH - M.right}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${y(0)}" x2="${M.left}" y2="${y(1)}" stroke="#333"/>`,
    ...ticks.map((t) => `<text x="${x(t)}" y="${y(0) + 18}" text-anchor="middle">${t.toFixed(2)}</text>`),
    ...[0, 0.25, 0.5, 0.75, 1].map((p) => `<text x="${M.left - 8}" y="${y(p) + 4}" text-anchor="end">${p}</text>`),
    `<text x="${(WIDTH + M.left) / 2}" y="${HEIGHT - 10}" text-anchor="middle">${xLabel}</text>`,
    `<text x="16" y="${(HEIGHT - M.bottom + M.top) / 2}" transform="rotate(-90 16 ${(HEIGHT - M.bottom + M.top) / 2})" text-anchor="middle">fraction of requests ≤ x</text>`,
  ];
  const legend = series.map(
    ({ label, color }, i) =>
      `<rect x="${WIDTH - 200}" y="${M.top + 10 + i * 20}" width="14" height="4" fill="${color}"/>` +
      `<text x="${WIDTH - 180}" y="${M.top + 16 + i * 20}">${label}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`,
    ...axis,
    ...lines,
    ...legend,
    `</svg>`,
  ].join('\n');
}
