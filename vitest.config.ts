import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // test/docker-*.test.ts need a Docker engine: `npm run test:docker` (scripts/docker/vitest.config.ts);
    // test/explore-*.test.ts take minutes each: `npm run test:long` (scripts/long/vitest.config.ts).
    exclude: ['node_modules/**', '.lab/**', 'test/docker-*.test.ts', 'test/explore-*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start real servers (PostgreSQL, the broker, the proxy); on 2 cores, running
    // whole files in parallel makes timing assertions flaky, so files run one at a time.
    fileParallelism: false,
  },
});
