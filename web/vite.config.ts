/**
 * Builds web/ into web/dist: the demo page (index.html), `belfry-bell.js`, the stable-named script host pages
 * embed, and the scripts it imports when first needed: `belfry-settings.js` (the settings view) and
 * `belfry-de.js` (German strings). Relative base
 * so the bundle works from any origin or path prefix.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Modules of the scripts the bell fetches later (the settings view, the German strings): they ship in
 * belfry-settings.js and belfry-de.js, everything else the bell needs in belfry-bell.js.
 */
const lazyOnly = /\/web\/src\/(components\/Settings\.tsx|preferences\.ts|preferences-api\.ts|i18n-settings\.ts|i18n-de\.ts)$/;
/** The demo page's own modules: they ship in its script. */
const demoOnly = /\/web\/src\/demo(-api)?\.ts$/;

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [solid()],
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // No preload helper: the one lazily loaded script is imported by URL (see Panel.tsx), and every module it
    // shares with the bell is already loaded with the bell.
    modulePreload: false,
    // Never inline assets as data: URLs (the CSP allows files only).
    assetsInlineLimit: 0,
    rollupOptions: {
      // belfry-settings.js must keep its export for the bell to import it.
      preserveEntrySignatures: 'allow-extension',
      input: {
        index: here('index.html'),
        'belfry-bell': here('src/belfry-bell.ts'),
        'belfry-settings': here('src/components/Settings.tsx'),
        'belfry-de': here('src/i18n-de.ts'),
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name.startsWith('belfry-') ? '[name].js' : 'assets/[name]-[hash].js',
        // Shared code joins the bell's own file, so a host page loads one script (two once settings open).
        manualChunks: (id) =>
          id.includes('/node_modules/solid-js/') || (id.includes('/web/src/') && !lazyOnly.test(id) && !demoOnly.test(id))
            ? 'belfry-bell'
            : undefined,
      },
    },
  },
});
