/**
 * The collector's default store: one SQLite file in the data directory, through
 * better-sqlite3 (synchronous, so a transaction never interleaves with another
 * request of this process; BEGIN IMMEDIATE covers a second process on the file).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Report, ReportEvent } from '../lib/report-schema';
import type { CollectorStore, CountFilter, CountRow, IngestResult } from './store';

export const DATABASE_FILE = 'collector.sqlite3';

/** Bumped with every change of the tables below; a file from a newer release is refused, never misread. */
const SCHEMA_VERSION = 1;

// `grp` is '' for "no group": a primary key column cannot hold NULL usefully (NULLs never conflict).
const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS batches (
  id BLOB PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counts (
  day TEXT NOT NULL,
  tool TEXT NOT NULL,
  event TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  n INTEGER NOT NULL,
  batches INTEGER NOT NULL,
  PRIMARY KEY (day, tool, event, grp, policy_revision)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  hash BLOB PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
`;

const GENERATED_ADMIN_TOKEN_HASH = 'generated-admin-token-sha256';
const SESSIONS_ADMIN_TOKEN_HASH = 'sessions-admin-token-sha256';

/** What the reports of one transaction add to a cell, written with one UPDATE (or INSERT, for a new cell). */
interface Cell {
  readonly day: string;
  readonly tool: string;
  readonly event: string;
  readonly group: string;
  readonly policyRevision: string;
  n: number;
  batches: number;
  /** The index of the last report that added to the cell. */
  lastReport: number;
}

interface RawCountRow {
  day: string;
  tool: string;
  event: ReportEvent;
  grp: string;
  policy_revision: string;
  n: number;
  batches: number;
}

/** A UUID as its 16 bytes: the same batch in upper or lower case is one batch, in less than half the space. */
function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** Opens (creating if needed) the database in `dataDir`, which is created too, readable by its owner only. */
export function openSqliteStore(dataDir: string): CollectorStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    // WAL: readers (the dashboard) never block ingestion. synchronous=NORMAL: a commit is not fsynced, so a
    // power cut (not a crash of this process) may lose the last moments; an fsync per commit would cap
    // ingestion at the disk's sync rate. https://www.sqlite.org/wal.html#performance_considerations
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `${join(dataDir, DATABASE_FILE)} was written by a newer Daylight (schema ${version}, this one knows ${SCHEMA_VERSION})`,
      );
    }
    db.exec(CREATE_TABLES);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } catch (error) {
    db.close();
    throw error;
  }

  const insertBatch = db.prepare<[Buffer]>('INSERT OR IGNORE INTO batches (id) VALUES (?)');
  // Most cells exist after the first days, so an UPDATE alone finds them: one B-tree search where an upsert
  // (INSERT ... ON CONFLICT DO UPDATE) makes two. bench/collector-bench.ts: about a tenth less time per report.
  const addToCount = db.prepare<[number, number, string, string, string, string, string]>(
    `UPDATE counts SET n = n + ?, batches = batches + ?
     WHERE day = ? AND tool = ? AND event = ? AND grp = ? AND policy_revision = ?`,
  );
  const insertCount = db.prepare<[string, string, string, string, string, number, number]>(
    'INSERT INTO counts (day, tool, event, grp, policy_revision, n, batches) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // IMMEDIATE takes the write lock before any batchId is looked up, so two writers cannot both see one as new.
  const ingestInTransaction = db.transaction((reports: readonly Report[]): IngestResult[] => {
    const cells = new Map<string, Cell>();
    const results = reports.map((report, index): IngestResult => {
      if (insertBatch.run(uuidBytes(report.batchId)).changes === 0) return 'duplicate';
      const group = report.group ?? '';
      // Day, tool and event hold no space; group and revision may hold anything, so the group's length says
      // where it ends ("a b" + "c" and "a" + "b c" are two cells).
      const groupAndRevision = `${group.length} ${group}${report.policyRevision}`;
      for (const { day, tool, event, n } of report.counts) {
        const key = `${day} ${tool} ${event} ${groupAndRevision}`;
        const cell = cells.get(key);
        if (cell === undefined) {
          cells.set(key, {
            day,
            tool,
            event,
            group,
            policyRevision: report.policyRevision,
            n,
            batches: 1,
            lastReport: index,
          });
          continue;
        }
        cell.n += n;
        // A batch adds 1 to a cell's batch count however many of its entries fall into the cell.
        if (cell.lastReport !== index) {
          cell.batches += 1;
          cell.lastReport = index;
        }
      }
      return 'accepted';
    });
    for (const { day, tool, event, group, policyRevision, n, batches } of cells.values()) {
      if (addToCount.run(n, batches, day, tool, event, group, policyRevision).changes === 0) {
        insertCount.run(day, tool, event, group, policyRevision, n, batches);
      }
    }
    return results;
  });

  const countQueries = new Map<string, Database.Statement<Record<string, string>, RawCountRow>>();
  const countsQuery = (filter: CountFilter) => {
    const conditions: string[] = [];
    if (filter.from !== undefined) conditions.push('day >= @from');
    if (filter.to !== undefined) conditions.push('day <= @to');
    if (filter.tool !== undefined) conditions.push('tool = @tool');
    if (filter.event !== undefined) conditions.push('event = @event');
    if (filter.group !== undefined) conditions.push('grp = @group');
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    let statement = countQueries.get(where);
    if (statement === undefined) {
      statement = db.prepare<Record<string, string>, RawCountRow>(
        `SELECT day, tool, event, grp, policy_revision, n, batches FROM counts ${where}
         ORDER BY day, tool, event, grp, policy_revision`,
      );
      countQueries.set(where, statement);
    }
    return statement;
  };

  const getSetting = db.prepare<[string], { value: Buffer }>('SELECT value FROM settings WHERE key = ?');
  const setSetting = db.prepare<[string, Buffer]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  );
  const addSession = db.prepare<[Buffer, number]>('INSERT INTO sessions (hash, expires_at) VALUES (?, ?)');
  const hasSession = db.prepare<[Buffer, number]>('SELECT 1 FROM sessions WHERE hash = ? AND expires_at > ?').pluck();
  const deleteSession = db.prepare<[Buffer]>('DELETE FROM sessions WHERE hash = ?');
  const deleteExpiredSessions = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  const deleteAllSessions = db.prepare('DELETE FROM sessions');
  const endSessionsOfOtherTokens = db.transaction((adminTokenHash: Buffer) => {
    const owner = getSetting.get(SESSIONS_ADMIN_TOKEN_HASH)?.value;
    if (owner !== undefined && owner.equals(adminTokenHash)) return;
    deleteAllSessions.run();
    setSetting.run(SESSIONS_ADMIN_TOKEN_HASH, adminTokenHash);
  });

  return {
    ingest: (reports) => ingestInTransaction.immediate(reports),
    counts(filter) {
      const parameters: Record<string, string> = {};
      if (filter.from !== undefined) parameters.from = filter.from;
      if (filter.to !== undefined) parameters.to = filter.to;
      if (filter.tool !== undefined) parameters.tool = filter.tool;
      if (filter.event !== undefined) parameters.event = filter.event;
      if (filter.group !== undefined) parameters.group = filter.group ?? '';
      return countsQuery(filter)
        .all(parameters)
        .map((row): CountRow => ({
          day: row.day,
          tool: row.tool,
          event: row.event,
          group: row.grp === '' ? null : row.grp,
          policyRevision: row.policy_revision,
          n: row.n,
          batches: row.batches,
        }));
    },
    getGeneratedAdminTokenHash: () => getSetting.get(GENERATED_ADMIN_TOKEN_HASH)?.value ?? null,
    setGeneratedAdminTokenHash: (hash) => void setSetting.run(GENERATED_ADMIN_TOKEN_HASH, hash),
    endSessionsOfOtherTokens: (adminTokenHash) => endSessionsOfOtherTokens(adminTokenHash),
    addSession: (hash, expiresAt) => void addSession.run(hash, expiresAt),
    hasSession: (hash, now) => hasSession.get(hash, now) !== undefined,
    deleteSession: (hash) => void deleteSession.run(hash),
    deleteExpiredSessions: (now) => void deleteExpiredSessions.run(now),
    close: () => db.close(),
  };
}
