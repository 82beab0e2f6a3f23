// typescript-eslint's type-checked rules for the shipped code and the sample (a missed await in a security
// flow is a bug), its plain recommendations for tests, benchmarks and scripts. Formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'sample/dist/', 'coverage/', 'node_modules/', 'bench/peers/**/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**/*.ts', 'sample/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    // The root tsconfig maps `nestjs-password-reset` to lib/, so the sample lints without a build of dist/.
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Async interfaces (throttler storage, user store, validators) are often met by synchronous code.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['sample/public/**/*.js'], languageOptions: { globals: globals.browser } },
);
