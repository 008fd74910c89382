import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // drops TensorFlow.js's "install tfjs-node" banner (the lab uses the wasm backend on purpose)
    setupFiles: ['src/test-setup.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // one worker: the tests share 2 cores with TensorFlow.js's own work
    maxWorkers: 1,
  },
});
