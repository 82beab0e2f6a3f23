/** Replaces (or appends) one `## ` section of bench/RESULTS.md, so each benchmark keeps only its latest run. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './sample-process.mjs';

export function writeSection(heading, body, file = join(ROOT, 'bench/RESULTS.md')) {
  const text = readFileSync(file, 'utf8');
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const start = text.indexOf(`## ${heading}\n`);
  if (start === -1) return writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
  const next = text.indexOf('\n## ', start + 1);
  writeFileSync(file, text.slice(0, start) + section + (next === -1 ? '' : text.slice(next)));
}
