// Builds the `daylight` command line to JavaScript: Node 20 cannot run .ts,
// and a CLI started through a TypeScript loader pays hundreds of ms per start.
import { chmodSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/** `import text from './file.css?raw'`, as Vite reads it (the collector's pages take the shared palette). */
const rawText = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

// Chunk names carry a hash: without a clean start, every build would leave the previous ones behind.
rmSync('dist/cli', { recursive: true, force: true });

await build({
  entryPoints: { daylight: 'cli/bin.ts' },
  outdir: 'dist/cli',
  // The collector is a chunk of its own, loaded by `daylight serve` only: the other commands start without it.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // A native addon, built for this Node by npm install: loaded from node_modules, never bundled.
  external: ['better-sqlite3'],
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
  plugins: [rawText],
});

// esbuild writes 0644; `npx daylight` (the README's way in) runs the file by its shebang, which needs +x.
chmodSync('dist/cli/daylight.js', 0o755);
