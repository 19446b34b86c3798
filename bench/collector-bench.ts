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
 * Runs of that load alternate with runs beside an attacker holding the reporting token, who keeps 1,024 connections
 * from another loopback address sending a body a byte every 2 s, reconnecting as soon as one is closed
 * (docs/spec/report-protocol.md "Capacity"): the rate beside it, against the rate without, says whether slow bodies
 * can stall ingestion. Alternating, the drift of a noisy machine hits both alike.
 *
 * Progress goes to stderr, the results as one JSON line to stdout. Exits non-zero when an answer is not
 * 202, a request fails, or the database does not hold one batch per 202: a fast server that drops or
 * refuses reports is not a result.
 */
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
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
const DURATION_SECONDS = 6;
/** Runs without the attack and beside it, alternating: PAIRS of each. */
const PAIRS = 3;
/** Distinct count lists to draw bodies from; the batchId makes every body unique. */
const BODY_POOL = 1000;
const ADMIN_TOKEN = 'bench-admin-token-not-secret';
/** daylight serve requires the fleet's reporting token; each request carries it, as the extension's do. */
const REPORTING_TOKEN = 'bench-reporting-token-not-secret';
/** The slow-body attacker: as many connections as the collector takes reports at once, from an address of its own. */
const SLOW_CONNECTIONS = 1024;
const SLOW_ADDRESS = '127.0.0.2';
const SLOW_BYTE_EVERY_MS = 2000;
/** A closed connection is opened again this soon: about the pace that held every slot before (35 a second). */
const RECONNECT_MS = 1000;

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

interface Server {
  readonly url: string;
  /** The server process's CPU time so far, user and system (Linux's /proc; NaN elsewhere). */
  readonly cpuMs: () => number;
  readonly stop: () => Promise<number | null>;
}

async function startServer(dataDir: string): Promise<Server> {
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
    cpuMs: () => {
      try {
        // After the command's name: field 14 (utime) and 15 (stime), in ticks of 10 ms.
        const fields = (readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return Number.NaN;
      }
    },
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

/** Keeps SLOW_CONNECTIONS connections dripping a report body until `stop`; how many connections it opened. */
function slowBodies(url: string): { stop: () => number } {
  const { port } = new URL(url);
  const sockets = new Set<Socket>();
  let opened = 0;
  let stopped = false;
  const open = (): void => {
    if (stopped) return;
    opened++;
    const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: SLOW_ADDRESS }, () => {
      socket.write(
        `POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Authorization: Bearer ${REPORTING_TOKEN}\r\nContent-Length: 60000\r\n\r\n{`,
      );
    });
    sockets.add(socket);
    const drip = setInterval(() => socket.write(' '), SLOW_BYTE_EVERY_MS);
    socket.resume();
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(drip);
      sockets.delete(socket);
      setTimeout(open, RECONNECT_MS);
    });
  };
  for (let i = 0; i < SLOW_CONNECTIONS; i++) open();
  return {
    stop: () => {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      return opened;
    },
  };
}

/**
 * slowBodies in a process of its own, this file run again with SLOW_BODIES_URL: the attacker's work must not slow
 * down the load generator's event loop, only compete for the machine as a real attacker's would.
 */
async function attacker(url: string): Promise<{ stop: () => Promise<number> }> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, SLOW_BODIES_URL: url } });
  // Measured once its connections are all open and the first answers are in, as an attack under way would be.
  await new Promise((resolve) => child.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once('message', (opened) => {
          child.disconnect();
          resolve(opened as number);
        });
        child.send('stop');
      }),
  };
}

const slowBodiesUrl = process.env.SLOW_BODIES_URL;
if (slowBodiesUrl !== undefined) {
  const attack = slowBodies(slowBodiesUrl);
  process.send?.('ready');
  process.once('message', () => process.send?.(attack.stop()));
} else {
  await main();
}

