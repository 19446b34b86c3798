/**
 * Storage part of `npm run bench` (bundled by bench/run.mjs with better-sqlite3 left external): how many bytes the
 * collector's database holds per million reports, and in which tables.
 *
 *   node bench/.data/storage-bench.js
 *
 * A fleet of 50,000 devices in 100 groups uploads once a day for 20 days: a million reports, each with the counts
 * of 3 of 40 tools, one event each, the first upload of a device's day carrying its people marks. They go through
 * the store's own ingest, 1,000 reports a transaction, as the collector commits them (collector/ingest-queue.ts).
 * Then the file is checkpointed and measured with SQLite's dbstat, per table and index.
 *
 * Progress goes to stderr, the result as one JSON line to stdout.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../collector/sqlite-store';
import { DATABASE_FILE } from '../collector/sqlite/schema';
import { addDays } from '../lib/protocol/day';
import type { Report, ReportCount } from '../lib/protocol/report-schema';
import { mulberry32 } from './urls';

const DEVICES = 50_000;
const GROUPS = 100;
const DAYS = 20;
const TOOLS = Array.from({ length: 40 }, (_, i) => `tool-${i}`);
const COUNTS_A_REPORT = 3;
const REPORTS_A_TRANSACTION = 1000;

const progress = (message: string) => process.stderr.write(`[storage-bench] ${message}\n`);

function report(day: string, device: number, rng: () => number): Report {
  const tools = new Set<string>();
  while (tools.size < COUNTS_A_REPORT) tools.add(TOOLS[Math.floor(rng() * TOOLS.length)] as string);
  const counts: ReportCount[] = [...tools].map((tool) => ({
    day,
    tool,
    event: 'visit',
    n: 1 + Math.floor(rng() * 9),
    sanctioned: tool === 'tool-0',
    person: 1,
  }));
  return {
    schemaVersion: 1,
    batchId: randomUUID(),
    policyRevision: '2026-11-26.1',
    client: { browser: 'chrome' },
    group: `group-${device % GROUPS}`,
    counts,
    people: [
      { day, kind: 'any' },
      ...(tools.has('tool-0') ? [{ day, kind: 'sanctioned' as const }] : []),
      ...([...tools].some((tool) => tool !== 'tool-0') ? [{ day, kind: 'other' as const }] : []),
    ],
  };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'daylight-storage-bench-'));
try {
  const store = openSqliteStore(dataDir);
  const rng = mulberry32(23);
  const firstDay = addDays(new Date().toISOString().slice(0, 10), -DAYS);
  const started = performance.now();
  let pending: Report[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = addDays(firstDay, d);
    for (let device = 0; device < DEVICES; device++) {
      pending.push(report(day, device, rng));
      if (pending.length === REPORTS_A_TRANSACTION) {
        store.ingest(pending);
        pending = [];
      }
    }
    progress(`day ${d + 1} of ${DAYS}`);
  }
  store.ingest(pending);
  const ingestMs = performance.now() - started;
  store.close();

  const file = path.join(dataDir, DATABASE_FILE);
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const tables = db
    .prepare<[], { name: string; bytes: number }>(
      'SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name HAVING bytes > 65536 ORDER BY bytes DESC',
    )
    .all();
  const countRows = db.prepare<[], number>('SELECT COUNT(*) FROM counts').pluck().get() as number;
  db.close();
  const reports = DEVICES * DAYS;
  const bytes = statSync(file).size;
  progress(`${reports.toLocaleString('en-US')} reports in ${Math.round(ingestMs)} ms: ${bytes} bytes`);
  process.stdout.write(
    `${JSON.stringify({ reports, devices: DEVICES, groups: GROUPS, days: DAYS, countRows, bytes, bytesPerMillionReports: (bytes / reports) * 1e6, ingestMs, tables })}\n`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
