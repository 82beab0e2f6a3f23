#!/usr/bin/env node
// `npm run test:pack`: packs the package as `npm publish` would, checks what the tarball ships, installs it into
// two throw-away apps outside the repo (one ESM, one CommonJS), compiles each with tsc against the installed
// declarations, runs one full reset over HTTP in each with plain `node`, and runs the installed
// clear-expired command. A third app installs no TypeORM: tokens in Redis (REDIS_URL, default the local one),
// users in its own store. Ends with "N passed, N failed". `--keep` leaves the temp dir for a look.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reachable } from './lib/reachable.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const appSources = join(root, 'scripts', 'pack-check');
const noTypeOrmSources = join(root, 'scripts', 'pack-check-no-typeorm');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const keep = process.argv.includes('--keep');
const started = Date.now();

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log(
    `  ${ok ? 'ok  ' : 'FAIL'} ${name}${ok || detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`,
  );
  return ok;
}

function phase(title) {
  console.log(`\n> ${title}  (+${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Runs a command to completion; a non-zero exit is returned, not thrown, so the caller can check it. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 5 * 60_000,
    ...options,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`;
  return { ok: result.status === 0, stdout: result.stdout ?? '', output };
}
const tail = (text) => text.trim().split('\n').slice(-25).join('\n');

/**
 * The packages the declarations of `entry` (a .d.ts in `dir`) name, through every .d.ts they reach: what an app
 * compiling against the entry must have installed. Given a .js, the same for the modules it imports at run time.
 */
function packagesNamedBy(dir, entry) {
  const packages = new Set();
  const seen = new Set();
  for (const pending = [entry]; pending.length;) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    // tsc writes `import("…")` types with double quotes, declarations with the source's quotes.
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
      const sibling = file.endsWith('.d.ts') ? specifier.replace(/\.js$/, '.d.ts') : specifier;
      if (specifier.startsWith('.')) pending.push(posix.join(posix.dirname(file), sibling));
      else
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  }
  return packages;
}

/** Every file path an `exports` entry can resolve to, whatever the conditions. */
function exportTargets(entry) {
  if (typeof entry === 'string') return [entry];
  return Object.values(entry ?? {}).flatMap(exportTargets);
}

