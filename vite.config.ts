import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { cspDevHeader, cspHeader, cspMeta } from './src/security/csp';
import { h5wasmWasmFile } from './tools/h5wasm-wasm-file';

// Cross-origin isolation lets the input array be shared with every worker through one
// SharedArrayBuffer instead of one copy per worker. Hosts that can't send these headers still work:
// the workers then each get their own copy (src/workers/client.ts, sharingMode()).
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The CSP as a <meta> tag, first in <head> of the built page, for static hosts without headers. */
function cspMetaTag(): Plugin {
  return {
    name: 'h5squeeze-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: cspMeta() },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * Characters beyond Latin-1 in the built JavaScript become \u escapes. V8 keeps a script's source one
 * byte per character only when every character fits in Latin-1: the sweep worker's bundle (4.6 M
 * characters while h5wasm's wasm was in it as a string) had 51 others (ε, ≤, …, ’ in messages), so each
 * copy of its source took twice the memory, in each worker. This runs on the minified output, where such
 * characters only sit in string, template and regex literals (or comments), and \uXXXX means the same
 * character there.
 */
function latin1Source(): Plugin {
  return {
    name: 'h5squeeze-latin1-source',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle))
        if (file.type === 'chunk')
          file.code = file.code.replace(
            /[\u0100-\uffff]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
          );
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [
    h5wasmWasmFile(),
    react(),
    cspMetaTag(),
    latin1Source(),
    // Offline: a Workbox service worker precaches the build (shell, workers, wasm, plugin .so files)
    // and nothing else: no runtime caching, so no request the app makes at run time (and no user
    // data, which never leaves the page anyway) is ever stored. A new build waits until the user
    // reloads from the notice (src/pwa/AppNotices.tsx), so a running sweep is never thrown away.
    mode !== 'test' &&
      VitePWA({
        registerType: 'prompt',
        injectRegister: false,
        includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
        manifest: {
          name: 'h5squeeze — how small can your arrays get?',
          short_name: 'h5squeeze',
          description:
            'See how small your big numeric arrays can get on disk, and at what cost in accuracy. Runs offline; your data never leaves the machine.',
          start_url: '/',
          scope: '/',
          display: 'standalone',
          background_color: '#ffffff',
          theme_color: '#2b6cb0',
          icons: [
            { src: 'pwa-192.png', sizes: '192x192', type: 'image/png' },
            { src: 'pwa-512.png', sizes: '512x512', type: 'image/png' },
            { src: 'pwa-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
        },
        workbox: {
          globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,so,wasm}'],
          // h5wasm's wasm is 3.5 MB; the plugin codecs are up to 0.9 MB each.
          maximumFileSizeToCacheInBytes: 16 * 2 ** 20,
          navigateFallback: 'index.html',
          cleanupOutdatedCaches: true,
          runtimeCaching: [],
        },
        devOptions: { enabled: false },
      }),
  ],
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
  worker: { format: 'es', plugins: () => [h5wasmWasmFile(), latin1Source()] },
  server: {
    headers: { ...ISOLATION_HEADERS, ...SECURITY_HEADERS, 'Content-Security-Policy': cspDevHeader() },
  },
  preview: {
    headers: { ...ISOLATION_HEADERS, ...SECURITY_HEADERS, 'Content-Security-Policy': cspHeader() },
  },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/interop/**/*.test.ts'],
    setupFiles: ['tests/setup/poison-released.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
}));
