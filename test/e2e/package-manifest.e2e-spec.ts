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

/** `@scope/name/sub` → `@scope/name`; undefined for relative and `node:` specifiers. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The package each bare import of lib/ names: static, side-effect, dynamic and `typeof import()` alike. */
function importedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT, 'lib'))) {
    const source = readFileSync(file, 'utf8');
    for (const [, from, sideEffect, dynamic] of source.matchAll(
      /\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g,
    )) {
      const name = packageOf(from ?? sideEffect ?? dynamic);
      if (name) found.set(name, file);
    }
  }
  return found;
}

/** The packages each lib/ file loads as it is loaded: `import … from`, `import '…'` and re-exports, not `import type`. */
function eagerlyLoadedPackages(): [file: string, name: string][] {
  return sourceFiles(join(ROOT, 'lib')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(type\s)?(?:[^;']*?\bfrom\s+)?'([^']+)'/gm)]
      .filter(([, typeOnly]) => !typeOnly)
      .flatMap(([, , specifier]): [string, string][] => {
        const name = packageOf(specifier);
        return name ? [[file, name]] : [];
      }),
  );
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
    for (const name of [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/typeorm',
      '@nestjs/event-emitter',
      'typeorm',
      'reflect-metadata',
      'rxjs',
    ]) {
      expect(manifest.peerDependencies[name]).toBeDefined();
      expect(manifest.dependencies[name]).toBeUndefined();
    }
    expect(manifest.peerDependencies['@nestjs/common']).toBe('^11.0.0 || ^12.0.0');
  });

  it('loads optional peers only on demand, so an app without them still starts', () => {
    const optional = Object.keys(manifest.peerDependenciesMeta ?? {}).filter(
      (name) => manifest.peerDependenciesMeta[name].optional,
    );
    const ranges: Record<string, string> = { '@nestjs/swagger': '^11.0.0 || ^12.0.0', ioredis: '^5.0.0' };
    expect(optional).toEqual(Object.keys(ranges));
    for (const name of optional) {
      expect({ name, peer: manifest.peerDependencies[name], dev: name in manifest.devDependencies }).toEqual({
        name,
        peer: ranges[name],
        dev: true,
      });
    }
    const eager = eagerlyLoadedPackages();
    // The scan sees the mandatory peers lib/ loads, so an eager import of an optional one would not slip by.
    expect(eager.map(([, name]) => name)).toEqual(expect.arrayContaining(['@nestjs/common', 'typeorm']));
    expect(eager.filter(([, name]) => optional.includes(name))).toEqual([]);
  });

  it('exports ESM with types, and ships only dist', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.exports['.']).toEqual({
      types: './dist/index.d.ts',
      import: './dist/index.js',
      default: './dist/index.js',
    });
    expect(manifest.exports['./package.json']).toBe('./package.json');
    expect(manifest.files).toEqual(['dist']);
    expect(manifest.bin['nestjs-password-reset-clear-expired']).toBe('./dist/cli/clear-expired.js');
  });
});
