import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 60000,
    // Tests start many child processes and namespaces; two workers match the 2-core machines.
    maxWorkers: 2,
  },
});
