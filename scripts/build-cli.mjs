// Builds the `daylight` command line to JavaScript: Node 20 cannot run .ts,
// and a CLI started through a TypeScript loader pays hundreds of ms per start.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/bin.ts'],
  outfile: 'dist/cli/daylight.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
