import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { mainThreadCheck } from './lint/main-thread';

/**
 * Offline (vite-plugin-pwa, Workbox's generateSW): the service worker precaches the app (HTML, JS,
 * CSS, the worker and TensorFlow.js's wasm files, the icons, the lists of models and data sets) and
 * caches each zoo model and data set file the first time the lab fetches it (cache first: they are
 * immutable for a release; the default view's model and test images are precached), so a page that
 * has been opened once works without the network. A new
 * release waits until the user accepts it (registerType 'prompt': src/ui/UpdatePrompt.tsx).
 */
const pwa = VitePWA({
  registerType: 'prompt',
  injectRegister: false,
  includeAssets: ['icons/*.svg', 'icons/*.png'],
  manifest: {
    name: 'Robustness Lab',
    short_name: 'Robustness Lab',
    description: 'Adversarial robustness, poisoning and privacy of machine-learning models, in the browser',
    start_url: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#1d3557',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  workbox: {
    // the app, and the default view's model and test images (the first visit's own fetches of them
    // happen before the service worker controls the page, so they are precached rather than cached on use)
    globPatterns: [
      'assets/**/*.{js,css,wasm}',
      '*.{html,js,webmanifest}',
      'icons/*',
      'models/index.json',
      'data/index.json',
      'models/mnist-cnn/*',
      'data/mnist/test-*',
    ],
    globIgnores: ['sw.js', 'workbox-*.js'],
    // the compute worker (TensorFlow.js) is ~3 MB, MNIST's test images ~8 MB
    maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
    // the first visit's later fetches (another model, another data set) are cached too; a new release
    // still waits for the user (no skipWaiting)
    clientsClaim: true,
    navigateFallback: 'index.html',
    runtimeCaching: [
      {
        urlPattern: ({ url, sameOrigin }) => sameOrigin && /^\/(models|data)\//.test(url.pathname) && !/index\.json$/.test(url.pathname),
        handler: 'CacheFirst',
        options: { cacheName: 'rlab-models-and-data', expiration: { maxEntries: 400 }, cacheableResponse: { statuses: [0, 200] } },
      },
      {
        // the lists of models and data sets: fresh when online, the cached copy offline
        urlPattern: ({ url, sameOrigin }) => sameOrigin && /^\/(models|data)\/index\.json$/.test(url.pathname),
        handler: 'NetworkFirst',
        options: { cacheName: 'rlab-indexes', networkTimeoutSeconds: 3 },
      },
    ],
  },
});

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
  plugins: [react(), pwa, mainThreadCheck(250)],
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
