// @vitest-environment node
/** `daylight serve --retain-days` (collector/retention.ts, collector/sqlite/retention.ts): nothing older is kept. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstKeptDay } from '../../../collector/retention';
import { openSqliteStore } from '../../../collector/sqlite-store';
import { DATABASE_FILE } from '../../../collector/sqlite/schema';
import { addDays } from '../../../lib/protocol/day';
import { fakeCount, fakeReport, postReport, testCollectors, today } from '../../support/collector';

const collectors = testCollectors({ k: 1 });
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daylight-retention-'));
});
afterEach(async () => {
  await collectors.disposeAll();
  rmSync(dir, { recursive: true, force: true });
});

const daysAgo = (days: number): string => addDays(today(), -days);

/** A data folder with counts 500, 120 and 10 days old, a batchId and a refusal of long ago. */
function oldData(dataDir: string): void {
  const store = openSqliteStore(dataDir);
  store.ingest([500, 120, 10].map((days) => fakeReport({ counts: [fakeCount({ day: daysAgo(days), n: days })] })));
  store.countRefusal(daysAgo(450), 'counts[].day');
  store.close();
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.prepare('INSERT INTO batches (id, day) VALUES (?, ?)').run(Buffer.alloc(16, 7), daysAgo(420));
  db.close();
}

const rows = (dataDir: string, sql: string): unknown[] => {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(sql).raw().all();
  } finally {
    db.close();
  }
};

describe('retention', () => {
  it('deletes every row of the days before it, a day at a time, and the months before it', () => {
    const dataDir = join(dir, 'data');
    oldData(dataDir);
    const store = openSqliteStore(dataDir);
    // What is shown is made before, so that its rows of old days are there to go too.
    store.makeShownDays(1);
    expect(store.shownCounts({}, 1).map((row) => row.n)).toEqual([500, 120, 10]);
    const before = firstKeptDay(new Date(), 400);
    let days = 0;
    while (store.pruneOneDay(before)) days++;
    store.pruneMonths(before);
    expect(days).toBe(3);
    store.makeShownDays(1);
    expect(store.shownCounts({}, 1).map((row) => row.n)).toEqual([120, 10]);
    expect(store.usageCells('2000-01-01', today()).map((cell) => cell.n)).toEqual([120, 10]);
    store.close();
    for (const table of ['counts', 'usage_days', 'shown_days', 'refusals', 'batches']) {
      expect(rows(dataDir, `SELECT COUNT(*) FROM ${table} WHERE day < '${before}'`), table).toEqual([[0]]);
    }
    // The three reports' batchIds stay: they came today.
    expect(rows(dataDir, 'SELECT COUNT(*) FROM batches')).toEqual([[3]]);
    expect(rows(dataDir, `SELECT COUNT(*) FROM visit_months WHERE month < '${before.slice(0, 7)}'`)).toEqual([[0]]);
  });

  it('keeps a batchId two days past the retention: a batch may hold tomorrow, and is refused once it is gone', () => {
    const dataDir = join(dir, 'data');
    openSqliteStore(dataDir).close();
    const before = firstKeptDay(new Date(), 30);
    const db = new Database(join(dataDir, DATABASE_FILE));
    const insert = db.prepare('INSERT INTO batches (id, day) VALUES (?, ?)');
    for (const [byte, days] of [
      [1, 1],
      [2, 2],
      [3, 3],
    ] as const) {
      insert.run(Buffer.alloc(16, byte), addDays(before, -days));
    }
    db.close();
    const store = openSqliteStore(dataDir);
    while (store.pruneOneDay(before));
    store.close();
    expect(rows(dataDir, 'SELECT day FROM batches ORDER BY day')).toEqual([
      [addDays(before, -2)],
      [addDays(before, -1)],
    ]);
  });

  it('gives the batchIds of a file of schema 4 the day of the upgrade', () => {
    const dataDir = join(dir, 'data');
    const store = openSqliteStore(dataDir);
    store.ingest([fakeReport()]);
    store.close();
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.exec('DROP INDEX batches_by_day; ALTER TABLE batches DROP COLUMN day');
    db.pragma('user_version = 4');
    db.close();
    openSqliteStore(dataDir).close();
    expect(rows(dataDir, 'SELECT day FROM batches')).toEqual([[today()]]);
  });

  it('runs when the collector starts, and refuses reports of days it would not keep', async () => {
    const dataDir = join(dir, 'data');
    oldData(dataDir);
    const server = await collectors.start({ dataDir, retainDays: 30 });
    await expect.poll(() => server.logs.some((entry) => entry.msg === 'retention'), { timeout: 5000 }).toBe(true);
    expect(server.logs.find((entry) => entry.msg === 'retention')).toMatchObject({ daysDeleted: 4 });
    const old = await postReport(server, fakeReport({ counts: [fakeCount({ day: daysAgo(30) })] }));
    expect(old.status).toBe(400);
    expect(JSON.parse(old.text)).toEqual({
      error: `counts[0].day: is more than 29 days ago (before ${daysAgo(29)}, UTC)`,
    });
    expect((await postReport(server, fakeReport({ counts: [fakeCount({ day: daysAgo(29) })] }))).status).toBe(202);
  });
});
