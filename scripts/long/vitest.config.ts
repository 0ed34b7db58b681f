/** The long suites (`npm run test:long`, see suites.ts); `.ci/run` runs them after `npm test`. */
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { LONG_SUITES } from './suites.ts';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: LONG_SUITES,
    exclude: ['node_modules/**', '.lab/**'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
