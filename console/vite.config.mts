import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console and GraphiQL, built into dist/console at install time and served by keygate at
 * /console (GraphiQL's page at GET /graphql for browsers). No inline script: CSP-safe output.
 */
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  publicDir: resolve(here, 'public'),
  // Production JSX and React whatever NODE_ENV the caller has (jest sets `test`).
  oxc: { jsx: { runtime: 'automatic', development: false } },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: resolve(here, '../dist/console'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { console: resolve(here, 'index.html'), graphiql: resolve(here, 'graphiql.html') },
      // GraphiQL's dependencies mark themselves "use client" (a server-components hint): meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
