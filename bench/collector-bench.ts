/**
 * Collector part of `npm run bench` (bundled by bench/run.mjs with autocannon and better-sqlite3 left
 * external): how many usage reports a second `daylight serve` accepts on loopback, and at what latency.
 *
 *   node bench/.data/collector-bench.js
 *
 * The collector runs as `daylight serve` in a process of its own, as in production, logging to a file;
 * autocannon (the load generator, in this process) shares the same machine. Every request carries a
 * realistic body (10–50 counts over a week of days, catalog tools, the protocol's events) with a batchId
 * of its own, so each one is a real insert, never a replay.
 *
 * Progress goes to stderr, the results as one JSON line to stdout. Exits non-zero when an answer is not
 * 202, a request fails, or the database does not hold one batch per 202: a fast server that drops or
 * refuses reports is not a result.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../collector/sqlite/schema';
import { BUNDLED_CATALOG } from '../lib/policy/bundled';
import { marksOf } from '../lib/protocol/report';
import { REPORT_EVENTS, type PeopleMark, type ReportCount } from '../lib/protocol/report-schema';
import { mulberry32 } from './urls';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'daylight.js');
const LOG = path.join(ROOT, 'bench', '.data', 'collector-bench.log');
const CONNECTIONS = 64;
const WARMUP_SECONDS = 2;
const DURATION_SECONDS = 10;
/** Distinct count lists to draw bodies from; the batchId makes every body unique. */
const BODY_POOL = 1000;
const ADMIN_TOKEN = 'bench-admin-token-not-secret';
/** daylight serve requires the fleet's reporting token; each request carries it, as the extension's do. */
const REPORTING_TOKEN = 'bench-reporting-token-not-secret';

const progress = (message: string) => process.stderr.write(`[collector-bench] ${message}\n`);

/**
 * Counts as a device sends them: mostly visits to a few popular tools, a day or a week's worth. Each body is a
 * device's first upload of its days, the heaviest kind: every (day, tool, event) carries a person mark and every
 * day's kinds of use a people mark (docs/spec/report-protocol.md "People"); a visit to one of the first 20 tools is
 * to a sanctioned one.
 */
function countLists(): { json: string; counts: number }[] {
  const rng = mulberry32(5);
  const tools = BUNDLED_CATALOG.tools.slice(0, 200).map((tool) => tool.id);
  const today = Date.now();
  const days = Array.from({ length: 7 }, (_, i) => new Date(today - i * 86_400_000).toISOString().slice(0, 10));
  return Array.from({ length: BODY_POOL }, () => {
    const size = 10 + Math.floor(rng() * 41);
    const counts: ReportCount[] = [];
    const people: PeopleMark[] = [];
    const marked = new Set<string>();
    const isNew = (mark: string) => !marked.has(mark) && marked.add(mark).size > 0;
    for (let i = 0; i < size; i++) {
      const day = days[Math.floor(rng() * days.length)] as string;
      const index = Math.floor(rng() ** 3 * tools.length);
      const tool = tools[index] as string;
      const event = rng() < 0.7 ? 'visit' : (REPORT_EVENTS[1 + Math.floor(rng() * 4)] as ReportCount['event']);
      const sanctioned = event === 'visit' && index < 20;
      const added = marksOf({ day, tool, event, sanctioned }, isNew);
      people.push(...added.people);
      counts.push({
        day,
        tool,
        event,
        n: 1 + Math.floor(rng() ** 2 * 40),
        ...(sanctioned && { sanctioned }),
        ...(added.person && { person: 1 as const }),
      });
    }
    return { json: `${JSON.stringify(counts)},"people":${JSON.stringify(people)}`, counts: size };
  });
}

async function startServer(dataDir: string): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const log = openSync(LOG, 'w');
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--max-reports-per-second', '1000000000'],
    {
      env: { ...process.env, DAYLIGHT_ADMIN_TOKEN: ADMIN_TOKEN, DAYLIGHT_REPORTING_TOKEN: REPORTING_TOKEN },
      stdio: ['ignore', log, 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const output = child.stderr as NodeJS.ReadableStream;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /Sign in: (http:\/\/[^/\s]+)\/login/.exec(stderr);
      if (match !== null) resolve(match[1] as string);
    });
    void exited.then((code) => reject(new Error(`daylight serve exited with ${code}:\n${stderr}`)));
  });
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function run(url: string, seconds: number, lists: { json: string }[]): Promise<autocannon.Result> {
  let next = 0;
  const head =
    '{"schemaVersion":1,"policyRevision":"2026-11-26.1","client":{"browser":"chrome"},"group":"marketing","batchId":"';
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/reports',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${REPORTING_TOKEN}` },
        setupRequest: (request) => {
          const list = lists[next++ % lists.length] as { json: string };
          return { ...request, body: `${head}${randomUUID()}","counts":${list.json}}` };
        },
      },
    ],
  });
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'daylight-collector-bench-'));
try {
  const lists = countLists();
  const server = await startServer(dataDir);
  progress(`daylight serve at ${server.url}; warm-up ${WARMUP_SECONDS} s, then ${DURATION_SECONDS} s measured`);
  const warmup = await run(server.url, WARMUP_SECONDS, lists);
  const result = await run(server.url, DURATION_SECONDS, lists);
  const exitCode = await server.stop();

  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  const storedBatches = db.prepare('SELECT count(*) FROM batches').pluck().get() as number;
  db.close();
  const accepted = warmup['2xx'] + result['2xx'];
  const failures = warmup.non2xx + warmup.errors + warmup.timeouts + result.non2xx + result.errors + result.timeouts;
  const meanCounts = lists.reduce((sum, list) => sum + list.counts, 0) / lists.length;
  const meanBodyBytes = lists.reduce((sum, list) => sum + list.json.length + 200, 0) / lists.length;

  process.stdout.write(
    `${JSON.stringify({
      connections: CONNECTIONS,
      seconds: DURATION_SECONDS,
      countsPerReport: { min: 10, max: 50, mean: meanCounts },
      meanBodyBytes,
      reportsPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      requests: result.requests.total,
      accepted,
      storedBatches,
      failures,
      statusCodes: result.statusCodeStats,
      serverExitCode: exitCode,
    })}\n`,
  );
  // Requests still in flight when autocannon stops (warm-up and measured run) may be stored without their 202 counted.
  if (failures > 0 || storedBatches < accepted || storedBatches > accepted + 2 * CONNECTIONS || exitCode !== 0) {
    process.exitCode = 1;
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
