import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // one worker: the tests share 2 cores with TensorFlow.js's own work
    maxWorkers: 1,
  },
});
