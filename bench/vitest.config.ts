import { defineConfig } from 'vitest/config';

// The reliability suite: `npm run test:chaos`. Not part of `npm test` (the root config only
// includes apps/ and packages/). Files run one at a time: one of them restarts Postgres.
export default defineConfig({
  test: {
    include: ['src/chaos/**/*.test.ts'],
    // The suite spawns the compiled CLI; build it first so it runs the current code.
    globalSetup: ['../apps/cli/src/build-for-tests.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
