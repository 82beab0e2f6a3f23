import { createRequire } from 'node:module';

/**
 * @fastify/static (Mercurius loads it) require()s content-disposition 3, which is ESM only: plain Node 20.19 loads
 * it, Jest's CommonJS loader cannot before Node 24.9. Under Jest it gets the copy Express 5 requires (1.x or 2.x,
 * CommonJS, the same `create()`), wherever npm placed it.
 */
const fromExpress = createRequire(createRequire(import.meta.url).resolve('@nestjs/platform-express'));
const commonJsContentDisposition = createRequire(fromExpress.resolve('express')).resolve('content-disposition');

/** Jest runs TypeScript as native ESM through ts-jest (NODE_OPTIONS=--experimental-vm-modules). */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^content-disposition$': commonJsContentDisposition,
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  // The peer bench's own installs (better-auth, a Django project) are no part of any suite.
  modulePathIgnorePatterns: ['<rootDir>/bench/peers/'],
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // scripts/lib: the test runner's own rules (plain ESM, no transform).
      testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/scripts/lib/**/*.spec.mjs'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
  // For the e2e specs, which boot real apps (some several times a test) beside a second pass on a 2-core machine;
  // a hang still fails, after 30 s. Global only: Jest ignores `testTimeout` in a project's config.
  testTimeout: 30_000,
};
