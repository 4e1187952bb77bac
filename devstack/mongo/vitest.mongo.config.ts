import { defineConfig } from 'vitest/config';

/**
 * Runs this folder's unit and integration tests without the repo-wide int global setup,
 * which starts services this server does not need.
 */
export default defineConfig({
  test: {
    include: ['devstack/mongo/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
