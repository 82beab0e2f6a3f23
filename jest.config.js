/** Jest runs TypeScript as native ESM through ts-jest (NODE_OPTIONS=--experimental-vm-modules). */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static (Mercurius loads it) require()s content-disposition 3, which is ESM only: plain Node 20.19
    // loads it, Jest's CommonJS loader cannot before Node 24.9. Version 2 is the same API as CommonJS.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // scripts/lib: the test runner's own rules (plain ESM, no transform).
      testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/scripts/lib/**/*.spec.mjs'],
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
