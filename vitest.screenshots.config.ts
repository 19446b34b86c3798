import { defineConfig } from 'vitest/config';

// `npm run screenshots` only: renders docs/screenshots/ (tests/screenshots). Never part of `npm test`.
export default defineConfig({
  test: {
    name: 'screenshots',
    environment: 'node',
    include: ['tests/screenshots/**/*.shot.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
