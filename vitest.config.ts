import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
    // Tests that spawn `mediatag` run the compiled CLI: built once here, never stale.
    globalSetup: ['apps/cli/src/build-for-tests.ts'],
    // Integration tests share one Postgres and one Redis; each isolates itself by database and queue prefix.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
