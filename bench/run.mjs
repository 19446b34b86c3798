// `npm run bench` (after scripts/build-cli.mjs has built dist/cli/daylight.js):
// bundles the TypeScript parts of the benchmark, runs them, times the CLI as
// whole processes, loads the collector (`daylight serve`) with autocannon, times its dashboard API over a year of
// counts, builds the extension (`wxt build`), measures its bundles
// and times the nudge in headless Chromium, prints one table and writes
// bench/.data/results.json.
//
// Missing a speed or size target is reported, not fatal: the exit code is 0.
// A broken measurement is fatal (exit 1): engines that disagree on which URLs
// are AI, a matcher that matches nothing, a CLI run that fails or miscounts,
// an extension that does not build, a navigation that does not end on the
// nudge page, a request that reaches an AI site. A fast wrong answer is not a
// result.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleSizes } from './bundle-sizes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, 'bench', '.data');
const CLI = path.join(ROOT, 'dist', 'cli', 'daylight.js');
const LOG = path.join(DATA, 'log-1m.txt');
const BUILD = path.join(ROOT, '.output', 'chrome-mv3');
/** A copy of the fresh build, so that another `wxt build` (npm test) cannot swap files under Chromium meanwhile. */
const EXTENSION = path.join(DATA, 'chrome-mv3');
const LOG_LINES = 1_000_000;
const PREVIEW_RUNS = 5;
const STARTUP_RUNS = 10;

const TARGETS = {
  decideVsNewUrl: 1.5, // decide() costs at most 1.5x the bare WHATWG parse
  ghosteryVsDecide: 5, // a general adblock engine is at least 5x slower
  compileMs: 50,
  previewVsPlain: 1.5,
  nudgeMedianMs: 100, // page.goto(<AI tool URL>) until the nudge page shows its heading
  collectorReportsPerSecond: 5000, // POST /v1/reports accepted, load generator on the same 2 cores
  collectorP99Ms: 50,
  collectorUnderSlowBodies: 0.95, // reports/s beside 1,024 slow-body connections ÷ reports/s without
  dashboardP99Ms: 100, // GET /api/v1/dashboard, every view, over about a million aggregate rows
  rebuildAckGapMs: 100, // the longest time between two acknowledged reports while shown rows are made or days pruned
  contentScriptBytes: 15_000, // raw, per content script
};

/** Problems that make the numbers meaningless; any of them fails the run. */
const broken = [];

const progress = (message) => process.stderr.write(`[bench] ${message}\n`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `node ...args` to completion; stdout is captured only when asked (otherwise discarded, like > /dev/null). */
function runNode(args, { capture = false, allowFailure = false } = {}) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const ms = performance.now() - start;
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`node ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  }
  return { ms, status: result.status, stdout: result.stdout ?? '', stderr: result.stderr };
}

/**
 * Times several commands round-robin (one untimed warm-up round first, which
 * also brings the log into the page cache), so background noise and CPU
 * frequency drift hit all of them alike. Returns the median wall time of each.
 */
function timeProcesses(commands, runs) {
  const samples = commands.map(() => []);
  for (let round = -1; round < runs; round++) {
    commands.forEach((args, i) => {
      const { ms } = runNode(args);
      if (round >= 0) samples[i].push(ms);
    });
  }
  return samples.map((s) => ({ medianMs: median(s), samplesMs: s }));
}

const lastJsonLine = (text) => JSON.parse(text.trim().split('\n').at(-1));

// ---------------------------------------------------------------------------

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run bench\`, which builds it first`);
mkdirSync(DATA, { recursive: true });
progress('bundling the TypeScript parts of the benchmark (bench/*-bench.ts, bench/gen-log.ts)');
await build({
  absWorkingDir: ROOT,
  entryPoints: [
    'bench/decide-bench.ts',
    'bench/gen-log.ts',
    'bench/nudge-bench.ts',
    'bench/collector-bench.ts',
    'bench/dashboard-bench.ts',
    'bench/storage-bench.ts',
    'bench/bound-bench.ts',
  ],
  outdir: 'bench/.data',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Unminified on purpose: readable stacks and --cpu-prof profiles.
  minify: false,
  // The e2e harness drives Chromium through these; they load from node_modules as they are. better-sqlite3 is a
  // native addon, and autocannon spreads over files it requires at run time.
  external: ['playwright-core', 'selfsigned', 'autocannon', 'better-sqlite3'],
  logLevel: 'warning',
});

