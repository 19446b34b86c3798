/**
 * In-process part of `npm run bench` (bundled by bench/run.mjs, run with
 * --expose-gc): per-URL cost of decide() against the WHATWG parse it cannot
 * avoid, a naive linear scan and Ghostery's adblock engine; compile time and
 * index size. Progress goes to stderr, the results as one JSON line to stdout.
 *
 * Exits non-zero when the engines disagree on what is AI (a broken matcher),
 * never because a speed target is missed: that is run.mjs's table to report.
 */
import { gzipSync } from 'node:zlib';
import { FiltersEngine, Request } from '@ghostery/adblocker';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../lib/policy/bundled';
import type { Catalog } from '../lib/policy/catalog';
import { checkPattern, pathMatches } from '../lib/policy/pattern';
import { compile, loadIndex, serializeIndex, type PolicyIndex } from '../lib/policy/compile';
import { decide, decideUrl } from '../lib/policy/decide';
import { scanSimpleWebUrl } from '../lib/policy/simple-url';
import { parsePolicy } from '../lib/policy/validate';
import { isIpHost, normalizePath, stripTrailingDots } from '../lib/policy/url';
import { flatten, generateUrls } from './urls';

const URL_COUNT = 100_000;
const URL_SEED = 0x5eed_0001;
const WARMUP_ROUNDS = 2;
const MEASURED_ROUNDS = 11;
const COMPILE_WARMUP = 5;
const COMPILE_RUNS = 25;

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** Exposed by --expose-gc; collecting between passes keeps one pass's garbage out of the next one's time. */
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function timeMs(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// ---------------------------------------------------------------------------
// The four ways to answer "is this URL an AI tool?"

/** (a) The floor: every matcher has to parse the URL and read its host and path. */
function passNewUrl(urls: readonly string[]): number {
  let checksum = 0;
  for (const u of urls) {
    const url = new URL(u);
    checksum += url.hostname.length + url.pathname.length;
  }
  return checksum;
}

/** (b) decide() on the compiled index; counts URLs that name a tool. */
function passDecide(index: PolicyIndex, urls: readonly string[]): number {
  let matches = 0;
  for (const u of urls) if (decide(index, u).tool !== null) matches++;
  return matches;
}

/**
 * (b') decide() as if every URL needed the full WHATWG parse (the simple-URL
 * fast path off): what upper-case, IDN or otherwise unusual URLs cost.
 */
function passDecideFullParse(index: PolicyIndex, urls: readonly string[]): number {
  let matches = 0;
  for (const u of urls) if (decideUrl(index, new URL(u)).tool !== null) matches++;
  return matches;
}

interface NaivePattern {
  readonly tool: string;
  readonly host: string;
  /** `.host`, precomputed so the subdomain test is one endsWith. */
  readonly dotHost: string;
  readonly path: string;
  readonly labels: number;
}

/**
 * The patterns in entry order. With the default policy (no sanctioned entries,
 * no policy tools) the entries are exactly the catalog's tools, in order.
 */
function naivePatterns(catalog: Catalog): NaivePattern[] {
  const patterns: NaivePattern[] = [];
  for (const tool of catalog.tools) {
    for (const pattern of tool.match) {
      const check = checkPattern(pattern);
      if (!check.ok) continue;
      const { host, path } = check.pattern;
      patterns.push({ tool: tool.id, host, dotHost: `.${host}`, path, labels: host.split('.').length });
    }
  }
  return patterns;
}

/**
 * (c) What one would write without an index: test every pattern of every
 * tool. Same normalization as decide() (it shares lib/url), and the same
 * "most specific wins" rule of docs/spec/policy-format.md "Deciding a URL" step 4 —
 * more host labels, then the longer path, then the earlier entry — so the
 * tool ids can be compared URL by URL, not just "matched or not".
 */
function naiveScan(patterns: readonly NaivePattern[], input: string): string | null {
  const url = new URL(input);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = stripTrailingDots(url.hostname);
  if (host === '' || isIpHost(host)) return null;
  let path: string | null = null;
  let best: NaivePattern | null = null;
  for (const p of patterns) {
    if (host !== p.host && !host.endsWith(p.dotHost)) continue;
    if (p.path !== '') {
      path ??= normalizePath(url.pathname);
      if (!pathMatches(p.path, path)) continue;
    }
    // Patterns come in entry order, so only a strictly more specific one replaces the best: earlier wins ties.
    if (best === null || p.labels > best.labels || (p.labels === best.labels && p.path.length > best.path.length)) {
      best = p;
    }
  }
  return best === null ? null : best.tool;
}

function passNaive(patterns: readonly NaivePattern[], urls: readonly string[]): number {
  let matches = 0;
  for (const u of urls) if (naiveScan(patterns, u) !== null) matches++;
  return matches;
}

/**
 * (d) The same patterns as adblock network filters: `||host^` matches the
 * host and its subdomains, `||host/path^` the path and what continues after a
 * separator; `$document` limits them to top-level navigations, as Daylight is.
 */
function ghosteryFilters(catalog: Catalog): string {
  const lines: string[] = [];
  for (const tool of catalog.tools) {
    for (const pattern of tool.match) {
      const check = checkPattern(pattern);
      if (check.ok) lines.push(`||${check.pattern.host}${check.pattern.path}^$document`);
    }
  }
  return lines.join('\n');
}

/** A top-level navigation, as an extension hands it to the engine from webRequest/webNavigation. */
function ghosteryMatches(engine: FiltersEngine, url: string): boolean {
  return engine.match(Request.fromRawDetails({ url, type: 'main_frame' })).match;
}

function passGhostery(engine: FiltersEngine, urls: readonly string[]): number {
  let matches = 0;
  for (const u of urls) if (ghosteryMatches(engine, u)) matches++;
  return matches;
}

// ---------------------------------------------------------------------------

interface Method {
  readonly name: 'newUrl' | 'decide' | 'decideFullParse' | 'naive' | 'ghostery';
  readonly pass: (urls: readonly string[]) => number;
  readonly samplesMs: number[];
  result: number | null;
}

/**
 * Interleaves the methods round by round (after warm-up rounds for the JIT),
 * so drift in CPU frequency or background load spreads over all of them
 * instead of favouring whichever ran first.
 */
function measurePerUrl(methods: readonly Method[], urls: readonly string[]): void {
  for (let round = 0; round < WARMUP_ROUNDS + MEASURED_ROUNDS; round++) {
    for (const method of methods) {
      gc();
      let result = 0;
      const ms = timeMs(() => {
        result = method.pass(urls);
      });
      // Every pass does the same work; a different answer means something is nondeterministic.
      if (method.result !== null && method.result !== result) {
        throw new Error(`${method.name}: pass ${round} returned ${result}, earlier passes ${method.result}`);
      }
      method.result = result;
      if (round >= WARMUP_ROUNDS) method.samplesMs.push(ms);
    }
    log(`round ${round + 1}/${WARMUP_ROUNDS + MEASURED_ROUNDS}${round < WARMUP_ROUNDS ? ' (warm-up)' : ''}`);
  }
}

interface Disagreement {
  readonly url: string;
  readonly decide: string | null;
  readonly other: string | boolean | null;
}

function main(): void {
  // Cold first: this is what a service worker pays when it has no stored index.
  let parsed: ReturnType<typeof parsePolicy> | undefined;
  const parsePolicyColdMs = timeMs(() => {
    parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
  });
  if (parsed === undefined || !parsed.ok) throw new Error('the default policy does not parse');
  const { policy, index } = parsed;
  if (policy.tools.length > 0 || policy.sanctioned.length > 0 || policy.catalog !== 'bundled') {
    throw new Error('the naive scan models the default policy: bundled catalog, no policy tools or sanctioned entries');
  }

  log('compile: warm-up and runs');
  for (let i = 0; i < COMPILE_WARMUP; i++) compile(policy, BUNDLED_CATALOG);
  const compileMs: number[] = [];
  for (let i = 0; i < COMPILE_RUNS; i++) {
    gc();
    compileMs.push(timeMs(() => compile(policy, BUNDLED_CATALOG)));
  }
  const serialized = serializeIndex(index);
  const loadMs: number[] = [];
  for (let i = 0; i < COMPILE_WARMUP + COMPILE_RUNS; i++) {
    const ms = timeMs(() => {
      if (loadIndex(JSON.parse(serialized)) === null) throw new Error('loadIndex rejected a fresh index');
    });
    if (i >= COMPILE_WARMUP) loadMs.push(ms);
  }

  log(`generating ${URL_COUNT} URLs`);
  const urls = flatten(generateUrls(BUNDLED_CATALOG, URL_COUNT, URL_SEED));

  const patterns = naivePatterns(BUNDLED_CATALOG);
  const filters = ghosteryFilters(BUNDLED_CATALOG);
  let engine: FiltersEngine | undefined;
  const ghosteryBuildMs = timeMs(() => {
    engine = FiltersEngine.parse(filters, { loadCosmeticFilters: false, loadNetworkFilters: true });
  });
  if (engine === undefined) throw new Error('Ghostery engine not built');
  const ghostery = engine;

  // Correctness before speed: URL by URL, outside the timed passes.
  log('cross-checking decide() against the naive scan and Ghostery');
  const naiveDisagreements: Disagreement[] = [];
  const ghosteryDisagreements: Disagreement[] = [];
  const toolCounts = new Map<string, number>();
  for (const u of urls) {
    const tool = decide(index, u).tool;
    if (tool !== null) toolCounts.set(tool, (toolCounts.get(tool) ?? 0) + 1);
    const naive = naiveScan(patterns, u);
    if (naive !== tool) naiveDisagreements.push({ url: u, decide: tool, other: naive });
    const blocked = ghosteryMatches(ghostery, u);
    if (blocked !== (tool !== null)) ghosteryDisagreements.push({ url: u, decide: tool, other: blocked });
  }

  log(`timing ${URL_COUNT} URLs x ${WARMUP_ROUNDS} warm-up + ${MEASURED_ROUNDS} measured rounds`);
  const methods: Method[] = [
    { name: 'newUrl', pass: passNewUrl, samplesMs: [], result: null },
    { name: 'decide', pass: (list) => passDecide(index, list), samplesMs: [], result: null },
    { name: 'decideFullParse', pass: (list) => passDecideFullParse(index, list), samplesMs: [], result: null },
    { name: 'naive', pass: (list) => passNaive(patterns, list), samplesMs: [], result: null },
    { name: 'ghostery', pass: (list) => passGhostery(ghostery, list), samplesMs: [], result: null },
  ];
  measurePerUrl(methods, urls);

  const perUrl = Object.fromEntries(
    methods.map((m) => [
      m.name,
      {
        nsPerUrl: (median(m.samplesMs) * 1e6) / urls.length,
        samplesMs: m.samplesMs,
        // The floor's result is a checksum, not a match count.
        matches: m.name === 'newUrl' ? null : m.result,
      },
    ]),
  );
  const aiUrls = [...toolCounts.values()].reduce((a, b) => a + b, 0);
  const topTools = [...toolCounts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);

  const result = {
    urls: {
      count: urls.length,
      seed: URL_SEED,
      aiUrls,
      aiShare: aiUrls / urls.length,
      distinctTools: toolCounts.size,
      simpleShare: urls.filter((u) => scanSimpleWebUrl(u) !== null).length / urls.length,
      topTools,
    },
    rounds: { warmup: WARMUP_ROUNDS, measured: MEASURED_ROUNDS },
    perUrl,
    crossCheck: {
      naiveDisagreements: naiveDisagreements.length,
      naiveExamples: naiveDisagreements.slice(0, 5),
      ghosteryDisagreements: ghosteryDisagreements.length,
      ghosteryExamples: ghosteryDisagreements.slice(0, 5),
    },
    compile: {
      catalogTools: BUNDLED_CATALOG.tools.length,
      patterns: patterns.length,
      medianMs: median(compileMs),
      runs: COMPILE_RUNS,
      samplesMs: compileMs,
      parsePolicyColdMs,
      loadIndexMedianMs: median(loadMs),
    },
    index: {
      hosts: index.hosts.size,
      bytes: Buffer.byteLength(serialized),
      gzipBytes: gzipSync(serialized).length,
    },
    ghostery: { filters: patterns.length, buildMs: ghosteryBuildMs },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  if (naiveDisagreements.length > 0) {
    log(`BROKEN: decide() and the naive scan disagree on ${naiveDisagreements.length} URLs`);
    process.exitCode = 1;
  }
  if (perUrl.ghostery?.matches === 0 || aiUrls === 0) {
    log('BROKEN: a matcher matched nothing');
    process.exitCode = 1;
  }
}

main();
