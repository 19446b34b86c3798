/**
 * Writes the URL log `daylight preview` is timed on (bundled by bench/run.mjs):
 *
 *   node bench/.data/gen-log.js OUT [LINES]
 *
 * The log is generated once: a sidecar OUT.meta.json records what produced
 * it (a hash of this bundle, which holds the generator, the catalog and the
 * default policy), and a log whose meta still matches is kept. The meta also holds how
 * many lines decide() finds AI, so run.mjs can check the CLI's answer end to
 * end. Prints the meta as one JSON line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../lib/policy/bundled';
import { decide } from '../lib/policy/decide';
import { parsePolicy } from '../lib/policy/validate';
import { generateUrls } from './urls';

const SEED = 0x10c_0001;

interface LogMeta {
  /** SHA-256 of this script's bundle: any change to generator, catalog or decide() regenerates the log. */
  readonly bundleHash: string;
  readonly seed: number;
  readonly lines: number;
  readonly bytes: number;
  readonly aiUrls: number;
}

function readMeta(path: string): LogMeta | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LogMeta;
  } catch {
    return null;
  }
}

function main(): void {
  const [out, linesArg] = process.argv.slice(2);
  if (out === undefined) throw new Error('usage: gen-log.js OUT [LINES]');
  const lines = linesArg === undefined ? 1_000_000 : Number(linesArg);
  const metaPath = `${out}.meta.json`;
  const bundleHash = createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex');

  const old = readMeta(metaPath);
  if (
    old !== null &&
    old.bundleHash === bundleHash &&
    old.seed === SEED &&
    old.lines === lines &&
    existsSync(out) &&
    statSync(out).size === old.bytes
  ) {
    process.stdout.write(`${JSON.stringify({ ...old, reused: true })}\n`);
    return;
  }

  const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
  if (!parsed.ok) throw new Error('the default policy does not parse');
  process.stderr.write(`[bench] writing ${lines} URLs to ${out}\n`);

  const urls = generateUrls(BUNDLED_CATALOG, lines, SEED);
  let aiUrls = 0;
  for (const u of urls) if (decide(parsed.index, u).tool !== null) aiUrls++;
  // ~80 MB as one string is well within V8's limit and simpler than streaming.
  const text = `${urls.join('\n')}\n`;
  writeFileSync(out, text);
  const bytes = Buffer.byteLength(text);

  const meta: LogMeta = {
    bundleHash,
    seed: SEED,
    lines,
    bytes,
    aiUrls,
  };
  writeFileSync(metaPath, `${JSON.stringify(meta)}\n`);
  process.stdout.write(`${JSON.stringify({ ...meta, reused: false })}\n`);
}

main();
