import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
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

/** Bare packages and relative files that `file` loads as it is loaded: `import … from`, `import '…'`, re-exports, not `import type`. */
function eagerImports(file: string): { packages: string[]; files: string[] } {
  const specifiers = [
    ...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(type\s)?(?:[^;']*?\bfrom\s+)?'([^']+)'/gm),
  ]
    .filter(([, typeOnly]) => !typeOnly)
    .map(([, , specifier]) => specifier);
  return {
    packages: specifiers.flatMap((specifier) => packageOf(specifier) ?? []),
    files: specifiers
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => join(dirname(file), specifier.replace(/\.js$/, '.ts'))),
  };
}

/**
 * Every package loaded, directly or through lib/ files, when `entry` is imported; `import()` is on demand. `files`:
 * the lib/ files it loads, to show the walk reached them.
 */
function packagesLoadedBy(entry: string): Set<string> & { files: Set<string> } {
  const packages = new Set<string>();
  const seen = new Set<string>();
  for (const pending = [join(ROOT, 'lib', entry)]; pending.length;) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const found = eagerImports(file);
    found.packages.forEach((name) => packages.add(name));
    pending.push(...found.files);
  }
  return Object.assign(packages, { files: seen });
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
    expect(optional).toEqual([
      '@nestjs/graphql',
      '@nestjs/swagger',
      '@nestjs/terminus',
      '@nestjs/typeorm',
      'bullmq',
      'graphql',
      'ioredis',
      'nestjs-i18n',
      'typeorm',
    ]);
    for (const name of optional) {
      expect({ name, peer: name in manifest.peerDependencies, dev: name in manifest.devDependencies }).toEqual({
        name,
        peer: true,
        dev: true,
      });
    }
    const core = packagesLoadedBy('index.ts');
    // The walk sees the mandatory peers, so an eager import of an optional one would not slip by.
    expect([...core]).toEqual(expect.arrayContaining(['@nestjs/common', '@nestjs/event-emitter', 'bcrypt']));
    expect(optional.filter((name) => core.has(name))).toEqual([]);
    // The TypeORM entry is the one that loads TypeORM.
    expect(packagesLoadedBy('typeorm.ts').has('typeorm')).toBe(true);
    // The Redis entry takes the app's ioredis client and names ioredis in types only: it loads no optional peer.
    const redis = packagesLoadedBy('redis.ts');
    expect(redis.files).toContain(join(ROOT, 'lib', 'storage', 'redis-reset-token.store.ts'));
    expect(importedPackages().get('ioredis')).toBe(join(ROOT, 'lib', 'storage', 'redis-reset-token.store.ts'));
    expect(optional.filter((name) => redis.has(name))).toEqual([]);
    // The BullMQ entry loads bullmq and no other optional peer.
    const bullmq = packagesLoadedBy('bullmq.ts');
    expect(optional.filter((name) => bullmq.has(name))).toEqual(['bullmq']);
    // The GraphQL entry loads GraphQL's two packages, and no other optional peer.
    const graphql = packagesLoadedBy('graphql.ts');
    expect(optional.filter((name) => graphql.has(name))).toEqual(['@nestjs/graphql', 'graphql']);
    // The i18n entry loads nestjs-i18n, and no other optional peer.
    const i18n = packagesLoadedBy('i18n.ts');
    expect(optional.filter((name) => i18n.has(name))).toEqual(['nestjs-i18n']);
    // The terminus entry loads @nestjs/terminus and no other optional peer.
    const terminus = packagesLoadedBy('terminus.ts');
    expect(optional.filter((name) => terminus.has(name))).toEqual(['@nestjs/terminus']);
  });

  it('exports ESM with types, and ships only dist', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.exports['.']).toEqual({
      types: './dist/index.d.ts',
      import: './dist/index.js',
      default: './dist/index.js',
    });
    expect(manifest.exports['./typeorm']).toEqual({
      types: './dist/typeorm.d.ts',
      import: './dist/typeorm.js',
      default: './dist/typeorm.js',
    });
    expect(manifest.exports['./redis']).toEqual({
      types: './dist/redis.d.ts',
      import: './dist/redis.js',
      default: './dist/redis.js',
    });
    expect(manifest.exports['./graphql']).toEqual({
      types: './dist/graphql.d.ts',
      import: './dist/graphql.js',
      default: './dist/graphql.js',
    });
    expect(manifest.exports['./i18n']).toEqual({
      types: './dist/i18n.d.ts',
      import: './dist/i18n.js',
      default: './dist/i18n.js',
    });
    expect(manifest.exports['./terminus']).toEqual({
      types: './dist/terminus.d.ts',
      import: './dist/terminus.js',
      default: './dist/terminus.js',
    });
    expect(manifest.exports['./package.json']).toBe('./package.json');
    expect(manifest.files).toEqual(['dist']);
    expect(manifest.bin['nestjs-password-reset-clear-expired']).toBe('./dist/cli/clear-expired.js');
  });
});
