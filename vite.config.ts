import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { mainThreadCheck } from './lint/main-thread';

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer: the UI uses one shared flag
 * to cancel an attack that is running synchronously inside the compute worker. Every asset is served
 * from this origin, so `require-corp` costs nothing.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // the build fails if TensorFlow.js reaches the page's main thread (it runs in the worker only)
  plugins: [react(), mainThreadCheck(250)],
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
