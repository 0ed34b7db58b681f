import { defineConfig } from 'vitest/config';
import { LONG_SUITES } from './scripts/long/suites.ts';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // test/docker-*.test.ts need a Docker engine: `npm run test:docker` (scripts/docker/vitest.config.ts);
    // The long suites (scripts/long/suites.ts) are `npm run test:long`.
    exclude: ['node_modules/**', '.lab/**', 'test/docker-*.test.ts', ...LONG_SUITES],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start real servers (PostgreSQL, the broker, the proxy); on 2 cores, running
    // whole files in parallel makes timing assertions flaky, so files run one at a time.
    fileParallelism: false,
  },
});
