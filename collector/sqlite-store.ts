/**
 * The collector's default store: one SQLite file in the data directory, through better-sqlite3
 * (synchronous, so a transaction never interleaves with another request of this process; BEGIN
 * IMMEDIATE covers a second process on the file). Its parts, in collector/sqlite/: the tables
 * (schema.ts), ingestion (ingest.ts), the rollups (rollups.ts), the counts and cells as stored (queries.ts), what
 * may be shown of them (shown.ts), settings and sessions (sessions.ts). Another store implements the same CollectorStore (store.ts) and runs the
 * same tests (tests/unit/collector/sqlite-store.test.ts).
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CollectorStore } from './store';
import { createIngest } from './sqlite/ingest';
import { createQueries } from './sqlite/queries';
import { createRetention } from './sqlite/retention';
import { createShown } from './sqlite/shown';
import { rebuildRollups } from './sqlite/rollups';
import {
  CREATE_TABLES,
  DATABASE_FILE,
  MIGRATE_TO_3,
  MIGRATE_TO_4,
  MIGRATE_TO_5,
  SCHEMA_VERSION,
} from './sqlite/schema';
import { createSessions, createSettings } from './sqlite/sessions';

/** Opens the file, refusing one of a newer schema, and brings an older one up to this schema. */
function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // For its owner alone, also files made by an earlier release: SQLite gives new -wal and -shm files the database's
  // mode, and those an earlier run left behind are set here.
  const file = join(dataDir, DATABASE_FILE);
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
  const db = new Database(file);
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
    db.transaction(() => {
      // A file of an older schema has counts but not these tables; a new file has none, and its rollups are
      // built empty, at no cost.
      const oldCounts = db.prepare("SELECT 1 FROM pragma_table_info('counts') WHERE name = 'batches'").get();
      if (oldCounts !== undefined) db.exec(MIGRATE_TO_3);
      const oldBatches = db.prepare("SELECT 1 FROM pragma_table_info('batches') WHERE name = 'id'").get();
      const batchDays = db.prepare("SELECT 1 FROM pragma_table_info('batches') WHERE name = 'day'").get();
      if (oldBatches !== undefined && batchDays === undefined) {
        db.exec(MIGRATE_TO_5.addDay);
        db.prepare(MIGRATE_TO_5.setDay).run({ today: new Date().toISOString().slice(0, 10) });
      }
      db.exec(CREATE_TABLES);
      if (version < 3) rebuildRollups(db);
      if (version < 4) db.exec(MIGRATE_TO_4);
    }).immediate();
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens (creating if needed) the database in `dataDir`, which is created too, readable by its owner only. */
export function openSqliteStore(dataDir: string): CollectorStore {
  const db = openDatabase(dataDir);
  const settings = createSettings(db);
  const countRefusal = db.prepare<[string, string]>(
    'INSERT INTO refusals (day, reason, n) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1',
  );
  const refusals = db.prepare<[string, string], { reason: string; n: number }>(
    'SELECT reason, SUM(n) AS n FROM refusals WHERE day BETWEEN ? AND ? GROUP BY reason ORDER BY n DESC, reason',
  );
  const { ingest, hasBatch } = createIngest(db);
  const queries = createQueries(db);
  return {
    ingest,
    hasBatch,
    ...queries,
    ...createShown(db, settings, queries.usageCells),
    ...createRetention(db),
    countRefusal: (day, reason) => void countRefusal.run(day, reason),
    refusals: (from, to) => refusals.all(from, to),
    ...createSessions(db, settings),
    close: () => db.close(),
  };
}
