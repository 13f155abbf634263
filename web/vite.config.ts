/**
 * Builds web/ into web/dist: the demo page (index.html) and `belfry-bell.js`, the stable-named
 * script host pages embed. Relative base so the bundle works from any origin or path prefix.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [solid()],
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be an extra script; every supported browser has modulepreload.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs (the CSP allows files only).
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: here('index.html'), 'belfry-bell': here('src/belfry-bell.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'belfry-bell' ? 'belfry-bell.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
