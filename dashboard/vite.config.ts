/**
 * `npm run build:dashboard`: the admin dashboard to dist/dashboard/, which `daylight serve` serves
 * to signed-in admins at / and /assets/* (collector/dashboard-assets.ts). Everything is a file under
 * /assets/ with a content hash in its name: no inline script or style, no data: URL, so the page
 * runs under the collector's CSP (default-src 'self').
 */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  plugins: [preact()],
  build: {
    outDir: here('../dist/dashboard'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would be data: URLs, which the CSP does not allow.
    assetsInlineLimit: 0,
    // The polyfill would be an inline script; every browser the dashboard targets has modulepreload.
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
  // `npx vite -c dashboard/vite.config.ts` while `daylight serve` runs on 8787: sign in at
  // http://localhost:5173/login, and the page reloads as the code changes.
  server: {
    proxy: Object.fromEntries(
      ['/api/', '/login', '/logout'].map((path) => [path, { target: 'http://127.0.0.1:8787' }]),
    ),
  },
});