const workDir = mkdtempSync(join(tmpdir(), 'pr-pack-'));
try {
  phase('npm run build');
  const build = run('npm', ['run', 'build'], { cwd: root });
  if (!check('dist builds', build.ok, tail(build.output))) throw new Error('no build');

  phase('npm pack');
  check('the throw-away dir is outside the repo', relative(root, workDir).startsWith('..'), workDir);
  const pack = run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: root });
  if (!check('npm pack succeeds', pack.ok, tail(pack.output))) throw new Error('no tarball');
  const [packed] = JSON.parse(pack.stdout);
  const tarball = join(workDir, packed.filename);
  const files = packed.files.map((file) => file.path);
  const shipped = new Set(files);
  console.log(
    `  ${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`,
  );

  const required = [
    'package.json',
    'README.md',
    ...['LICENSE', 'LICENSE.md'].filter((name) => existsSync(join(root, name))),
  ];
  check(
    'ships package.json, README and the licence file if any',
    required.every((file) => shipped.has(file)),
    required.filter((file) => !shipped.has(file)),
  );
  const entryPoints = [
    manifest.main,
    manifest.types,
    ...Object.values(manifest.bin ?? {}),
    ...exportTargets(manifest.exports),
  ];
  const missing = entryPoints.map((path) => posix.normalize(path)).filter((path) => !shipped.has(path));
  check('ships every file main, types, bin and exports name', missing.length === 0, missing);
  const jsWithoutTypes = files.filter((file) => file.endsWith('.js') && !shipped.has(file.replace(/\.js$/, '.d.ts')));
  check('every .js ships with its .d.ts', jsWithoutTypes.length === 0, jsWithoutTypes);
  const outsideDist = files.filter(
    (file) =>
      !file.startsWith('dist/') &&
      !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md'].includes(file),
  );
  check('nothing but dist/, the manifest and the docs', outsideDist.length === 0, outsideDist);
  const unwanted = files.filter((file) =>
    /(^|\/)(test|tests|sample|bench|scripts|node_modules|__tests__)\/|\.(e2e-)?spec\.|(^|\/)\.env|\.npmrc|\.(pem|key|p12|pfx|sqlite\w*|db|log|tgz)$/.test(
      file,
    ),
  );
  check('no tests, sample, bench, env files, keys or databases', unwanted.length === 0, unwanted);
  const unexpectedKinds = files.filter((file) => file.startsWith('dist/') && !/\.(js|d\.ts|js\.map)$/.test(file));
  check('dist/ holds only .js, .d.ts and .js.map', unexpectedKinds.length === 0, unexpectedKinds);
  // tsc never deletes outputs: a dist/ file without a lib/ source is left over from a removed or renamed file.
  const stale = files.filter(
    (file) =>
      file.startsWith('dist/') &&
      !existsSync(join(root, 'lib', file.slice(5).replace(/(\.d\.ts|\.js|\.js\.map)$/, '.ts'))),
  );
  check('every dist/ file comes from a current lib/ source', stale.length === 0, stale);

  const unpacked = join(workDir, 'unpacked');
  mkdirSync(unpacked);
  const untar = run('tar', ['-xzf', tarball, '-C', unpacked]);
  check('the tarball extracts', untar.ok, tail(untar.output));
  const packageDir = join(unpacked, 'package');
  const danglingMaps = files
    .filter((file) => file.endsWith('.map'))
    .flatMap((file) => {
      const map = JSON.parse(readFileSync(join(packageDir, file), 'utf8'));
      return map.sources.flatMap((source, index) => {
        const target = posix.join(posix.dirname(file), map.sourceRoot ?? '', source);
        return map.sourcesContent?.[index] != null || shipped.has(target) ? [] : [`${file} → ${target}`];
      });
    });
  check('every source map carries or ships its sources', danglingMaps.length === 0, danglingMaps.slice(0, 5));
  // An app without TypeORM compiles against these with skipLibCheck off: no declaration may need typeorm's.
  for (const entry of ['dist/index.d.ts', 'dist/redis.d.ts', 'dist/bullmq.d.ts']) {
    const named = [...packagesNamedBy(packageDir, entry)];
    const typeorm = named.filter((name) => name === 'typeorm' || name === '@nestjs/typeorm');
    check(`${entry} and the declarations it reaches name neither typeorm nor @nestjs/typeorm`, !typeorm.length, named);
  }
  // GraphQL is an optional peer too: only nestjs-password-reset/graphql may load it, at run time or in its types.
  for (const entry of ['dist/index.js', 'dist/index.d.ts', 'dist/redis.js', 'dist/typeorm.js', 'dist/bullmq.js']) {
    const named = [...packagesNamedBy(packageDir, entry)];
    const graphql = named.filter((name) =>
      ['graphql', '@nestjs/graphql', '@nestjs/apollo', '@nestjs/mercurius'].includes(name),
    );
    check(`${entry} and the files it reaches load no GraphQL package`, !graphql.length, graphql);
  }
  // nestjs-i18n likewise: only nestjs-password-reset/i18n loads it.
  for (const entry of ['dist/index.js', 'dist/index.d.ts', 'dist/redis.js', 'dist/typeorm.js', 'dist/bullmq.js']) {
    const named = [...packagesNamedBy(packageDir, entry)];
    check(`${entry} and the files it reaches load no nestjs-i18n`, !named.includes('nestjs-i18n'), named);
  }
  check('dist/i18n.js loads nestjs-i18n', packagesNamedBy(packageDir, 'dist/i18n.js').has('nestjs-i18n'));
  const graphqlLoads = packagesNamedBy(packageDir, 'dist/graphql.js');
  const graphqlTypes = packagesNamedBy(packageDir, 'dist/graphql.d.ts');
  check(
    'dist/graphql.js loads @nestjs/graphql and graphql, and its declarations name no TypeORM',
    graphqlLoads.has('@nestjs/graphql') &&
      graphqlLoads.has('graphql') &&
      !graphqlTypes.has('typeorm') &&
      !graphqlTypes.has('@nestjs/typeorm'),
    { loads: [...graphqlLoads], types: [...graphqlTypes] },
  );
  // @nestjs/terminus is an optional peer: only nestjs-password-reset/terminus may load it.
  for (const entry of ['dist/index.js', 'dist/redis.js', 'dist/typeorm.js', 'dist/bullmq.js', 'dist/graphql.js']) {
    const terminus = packagesNamedBy(packageDir, entry).has('@nestjs/terminus');
    check(`${entry} and the files it reaches load no @nestjs/terminus`, !terminus);
  }
  const terminusLoads = packagesNamedBy(packageDir, 'dist/terminus.js');
  check(
    'dist/terminus.js loads @nestjs/terminus and no TypeORM',
    terminusLoads.has('@nestjs/terminus') && !terminusLoads.has('typeorm'),
    [...terminusLoads],
  );
  const secretPatterns = [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\bAKIA[0-9A-Z]{16}\b/,
    /\b(npm|ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{30,}/,
    /\bxox[abps]-[A-Za-z0-9-]{10,}/,
  ];
  const buildPaths = [root, `${process.env.HOME}/`].filter((path) => path.length > 2);
  const leaks = files.filter((file) => {
    const text = readFileSync(join(packageDir, file), 'utf8');
    return secretPatterns.some((pattern) => pattern.test(text)) || buildPaths.some((path) => text.includes(path));
  });
  check('no keys, tokens or build-machine paths in any shipped file', leaks.length === 0, leaks);

  phase('install the tarball into two throw-away apps (one npm install, a workspace per app)');
  const appsDir = join(workDir, 'apps');
  // better-sqlite3's install script downloads a binary from GitHub, else compiles SQLite for minutes. Offer the
  // repo's own build as a local prebuild (prebuild-install's documented hook), so pin the app to that version.
  const sqliteDir = join(root, 'node_modules', 'better-sqlite3');
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
  const prebuilds = join(workDir, 'prebuilds');
  mkdirSync(prebuilds);
  const prebuild = `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  if (existsSync(join(sqliteDir, 'build', 'Release', 'better_sqlite3.node'))) {
    run('tar', ['-czf', join(prebuilds, prebuild), '-C', sqliteDir, 'build/Release/better_sqlite3.node']);
  }
  // The peers and the HTTP platform at the versions the repo is tested with; not @nestjs/swagger, an optional peer.
  const appPackages = [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/event-emitter',
    '@nestjs/platform-express',
    '@nestjs/typeorm',
    'typeorm',
    'class-validator',
    'reflect-metadata',
    'rxjs',
  ];
  const dependencies = {
    'nestjs-password-reset': `file:${tarball}`,
    bcrypt: manifest.dependencies.bcrypt,
    'better-sqlite3': sqliteVersion,
    ...Object.fromEntries(appPackages.map((name) => [name, manifest.devDependencies[name]])),
  };
  const devDependencies = Object.fromEntries(
    ['typescript', '@types/node', '@types/bcrypt'].map((name) => [name, manifest.devDependencies[name]]),
  );
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    strictPropertyInitialization: false,
    // Checks the package's own .d.ts too (and the peers' they import), not only their use.
    skipLibCheck: false,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    rootDir: 'src',
    outDir: 'dist',
  };
  // A CommonJS app: TypeScript emits require() and, with module node20, type-checks require() of an ESM package.
  const apps = [
    { name: 'esm', type: 'module', module: 'nodenext' },
    { name: 'cjs', type: 'commonjs', module: 'node20' },
  ];
  mkdirSync(appsDir);
  writeFileSync(
    join(appsDir, 'package.json'),
    JSON.stringify(
      {
        private: true,
        workspaces: apps.map((app) => app.name),
        allowScripts: { bcrypt: true, 'better-sqlite3': true },
      },
      null,
      2,
    ),
  );
  for (const app of apps) {
    const dir = join(appsDir, app.name);
    cpSync(appSources, join(dir, 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify(
        { name: `pack-check-${app.name}`, private: true, type: app.type, dependencies, devDependencies },
        null,
        2,
      ),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: app.module, ...compilerOptions }, include: ['src'] }, null, 2),
    );
  }
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: appsDir,
    env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds },
  });
  if (!check('npm install of the tarball and the peers', install.ok, tail(install.output)))
    throw new Error('no install');
  const tree = run('npm', ['ls', '--all'], { cwd: appsDir });
  check(
    'npm ls: every dependency and peer range is satisfied',
    tree.ok,
    tree.output
      .split('\n')
      .filter((line) => /invalid|missing|ERR/.test(line))
      .join('\n'),
  );
  check(
    'the optional @nestjs/swagger peer is not installed',
    !existsSync(join(appsDir, 'node_modules', '@nestjs', 'swagger')),
  );

  const tsc = join(appsDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const bin = 'nestjs-password-reset-clear-expired';
  for (const app of apps) {
    const dir = join(appsDir, app.name);
    phase(`${app.name} app ("type": "${app.type}", module ${app.module}): tsc, node, ${bin}`);
    const compiled = run(process.execPath, [tsc, '-p', dir], { cwd: dir });
    if (!check(`${app.name}: tsc (strict) compiles against the installed .d.ts`, compiled.ok, tail(compiled.output)))
      continue;
    const emitted = readFileSync(join(dir, 'dist', 'main.js'), 'utf8');
    const loadsPackage =
      app.type === 'module'
        ? emitted.includes(`from 'nestjs-password-reset`)
        : emitted.includes(`require("nestjs-password-reset`);
    check(
      `${app.name}: the emitted main.js ${app.type === 'module' ? 'imports' : 'require()s'} the package`,
      loadsPackage,
    );

    const env = { ...process.env, DATABASE_FILE: join(dir, 'app.sqlite') };
    const started = run(process.execPath, [join(dir, 'dist', 'main.js')], { cwd: dir, env, timeout: 60_000 });
    const line = started.stdout.split('\n').find((text) => text.startsWith('PACK-CHECK-RESULT '));
    if (
      !check(
        `${app.name}: node dist/main.js boots and prints its result`,
        started.ok && line !== undefined,
        tail(started.output),
      )
    )
      continue;
    const result = JSON.parse(line.slice('PACK-CHECK-RESULT '.length));
    check(
      `${app.name}: Node ran it as ${app.type === 'module' ? 'esm' : app.type}`,
      result.moduleSystem === (app.type === 'module' ? 'esm' : app.type),
      result.moduleSystem,
    );
    for (const { name, ok, detail } of result.checks) check(`${app.name}: ${name}`, ok, detail);

    const help = run('npx', ['--no', '--', bin, '--help'], { cwd: dir, env });
    check(
      `${app.name}: npx ${bin} --help prints its usage`,
      help.ok && help.stdout.startsWith(`usage: ${bin} --data-source`),
      tail(help.output),
    );
    const cleared = run('npx', ['--no', '--', bin, '--data-source', 'dist/data-source.js'], { cwd: dir, env });
    check(
      `${app.name}: npx ${bin} deletes the app's expired token`,
      cleared.ok && cleared.stdout.trim() === 'deleted 1 expired password-reset token',
      tail(cleared.output),
    );
  }

  phase('the ESM app type-checks with moduleResolution bundler too (webpack/esbuild builds)');
  const bundler = run(
    process.execPath,
    [tsc, '-p', join(appsDir, 'esm'), '--noEmit', '--module', 'preserve', '--moduleResolution', 'bundler'],
    { cwd: appsDir },
  );
  check('moduleResolution bundler resolves the declarations', bundler.ok, tail(bundler.output));

  phase(
    'an app without TypeORM: Redis tokens (nestjs-password-reset/redis), a BullMQ queue (/bullmq), its own user store',
  );
  // Its own install, outside the workspace above, whose node_modules holds typeorm.
  const bare = join(workDir, 'no-typeorm');
  cpSync(noTypeOrmSources, join(bare, 'src'), { recursive: true });
  cpSync(join(appSources, 'token-inbox.ts'), join(bare, 'src', 'token-inbox.ts'));
  const bareDependencies = {
    'nestjs-password-reset': `file:${tarball}`,
    bcrypt: manifest.dependencies.bcrypt,
    ...Object.fromEntries(
      appPackages
        .filter((name) => name !== 'typeorm' && name !== '@nestjs/typeorm')
        .concat('ioredis', 'bullmq')
        .map((name) => [name, manifest.devDependencies[name]]),
    ),
  };
  writeFileSync(
    join(bare, 'package.json'),
    JSON.stringify(
      {
        name: 'pack-check-no-typeorm',
        private: true,
        type: 'module',
        dependencies: bareDependencies,
        devDependencies,
        allowScripts: { bcrypt: true },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(bare, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', ...compilerOptions }, include: ['src'] }, null, 2),
  );
  const bareInstall = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: bare });
  if (!check('no-typeorm: npm install of the tarball without TypeORM', bareInstall.ok, tail(bareInstall.output)))
    throw new Error('no install');
  const installed = ['typeorm', '@nestjs/typeorm', 'better-sqlite3'].filter((name) =>
    existsSync(join(bare, 'node_modules', name)),
  );
  check('no-typeorm: node_modules has no typeorm, @nestjs/typeorm nor better-sqlite3', !installed.length, installed);
  const bareTree = run('npm', ['ls', '--all'], { cwd: bare });
  check('no-typeorm: npm ls: every dependency and peer range is satisfied', bareTree.ok, tail(bareTree.output));
  const bareCompiled = run(process.execPath, [join(bare, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', bare], {
    cwd: bare,
  });
  const { hostname, port } = new URL(redisUrl);
  const withRedis = await reachable(hostname, Number(port || 6379));
  check(`no-typeorm: Redis is reachable at ${redisUrl} (set REDIS_URL for another)`, withRedis);
  const compiledBare = check(
    'no-typeorm: tsc (strict) compiles against the installed .d.ts',
    bareCompiled.ok,
    tail(bareCompiled.output),
  );
  if (compiledBare && withRedis) {
    const keyPrefix = `{pr_pack_${randomBytes(6).toString('hex')}}:`;
    const env = { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix };
    const ran = run(process.execPath, [join(bare, 'dist', 'main.js')], { cwd: bare, env, timeout: 60_000 });
    const line = ran.stdout.split('\n').find((text) => text.startsWith('PACK-CHECK-RESULT '));
    if (
      check(`no-typeorm: node dist/main.js runs a reset on ${redisUrl}`, ran.ok && line !== undefined, tail(ran.output))
    ) {
      for (const { name, ok, detail } of JSON.parse(line.slice('PACK-CHECK-RESULT '.length)).checks) {
        check(`no-typeorm: ${name}`, ok, detail);
      }
    }
  }
} catch (error) {
  // A failed step has already been counted; this only stops the steps that need it.
  console.log(`  stopped: ${error.message}`);
} finally {
  if (keep) console.log(`\nkept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}

console.log(`\npack check took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
