/** Jest runs TypeScript as native ESM through ts-jest (NODE_OPTIONS=--experimental-vm-modules). */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
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
