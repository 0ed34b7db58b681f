import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.lab/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start real servers (PostgreSQL, the broker, the proxy); on 2 cores, running
    // whole files in parallel makes timing assertions flaky, so files run one at a time.
    fileParallelism: false,
  },
});
