// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'storage/', 'coverage/', 'bench/results/', 'test/http/generated-client/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The clock-skew preload is plain JavaScript: node loads it before any TypeScript loader.
        projectService: { allowDefaultProject: ['test/support/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits is a job nobody settles.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The layers point inward: core imports nothing outside itself.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/application/**', '**/adapters/**', '**/platform/**'], message: 'src/core must not depend on outer layers.' },
            { group: ['node:*', '!node:crypto', 'pg', 'better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'pino', 'fastify', 'undici', 'croner'], message: 'src/core is pure: no I/O libraries (node:crypto hashing is allowed); cron maths goes through the CronEngine port.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/adapters/**', '**/platform/**'], message: 'src/application depends on core only.' }] },
      ],
    },
  },
  {
    // Plain JavaScript: this file, and the module loader hooks tests load with --import before tsx.
    files: ['eslint.config.js', 'test/support/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
