import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  test: {
    projects: [
      {
        // WxtVitest does not apply wxt.config.ts's Vite plugins (docs/browsers.md "Build and unit tests"), so preact is added here too.
        plugins: [WxtVitest(), preact()],
        test: {
          name: 'unit',
          // Vitest empties CSS files by default; the banner and the collector's pages read the palette as text.
          css: { include: [/components\/palette\.css/] },
          include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
          exclude: ['tests/e2e/**', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        // Real browsers with the built extension: Chromium (.output/chrome-mv3) and Firefox ESR (.output/firefox-mv3),
        // both built by `npm test`. No WxtVitest: these tests drive the browser from Node and must not see the fake
        // `browser` global.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          globalSetup: ['tests/e2e/support/global-setup.ts'],
          // One file at a time: each starts a browser (2 cores here), and managed-policy files are machine-wide.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
