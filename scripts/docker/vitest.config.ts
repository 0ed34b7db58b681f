/**
 * The docker suites (`npm run test:docker`): they need a Docker engine and the images of
 * scripts/docker/build-images.sh, so the default `npm test` does not collect them.
 */
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['test/docker-*.test.ts'],
    exclude: ['node_modules/**', '.lab/**'],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
