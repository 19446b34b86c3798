import { build } from 'esbuild';
await build({ entryPoints: ['bench/collector-bench.ts'], bundle: true, platform: 'node', format: 'esm', outfile: 'bench/.data/collector-bench.js', external: ['playwright-core', 'selfsigned', 'autocannon', 'better-sqlite3'], banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" }, logLevel: 'error' });
