import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The package each bare import of lib/ names (`@scope/name/sub` → `@scope/name`). */
function importedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT, 'lib'))) {
    for (const [, from, sideEffect] of readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'/g)) {
      const specifier = from ?? sideEffect;
      if (!specifier || specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      found.set(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0], file);
    }
  }
  return found;
}

describe('package manifest', () => {
  it('declares every package lib/ imports as a dependency or a peer, never as a dev dependency only', () => {
    const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
    const imported = importedPackages();
    expect(imported.size).toBeGreaterThan(5);
    for (const [name, file] of imported) {
      expect({ name, file, builtin: builtinModules.includes(name), declared: name in declared }).toEqual({
        name,
        file,
        builtin: false,
        declared: true,
      });
    }
  });

  it('keeps Nest, TypeORM and the event emitter as peers, so the app has one copy of each', () => {
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/typeorm', '@nestjs/event-emitter', 'typeorm', 'reflect-metadata', 'rxjs']) {
      expect(manifest.peerDependencies[name]).toBeDefined();
      expect(manifest.dependencies[name]).toBeUndefined();
    }
    expect(manifest.peerDependencies['@nestjs/common']).toBe('^11.0.0 || ^12.0.0');
  });

  it('exports ESM with types, and ships only dist', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
    expect(manifest.exports['./package.json']).toBe('./package.json');
    expect(manifest.files).toEqual(['dist']);
    expect(manifest.bin['nestjs-password-reset-clear-expired']).toBe('./dist/cli/clear-expired.js');
  });
});
