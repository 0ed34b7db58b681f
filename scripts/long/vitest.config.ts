/**
 * The long suites (`npm run test:long`): exploration and shrinking run a scenario many times
 * (minutes each), so the default `npm test` leaves them to this config; `.ci/run` runs both.
 */
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['test/explore-*.test.ts'],
    exclude: ['node_modules/**', '.lab/**'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