// Long: the whole run, from the collector's start to the JSON line, in the order the file's header tells.
async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'daylight-collector-bench-'));
  try {
    const lists = countLists();
    const server = await startServer(dataDir);
    progress(`daylight serve at ${server.url}; warm-up ${WARMUP_SECONDS} s, then ${DURATION_SECONDS} s measured`);
    const warmup = await run(server.url, WARMUP_SECONDS, lists);
    // Runs without and beside the attack alternate, so that the machine's drift (2 noisy cores) hits both alike.
    const plain: autocannon.Result[] = [];
    const attacked: autocannon.Result[] = [];
    let cpuMs = 0;
    let cpuAttackedMs = 0;
    let slowConnectionsOpened = 0;
    for (let pair = 0; pair < PAIRS; pair++) {
      let cpuBefore = server.cpuMs();
      plain.push(await run(server.url, DURATION_SECONDS, lists));
      cpuMs += server.cpuMs() - cpuBefore;
      progress(`again, ${DURATION_SECONDS} s, beside ${SLOW_CONNECTIONS} connections sending a byte every 2 s`);
      const attack = await attacker(server.url);
      cpuBefore = server.cpuMs();
      attacked.push(await run(server.url, DURATION_SECONDS, lists));
      cpuAttackedMs += server.cpuMs() - cpuBefore;
      slowConnectionsOpened += await attack.stop();
    }
    const sum = (runs: autocannon.Result[], of: (one: autocannon.Result) => number) =>
      runs.reduce((total, one) => total + of(one), 0);
    const plainAccepted = sum(plain, (one) => one['2xx']);
    const attackedAccepted = sum(attacked, (one) => one['2xx']);
    const exitCode = await server.stop();

    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const storedBatches = db.prepare('SELECT count(*) FROM batches').pluck().get() as number;
    db.close();
    const accepted = warmup['2xx'] + plainAccepted + attackedAccepted;
    const failures = sum([warmup, ...plain, ...attacked], (one) => one.non2xx + one.errors + one.timeouts);
    const meanCounts = lists.reduce((sum, list) => sum + list.counts, 0) / lists.length;
    const meanBodyBytes = lists.reduce((sum, list) => sum + list.json.length + 200, 0) / lists.length;

    process.stdout.write(
      `${JSON.stringify({
        connections: CONNECTIONS,
        seconds: DURATION_SECONDS,
        countsPerReport: { min: 10, max: 50, mean: meanCounts },
        meanBodyBytes,
        pairs: PAIRS,
        reportsPerSecond: sum(plain, (one) => one.requests.average) / PAIRS,
        // The worst of the runs.
        latencyMs: {
          p50: Math.max(...plain.map((one) => one.latency.p50)),
          p90: Math.max(...plain.map((one) => one.latency.p90)),
          p99: Math.max(...plain.map((one) => one.latency.p99)),
          max: Math.max(...plain.map((one) => one.latency.max)),
        },
        requests: sum(plain, (one) => one.requests.total),
        serverCpuMsPerThousand: (cpuMs / plainAccepted) * 1000,
        accepted,
        storedBatches,
        failures,
        statusCodes: plain[0]?.statusCodeStats,
        underSlowBodies: {
          connections: SLOW_CONNECTIONS,
          opened: slowConnectionsOpened,
          reportsPerSecond: sum(attacked, (one) => one.requests.average) / PAIRS,
          perPair: plain.map((one, i) => (attacked[i] as autocannon.Result)['2xx'] / one['2xx']),
          serverCpuMsPerThousand: (cpuAttackedMs / attackedAccepted) * 1000,
          latencyMs: {
            p50: Math.max(...attacked.map((one) => one.latency.p50)),
            p99: Math.max(...attacked.map((one) => one.latency.p99)),
          },
          statusCodes: attacked[0]?.statusCodeStats,
        },
        serverExitCode: exitCode,
      })}\n`,
    );
    // Requests still in flight when autocannon stops (at the end of each run) may be stored without their 202 counted.
    const runs = 1 + 2 * PAIRS;
    if (failures > 0 || storedBatches < accepted || storedBatches > accepted + runs * CONNECTIONS || exitCode !== 0) {
      process.exitCode = 1;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
