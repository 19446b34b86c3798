/**
 * Retention (`daylight serve --retain-days`): every row of a day before the retention goes, counts, rollups, shown
 * rows, refusals and the batchIds accepted that day, one day per transaction, so that ingestion waits at most for
 * one day's rows (collector/retention.ts schedules the days). A batchId goes two days after its day is past the
 * retention: a batch sent again after that carries days older still (at most tomorrow's when it was accepted), which
 * parseReport refuses (docs/spec/report-protocol.md "What the collector stores").
 */
import type Database from 'better-sqlite3';
import { addDays, firstOfMonth } from '../../lib/protocol/day';
import type { CollectorStore } from '../store';

/** The tables with a day: every row of a pruned day goes from each. */
const DAY_TABLES = [
  'counts',
  'usage_days',
  'active_days',
  'shown_days',
  'shown_fleet',
  'withheld_fleet',
  'dirty_days',
  'refusals',
] as const;
/** How long a batchId outlives the retention: a batch may hold tomorrow's counts, and a day of slack. */
const BATCH_DAYS_PAST = 2;

export function createRetention(db: Database.Database): Pick<CollectorStore, 'pruneOneDay' | 'pruneMonths'> {
  // Each MIN alone, so that each is one step down an index whose first column is the day.
  const oldestDay = db
    .prepare<{ before: string; batchesBefore: string }, string | null>(
      `SELECT MIN(day) FROM (
         SELECT (SELECT MIN(day) FROM counts WHERE day < @before) AS day
         UNION ALL SELECT (SELECT MIN(day) FROM usage_days INDEXED BY usage_days_by_day WHERE day < @before)
         UNION ALL SELECT (SELECT MIN(day) FROM refusals WHERE day < @before)
         UNION ALL SELECT (SELECT MIN(day) FROM batches INDEXED BY batches_by_day WHERE day < @batchesBefore))`,
    )
    .pluck();
  const deletes = DAY_TABLES.map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE day = ?`));
  // The month rows: those of whole months before the retention go; the month it starts in is made again from
  // what is left of its days, so that a range reading it whole does not count the days that went.
  const forgetMonths = ['visit_months', 'shown_months'].map((table) =>
    db.prepare<[string]>(`DELETE FROM ${table} WHERE month <= ?`),
  );
  const remakeVisitMonth = db.prepare<{ month: string; from: string; to: string }>(
    `INSERT INTO visit_months (month, policy_revision, tool, sanctioned, n)
     SELECT @month, policy_revision, tool, sanctioned, SUM(n) FROM counts
     WHERE day BETWEEN @from AND @to AND event = 'visit' GROUP BY policy_revision, tool, sanctioned`,
  );
  const markDirty = db.prepare<{ from: string; to: string }>(
    `INSERT OR IGNORE INTO dirty_days SELECT DISTINCT day FROM usage_days INDEXED BY usage_days_by_day
     WHERE day BETWEEN @from AND @to`,
  );

  const deleteBatches = db.prepare<[string, string]>('DELETE FROM batches WHERE day = ? AND day < ?');
  const pruneDay = db.transaction((day: string, batchesBefore: string) => {
    for (const statement of deletes) statement.run(day);
    deleteBatches.run(day, batchesBefore);
  });
  const pruneMonths = db.transaction((before: string) => {
    const month = before.slice(0, 7);
    for (const statement of forgetMonths) statement.run(month);
    const range = { from: `${month}-01`, to: addDays(firstOfMonth(before, 1), -1) };
    remakeVisitMonth.run({ month, ...range });
    // shown.ts makes the month's shown row again with the days it makes.
    markDirty.run(range);
  });

  return {
    pruneOneDay(before) {
      const batchesBefore = addDays(before, -BATCH_DAYS_PAST);
      const day = oldestDay.get({ before, batchesBefore });
      if (day === null || day === undefined) return false;
      pruneDay(day, batchesBefore);
      return true;
    },
    pruneMonths: (before) => void pruneMonths(before),
  };
}
