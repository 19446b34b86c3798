// @vitest-environment node
/** The SQLite store, the token bucket and the CSV writer, without HTTP. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { countsCsv } from '../../../collector/counts-api';
import { openSqliteStore } from '../../../collector/sqlite-store';
import { DATABASE_FILE } from '../../../collector/sqlite/schema';
import { TokenBucket } from '../../../collector/token-bucket';
import { fakeCount, fakeReport } from '../../support/collector';
import { describeCollectorStore, storeInTempDir } from '../../support/store-contract';

const { dir, open, closed } = storeInTempDir(openSqliteStore);

describe('openSqliteStore', () => {
  it('creates the data dir, uses WAL, and keeps only aggregates, their rollups, batchIds, refusals, sessions and settings', () => {
    const dataDir = join(dir(), 'nested', 'data');
    open(dataDir).close();
    closed();
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const columns = db
      .prepare(
        "SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, p.cid",
      )
      .all() as { tbl: string; col: string }[];
    db.close();
    // A column for an IP address, a user agent, a body or a time of day would be a privacy change: make it here.
    // The rollups hold, per kind of count, its sum and its people.
    const kindColumns = (table: string) =>
      ['sanctioned', 'shadow', 'warned', 'proceeded', 'redirected', 'blocked', 'sensitive_paste'].flatMap((kind) => [
        `${table}.${kind}_n`,
        `${table}.${kind}_people`,
      ]);
    expect(columns.map(({ tbl, col }) => `${tbl}.${col}`)).toEqual([
      'active_days.day',
      'active_days.grp',
      'active_days.policy_revision',
      'active_days.people',
      'batches.id',
      'batches.day',
      'counts.day',
      'counts.tool',
      'counts.event',
      'counts.grp',
      'counts.policy_revision',
      'counts.sanctioned',
      'counts.n',
      'counts.people',
      'dirty_days.day',
      'known_groups.grp',
      'known_revisions.policy_revision',
      'known_revisions.first_day',
      'refusals.day',
      'refusals.reason',
      'refusals.n',
      'served_revisions.policy_revision',
      'sessions.hash',
      'sessions.expires_at',
      'settings.key',
      'settings.value',
      'shown_days.day',
      'shown_days.grp',
      'shown_days.policy_revision',
      ...kindColumns('shown_days'),
      'shown_fleet.day',
      'shown_fleet.policy_revision',
      ...kindColumns('shown_fleet'),
      'shown_months.month',
      'shown_months.grp',
      'shown_months.policy_revision',
      ...kindColumns('shown_months'),
      'usage_days.day',
      'usage_days.grp',
      'usage_days.policy_revision',
      ...kindColumns('usage_days'),
      'visit_months.month',
      'visit_months.policy_revision',
      'visit_months.tool',
      'visit_months.sanctioned',
      'visit_months.n',
      'withheld_fleet.day',
      'withheld_fleet.policy_revision',
      'withheld_fleet.kind',
    ]);
  });

  it('refuses a database written by a newer release', () => {
    open().close();
    closed();
    const db = new Database(join(dir(), DATABASE_FILE));
    db.pragma('user_version = 99');
    db.close();
    expect(() => open()).toThrow('was written by a newer Daylight (schema 99, this one knows 5)');
    closed();
  });
});

describeCollectorStore('SQLite', openSqliteStore);

describe('the SQLite store, as a transaction', () => {
  it('writes nothing of a transaction that fails', () => {
    const db = open();
    const report = fakeReport();
    // A count SQLite refuses (NOT NULL) makes the transaction throw after the batchIds went in: none may remain.
    const refused = fakeReport({ counts: [fakeCount({ tool: 'claude', n: Number.NaN })] });
    expect(() => db.ingest([report, refused])).toThrow('NOT NULL constraint failed: counts.n');
    const raw = new Database(join(dir(), DATABASE_FILE), { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) FROM counts').pluck().get()).toBe(0);
    raw.close();
    expect(db.hasBatch(report.batchId)).toBe(false);
    expect(db.ingest([report])).toEqual(['accepted']);
  });
});

describe('TokenBucket', () => {
  it('admits a burst, then one a 1/rate, and says how long until the next', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.secondsUntilToken()).toBe(1);
    now = 499;
    expect(bucket.take()).toBe(false);
    now = 500;
    expect(bucket.hasToken()).toBe(true);
    expect(bucket.take()).toBe(true);
    now = 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    const slow = new TokenBucket(0.1, 1, () => now);
    slow.take();
    expect(slow.secondsUntilToken()).toBe(10);
  });
});

describe('CSV', () => {
  it('writes null as an empty field, numbers as they are, and CRLF after each record', () => {
    expect(
      countsCsv([
        {
          day: '2026-11-25',
          tool: 'chatgpt',
          event: 'visit',
          group: null,
          policyRevision: 'r1',
          sanctioned: true,
          n: 12,
          people: 3,
        },
      ]),
    ).toBe(
      '"day","tool","event","group","policyRevision","sanctioned","n","people"\r\n' +
        '"2026-11-25","chatgpt","visit",,"r1","true",12,3\r\n',
    );
  });
});