const machine = {
  node: process.version,
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
  cores: os.cpus().length,
  platform: `${os.platform()} ${os.arch()}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
};

// 1 and 2: per-URL cost, match counts, compile time and index size.
progress('in-process measurements (about 30 s)');
const micro = runNode(['--expose-gc', path.join(DATA, 'decide-bench.js')], { capture: true, allowFailure: true });
process.stderr.write(micro.stderr);
if (micro.status !== 0 && !micro.stdout.trim().startsWith('{')) {
  throw new Error(`bench/decide-bench.ts crashed (exit ${micro.status})`);
}
const inProcess = lastJsonLine(micro.stdout);
if (inProcess.crossCheck.naiveDisagreements > 0) {
  broken.push(`decide() and the naive scan disagree on ${inProcess.crossCheck.naiveDisagreements} URLs`);
}
for (const [name, { matches }] of Object.entries(inProcess.perUrl)) {
  if (matches === 0) broken.push(`${name} matched none of the URLs`);
}
if (micro.status !== 0 && broken.length === 0) broken.push(`decide-bench exited with ${micro.status}`);

// 3: the CLI against a plain read-and-parse, as whole processes.
progress(`preparing the ${LOG_LINES.toLocaleString('en-US')}-line log`);
const logMeta = lastJsonLine(
  runNode([path.join(DATA, 'gen-log.js'), LOG, String(LOG_LINES)], { capture: true }).stdout,
);
const logBytes = statSync(LOG).size;

// One checked run of each before timing: the CLI must find the AI lines decide() found in-process.
const previewReport = JSON.parse(runNode([CLI, 'preview', '--format', 'json', LOG], { capture: true }).stdout);
const cliAiUrls = previewReport.rows.filter((row) => row.tool !== null).reduce((sum, row) => sum + row.urls, 0);
if (previewReport.totalUrls !== LOG_LINES || previewReport.invalidUrls !== 0) {
  broken.push(
    `daylight preview read ${previewReport.totalUrls} URLs (${previewReport.invalidUrls} invalid), not ${LOG_LINES}`,
  );
}
if (cliAiUrls !== logMeta.aiUrls) {
  broken.push(`daylight preview found ${cliAiUrls} AI URLs, decide() in-process ${logMeta.aiUrls}`);
}
const plainCheck = lastJsonLine(runNode([path.join(ROOT, 'bench', 'plain-parse.mjs'), LOG], { capture: true }).stdout);
if (plainCheck.urls !== LOG_LINES) broken.push(`plain-parse.mjs parsed ${plainCheck.urls} URLs, not ${LOG_LINES}`);

progress(`timing daylight preview vs plain-parse.mjs, ${PREVIEW_RUNS} runs each`);
const [previewTime, plainTime] = timeProcesses(
  [
    [CLI, 'preview', LOG],
    [path.join(ROOT, 'bench', 'plain-parse.mjs'), LOG],
  ],
  PREVIEW_RUNS,
);

progress(`timing startup, ${STARTUP_RUNS} runs each`);
const [checkTime, nodeTime] = timeProcesses(
  [
    [CLI, 'check', 'https://chatgpt.com/'],
    ['-e', '0'],
  ],
  STARTUP_RUNS,
);

// 4: the collector under load: `daylight serve` in its own process, autocannon in another.
progress('loading the collector with autocannon, then beside slow bodies (about 30 s)');
const collectorRun = runNode([path.join(DATA, 'collector-bench.js')], { capture: true, allowFailure: true });
process.stderr.write(collectorRun.stderr);
const collector = collectorRun.stdout.trim().startsWith('{') ? lastJsonLine(collectorRun.stdout) : null;
if (collector === null)
  broken.push(`bench/collector-bench.ts failed (exit ${collectorRun.status}); its error is above`);
else if (collectorRun.status !== 0) {
  broken.push(
    `the collector answered ${collector.failures} reports with errors or other than 202, or stored ` +
      `${collector.storedBatches} batches for ${collector.accepted} answers 202`,
  );
}

// 4b: the dashboard's API over a year of a large fleet, in process.
progress('timing the dashboard API over about a million aggregate rows (about 35 s)');
const dashboardRun = runNode([path.join(DATA, 'dashboard-bench.js')], { capture: true, allowFailure: true });
process.stderr.write(dashboardRun.stderr);
const dashboard = dashboardRun.stdout.trim().startsWith('{') ? lastJsonLine(dashboardRun.stdout) : null;
if (dashboard === null)
  broken.push(`bench/dashboard-bench.ts failed (exit ${dashboardRun.status}); its error is above`);
else broken.push(...dashboard.problems.map((problem) => `dashboard API: ${problem}`));

// 4c: the database's bytes per million reports.
progress('storing a million reports through the store (about 70 s)');
const storageRun = runNode([path.join(DATA, 'storage-bench.js')], { capture: true, allowFailure: true });
process.stderr.write(storageRun.stderr);
const storage = storageRun.stdout.trim().startsWith('{') ? lastJsonLine(storageRun.stdout) : null;
if (storage === null) broken.push(`bench/storage-bench.ts failed (exit ${storageRun.status}); its error is above`);

// 4d: the dashboard at the bound of groups and revisions a collector takes without lists of them.
progress('flooding a collector with made-up groups and revisions (about 10 s)');
const boundRun = runNode([path.join(DATA, 'bound-bench.js')], { capture: true, allowFailure: true });
process.stderr.write(boundRun.stderr);
const bound = boundRun.stdout.trim().startsWith('{') ? lastJsonLine(boundRun.stdout) : null;
if (bound === null) broken.push(`bench/bound-bench.ts failed (exit ${boundRun.status}); its error is above`);
else if (boundRun.status !== 0) broken.push(`bench/bound-bench.ts: ${bound.taken} reports of new groups taken`);

// 5: the extension, built fresh: the nudge in headless Chromium, then bundle sizes.
progress('building the extension (wxt build)');
const wxtStart = performance.now();
const wxtBuild = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'wxt'), ['build'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
const wxtBuildMs = performance.now() - wxtStart;
let sizes = null;
let nudge = null;
if (wxtBuild.error !== undefined || wxtBuild.status !== 0) {
  process.stderr.write(`${wxtBuild.stdout ?? ''}${wxtBuild.stderr ?? ''}`);
  broken.push(`wxt build failed (${wxtBuild.error?.message ?? `exit ${wxtBuild.status}`}): no extension to measure`);
} else {
  rmSync(EXTENSION, { recursive: true, force: true });
  cpSync(BUILD, EXTENSION, { recursive: true });

  progress('timing the nudge in headless Chromium (about 10 s)');
  const run = runNode([path.join(DATA, 'nudge-bench.js'), EXTENSION], { capture: true, allowFailure: true });
  process.stderr.write(run.stderr);
  if (run.stdout.trim().startsWith('{')) nudge = lastJsonLine(run.stdout);
  if (nudge === null) broken.push(`bench/nudge-bench.ts failed (exit ${run.status}); its error is above`);
  else if (nudge.requestsToAiSites > 0) {
    broken.push(
      `${nudge.requestsToAiSites} requests reached the fake AI sites during the nudge navigations, ` +
        `first: ${nudge.leakedExamples.join(', ')}`,
    );
  } else if (run.status !== 0) broken.push(`bench/nudge-bench.ts exited with ${run.status}`);

  try {
    sizes = await bundleSizes(EXTENSION, nudge?.registeredContentScripts ?? []);
  } catch (error) {
    broken.push(`bundle sizes: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------------------------------------------------------------------
// Report.

const { perUrl, crossCheck, compile, index, urls, ghostery } = inProcess;
const ratios = {
  decideVsNewUrl: perUrl.decide.nsPerUrl / perUrl.newUrl.nsPerUrl,
  ghosteryVsDecide: perUrl.ghostery.nsPerUrl / perUrl.decide.nsPerUrl,
  naiveVsDecide: perUrl.naive.nsPerUrl / perUrl.decide.nsPerUrl,
  previewVsPlain: previewTime.medianMs / plainTime.medianMs,
};
const pass = {
  decideVsNewUrl: ratios.decideVsNewUrl <= TARGETS.decideVsNewUrl,
  ghosteryVsDecide: ratios.ghosteryVsDecide >= TARGETS.ghosteryVsDecide,
  compileMs: compile.medianMs <= TARGETS.compileMs,
  previewVsPlain: ratios.previewVsPlain <= TARGETS.previewVsPlain,
  // null: not measured (no build, a failed run, no content script yet).
  nudgeMedianMs: nudge?.heading == null ? null : nudge.heading.medianMs <= TARGETS.nudgeMedianMs,
  collectorReportsPerSecond:
    collector === null ? null : collector.reportsPerSecond >= TARGETS.collectorReportsPerSecond,
  collectorP99Ms: collector === null ? null : collector.latencyMs.p99 <= TARGETS.collectorP99Ms,
  collectorUnderSlowBodies:
    collector === null
      ? null
      : collector.underSlowBodies.reportsPerSecond / collector.reportsPerSecond >= TARGETS.collectorUnderSlowBodies,
  dashboardP99Ms: dashboard === null ? null : dashboard.views.every((view) => view.p99 <= TARGETS.dashboardP99Ms),
  rebuildAckGapMs: dashboard === null ? null : dashboard.rebuildAckGapMs <= TARGETS.rebuildAckGapMs,
  pruneAckGapMs: dashboard === null ? null : dashboard.pruneAckGapMs <= TARGETS.rebuildAckGapMs,
  contentScriptBytes:
    sizes === null || sizes.contentScripts.length === 0
      ? null
      : sizes.contentScripts.every((script) => script.bytes <= TARGETS.contentScriptBytes),
};

const int = (n) => Math.round(n).toLocaleString('en-US');
const ns = (n) => `${int(n)} ns`;
const ms = (n) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const x = (n) => `${n.toFixed(2)}x`;
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

const rows = [
  [
    `Per URL: ${int(urls.count)} URLs, median of ${inProcess.rounds.measured} rounds after ${inProcess.rounds.warmup} warm-up`,
  ],
  ['new URL() + .hostname/.pathname (floor)', ns(perUrl.newUrl.nsPerUrl), '', ''],
  ['decide(index, url)', ns(perUrl.decide.nsPerUrl), '', ''],
  [
    '  URLs the simple-URL scan read (host without full parse)',
    `${(urls.simpleShare * 100).toFixed(1)}% of URLs`,
    '',
    'info',
  ],
  ['decide() with the full WHATWG parse, every URL', ns(perUrl.decideFullParse.nsPerUrl), '', 'info'],
  ['naive linear scan of all patterns', ns(perUrl.naive.nsPerUrl), '', ''],
  ['Ghostery FiltersEngine.match', ns(perUrl.ghostery.nsPerUrl), '', ''],
  ['decide / new URL', x(ratios.decideVsNewUrl), `<= ${TARGETS.decideVsNewUrl}x`, verdict(pass.decideVsNewUrl)],
  ['Ghostery / decide', x(ratios.ghosteryVsDecide), `>= ${TARGETS.ghosteryVsDecide}x`, verdict(pass.ghosteryVsDecide)],
  ['naive / decide', x(ratios.naiveVsDecide), '', 'info'],
  [`Matches on the same ${int(urls.count)} URLs`],
  ['decide: URLs naming a tool', `${int(perUrl.decide.matches)} (${(urls.aiShare * 100).toFixed(2)}%)`, '', 'info'],
  [
    'naive scan: same tool id, URL by URL',
    int(perUrl.naive.matches),
    '= decide',
    crossCheck.naiveDisagreements === 0 ? 'OK' : `BROKEN (${crossCheck.naiveDisagreements} differ)`,
  ],
  [
    'Ghostery: matched',
    int(perUrl.ghostery.matches),
    '~ decide',
    perUrl.ghostery.matches === 0
      ? 'BROKEN'
      : `${crossCheck.ghosteryDisagreements === 0 ? 'OK' : 'DIFF'} (${crossCheck.ghosteryDisagreements} differ)`,
  ],
  [`Compile: ${int(compile.catalogTools)} tools, ${int(compile.patterns)} patterns, default policy`],
  [`compile(), median of ${compile.runs}`, ms(compile.medianMs), `<= ${TARGETS.compileMs} ms`, verdict(pass.compileMs)],
  ['parsePolicy() first call in a fresh process', ms(compile.parsePolicyColdMs), '', 'info'],
  ['loadIndex(JSON.parse(stored index)), median', ms(compile.loadIndexMedianMs), '', 'info'],
  ['Ghostery FiltersEngine.parse, same patterns', ms(ghostery.buildMs), '', 'info'],
  [`serialized index (${int(index.hosts)} hosts)`, `${int(index.bytes)} B`, '', 'info'],
  ['serialized index, gzip', `${int(index.gzipBytes)} B`, '', 'info'],
  [`daylight preview: ${int(LOG_LINES)} lines (${(logBytes / 1e6).toFixed(0)} MB), median of ${PREVIEW_RUNS}`],
  ['daylight preview (whole process)', ms(previewTime.medianMs), '', ''],
  ['plain-parse.mjs: read + new URL()', ms(plainTime.medianMs), '', ''],
  ['preview / plain', x(ratios.previewVsPlain), `<= ${TARGETS.previewVsPlain}x`, verdict(pass.previewVsPlain)],
  [
    'AI lines found by the CLI',
    `${int(cliAiUrls)} (${((cliAiUrls / LOG_LINES) * 100).toFixed(2)}%)`,
    '= in-process',
    cliAiUrls === logMeta.aiUrls ? 'OK' : 'BROKEN',
  ],
  [`Startup: median of ${STARTUP_RUNS}`],
  ['daylight check https://chatgpt.com/', ms(checkTime.medianMs), '', ''],
  ['node -e 0', ms(nodeTime.medianMs), '', ''],
  ['CLI cost over a bare node start', ms(checkTime.medianMs - nodeTime.medianMs), '', 'info'],
  ...collectorRows(),
  ...dashboardRows(),
  ...storageRows(),
  ...boundRows(),
  ...extensionRows(),
];

function boundRows() {
  const target = `p99 <= ${TARGETS.dashboardP99Ms} ms`;
  if (bound === null) return [['Bounds'], ['dashboard at the bound', 'not measured', target, 'BROKEN']];
  return [
    [`Bounds: ${int(bound.attempts)} reports, each of a made-up group and revision, no --groups or --policy`],
    ['reports taken (the rest refused with 400)', int(bound.taken), '<= 1,000', 'info'],
    [
      `dashboard then: ${int(bound.lists.groups)} groups, ${int(bound.lists.revisions)} revisions, ${int(bound.dashboardBytes)} B; p50 / p99`,
      `${ms(bound.p50)} / ${ms(bound.p99)}`,
      target,
      verdict(bound.p99 <= TARGETS.dashboardP99Ms),
    ],
  ];
}

function storageRows() {
  if (storage === null) return [['Storage'], ['bytes per million reports', 'not measured', '', 'BROKEN']];
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return [
    [
      `Storage: ${int(storage.reports)} reports (${int(storage.devices)} devices × ${storage.days} days, ` +
        `${storage.groups} groups), ${int(storage.countRows)} count rows`,
    ],
    ['database file per million reports', mib(storage.bytesPerMillionReports), '', 'info'],
    ...storage.tables.map((table) => [`  ${table.name}`, mib(table.bytes), '', 'info']),
  ];
}

function dashboardRows() {
  const target = `p99 <= ${TARGETS.dashboardP99Ms} ms`;
  if (dashboard === null) {
    return [['Dashboard API: GET /api/v1/dashboard'], ['every view', 'not measured', target, 'BROKEN']];
  }
  const p50p99 = (view) => `${ms(view.p50)} / ${ms(view.p99)}`;
  return [
    [
      `Dashboard API: GET /api/v1/dashboard over ${int(dashboard.rows)} aggregate rows (${dashboard.days} days × ` +
        `${dashboard.groups} groups), warm, ${dashboard.rounds} requests a view; p50 / p99`,
    ],
    ...dashboard.views.map((view) => [view.name, p50p99(view), target, verdict(view.p99 <= TARGETS.dashboardP99Ms)]),
    [`${dashboard.csv.name} (${int(dashboard.csv.bytes)} B)`, p50p99(dashboard.csv), '', 'info'],
    [
      'counts written / rollups built from them (an upgrade from schema 2)',
      `${ms(dashboard.writeMs)} / ${ms(dashboard.rollupMs)}`,
      '',
      'info',
    ],
    [
      `what may be shown, made for all ${dashboard.days} days, one a transaction, from the collector's start`,
      ms(dashboard.shownMadeMs),
      '',
      'info',
    ],
    ['  the first dashboard answer, asked for 200 ms after the start', ms(dashboard.firstAnswerMs), '', 'info'],
    [
      `  meanwhile, reports on 4 connections: longest time between two acknowledgements (${int(dashboard.rebuildAcks)} acknowledged)`,
      ms(dashboard.rebuildAckGapMs),
      `<= ${TARGETS.rebuildAckGapMs} ms`,
      verdict(pass.rebuildAckGapMs),
    ],
    ['  the same with nothing to make (floor)', ms(dashboard.steadyAckGapMs), '', 'info'],
    ['  the longest one day took to make', ms(dashboard.longestDayMs), '', 'info'],
    [
      `retention of 30 days fewer: their deletion, one day a transaction (${int(dashboard.pruneAcks)} reports acknowledged meanwhile)`,
      ms(dashboard.pruneMs),
      '',
      'info',
    ],
    [
      '  meanwhile, the longest time between two acknowledgements',
      ms(dashboard.pruneAckGapMs),
      `<= ${TARGETS.rebuildAckGapMs} ms`,
      verdict(pass.pruneAckGapMs),
    ],
    ['database file', `${int(dashboard.databaseBytes / 2 ** 20)} MiB`, '', 'info'],
  ];
}

function collectorRows() {
  if (collector === null) {
    return [
      ['Collector: POST /v1/reports'],
      ['reports accepted per second', 'not measured', `>= ${int(TARGETS.collectorReportsPerSecond)}`, 'BROKEN'],
    ];
  }
  const { countsPerReport, connections, seconds, pairs } = collector;
  return [
    [
      `Collector: POST /v1/reports to daylight serve on loopback, autocannon ${connections} connections, ` +
        `${pairs} runs of ${seconds} s without the attack below, alternating with ${pairs} beside it, ` +
        `${countsPerReport.min}–${countsPerReport.max} counts per report (mean ${countsPerReport.mean.toFixed(0)}), ` +
        `a new batchId each`,
    ],
    [
      'reports accepted per second',
      int(collector.reportsPerSecond),
      `>= ${int(TARGETS.collectorReportsPerSecond)}`,
      verdict(pass.collectorReportsPerSecond),
    ],
    [
      'latency p99 (the worst run)',
      ms(collector.latencyMs.p99),
      `<= ${TARGETS.collectorP99Ms} ms`,
      verdict(pass.collectorP99Ms),
    ],
    [
      'latency median / p90 / max',
      `${collector.latencyMs.p50} / ${collector.latencyMs.p90} / ${collector.latencyMs.max} ms`,
      '',
      'info',
    ],
    [
      `beside ${int(collector.underSlowBodies.connections)} connections sending a body a byte every 2 s ` +
        `(${int(collector.underSlowBodies.opened)} opened): reports/s, ÷ without`,
      `${int(collector.underSlowBodies.reportsPerSecond)}, ` +
        `${(collector.underSlowBodies.reportsPerSecond / collector.reportsPerSecond).toFixed(2)}x`,
      `>= ${TARGETS.collectorUnderSlowBodies}x`,
      verdict(pass.collectorUnderSlowBodies),
    ],
    ['  ÷ without, run by run', collector.underSlowBodies.perPair.map((ratio) => x(ratio)).join(', '), '', 'info'],
    [
      '  server CPU per 1,000 reports accepted, without / beside the slow bodies',
      `${ms(collector.serverCpuMsPerThousand)} / ${ms(collector.underSlowBodies.serverCpuMsPerThousand)}`,
      '',
      'info',
    ],
    [
      'batches stored / answers 202',
      `${int(collector.storedBatches)} / ${int(collector.accepted)}`,
      '= (+ in flight)',
      collectorRun.status === 0 ? 'OK' : 'BROKEN',
    ],
  ];
}

function extensionRows() {
  const bytes = (group) => `${int(group.bytes)} B, gzip ${int(group.gzipBytes)} B`;
  /** "nudge.html + 2 JS + 1 CSS", and the lazy chunks left out, if any. */
  const parts = (group) => {
    const count = (ext) => group.files.filter((f) => f.file.endsWith(ext)).length;
    const html = group.files.find((f) => f.file.endsWith('.html'))?.file;
    const list = [html, count('.js') > 0 && `${count('.js')} JS`, count('.css') > 0 && `${count('.css')} CSS`];
    const lazy = group.lazy.length > 0 ? `; ${group.lazy.length} lazy chunks not counted` : '';
    return `${list.filter(Boolean).join(' + ')}${lazy}`;
  };
  const csTarget = `<= ${int(TARGETS.contentScriptBytes)} B`;
  const sizeRows =
    sizes === null
      ? [['bundle sizes', 'not measured', '', 'BROKEN']]
      : [
          [`background: ${parts(sizes.background)}`, bytes(sizes.background), '', 'info'],
          [`nudge page: ${parts(sizes.nudge)}`, bytes(sizes.nudge), '', 'info'],
          ...(sizes.popup === null ? [] : [[`popup: ${parts(sizes.popup)}`, bytes(sizes.popup), '', 'info']]),
          ...(sizes.options === null
            ? []
            : [[`options page: ${parts(sizes.options)}`, bytes(sizes.options), '', 'info']]),
          ...(sizes.contentScripts.length === 0
            ? [
                [
                  nudge === null
                    ? 'content script (none in the build; run-time registrations unknown)'
                    : 'content script (none in the build or registered)',
                  'n/a',
                  csTarget,
                  'n/a',
                ],
              ]
            : sizes.contentScripts.map((script) => [
                `content script ${script.name} (${script.sources.join(', ')}): ${parts(script)}`,
                bytes(script),
                csTarget,
                verdict(script.bytes <= TARGETS.contentScriptBytes),
              ])),
        ];
  const setup =
    nudge === null
      ? ''
      : `: default policy, ${nudge.navigations.tools} AI tools at fake sites, ` +
        `${nudge.navigations.measured} navigations after ${nudge.navigations.warmup} warm-up`;
  const nudgeRows =
    nudge === null
      ? [['page.goto → nudge <h1> visible', 'not measured', `<= ${TARGETS.nudgeMedianMs} ms`, 'BROKEN']]
      : [
          [
            'page.goto → nudge <h1> with text, visible: median',
            ms(nudge.heading.medianMs),
            `<= ${TARGETS.nudgeMedianMs} ms`,
            verdict(pass.nudgeMedianMs),
          ],
          ['  p90', ms(nudge.heading.p90Ms), '', 'info'],
          [
            'page.goto → first contentful paint: median / p90',
            nudge.paint === null ? 'n/a' : `${ms(nudge.paint.medianMs)} / ${ms(nudge.paint.p90Ms)}`,
            '',
            nudge.paintSamples === nudge.navigations.measured ? 'info' : `info (${nudge.paintSamples} painted)`,
          ],
          ['page.goto → Playwright waitForFunction sees it: median', ms(nudge.observed.medianMs), '', 'info'],
          [
            `requests that reached the AI sites (${nudge.navigations.warmup + nudge.navigations.measured} navigations)`,
            int(nudge.requestsToAiSites),
            '= 0',
            nudge.requestsToAiSites === 0 ? 'OK' : 'BROKEN',
          ],
          [`rules installed, ready after launch`, `${int(nudge.rules)} rules, ${ms(nudge.readyMs)}`, '', 'info'],
        ];
  return [
    ['Extension bundles: .output/chrome-mv3 from wxt build; each file gzipped on its own'],
    ...sizeRows,
    [`Nudge in headless Chromium${setup}`],
    ...nudgeRows,
  ];
}

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.filter((r) => r.length > 1).map((r) => r[c].length)));
const line = (cells) =>
  cells
    .map((cell, c) => (c === 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
    .join('   ')
    .trimEnd();
const out = [
  `Daylight benchmark — node ${machine.node}, ${machine.cpu} (${machine.cores} cores), ${machine.platform}`,
  '',
  line(['  metric', 'value', 'target', 'result'].map((h, c) => (c === 0 ? h.padEnd(widths[0]) : h))),
];
for (const row of rows) out.push(row.length === 1 ? `\n${row[0]}` : line([`  ${row[0]}`, ...row.slice(1)]));

if (crossCheck.ghosteryDisagreements > 0) {
  out.push('', `URLs where Ghostery and decide() disagree (${crossCheck.ghosteryDisagreements}, first 5):`);
  for (const d of crossCheck.ghosteryExamples)
    out.push(`  ${d.url}  decide: ${d.decide ?? 'none'}, Ghostery: ${d.other}`);
}
if (crossCheck.naiveDisagreements > 0) {
  out.push('', `URLs where the naive scan and decide() disagree (${crossCheck.naiveDisagreements}, first 5):`);
  for (const d of crossCheck.naiveExamples)
    out.push(`  ${d.url}  decide: ${d.decide ?? 'none'}, naive: ${d.other ?? 'none'}`);
}
for (const problem of broken) out.push('', `BROKEN: ${problem}`);
process.stdout.write(`${out.join('\n')}\n`);

const results = {
  date: new Date().toISOString(),
  machine,
  targets: TARGETS,
  pass,
  ratios,
  urls,
  perUrl,
  crossCheck,
  compile,
  index,
  ghostery,
  preview: {
    lines: LOG_LINES,
    bytes: logBytes,
    aiUrls: cliAiUrls,
    runs: PREVIEW_RUNS,
    cli: previewTime,
    plain: plainTime,
  },
  startup: { runs: STARTUP_RUNS, check: checkTime, nodeBare: nodeTime },
  collector,
  dashboard,
  extension: { wxtBuildMs, sizes, nudge },
  broken,
};
writeFileSync(path.join(DATA, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
progress(`results written to ${path.relative(ROOT, path.join(DATA, 'results.json'))}`);
process.exitCode = broken.length > 0 ? 1 : 0;
