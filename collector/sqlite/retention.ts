/**
 * Retention (`daylight serve --retain-days`): every row of a day before the retention goes, counts, rollups, shown
 * rows, refusals and the batchIds accepted that day, one day per transaction, so that ingestion waits at most for
 * one day's rows (collector/retention.ts schedules the days). A batchId may go once its day is past the retention:
 * a batch sent again after that carries days older still, which parseReport refuses (docs/spec/report-protocol.md
 * "What the collector stores").
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
  'batches',
] as const;

export function createRetention(db: Database.Database): Pick<CollectorStore, 'pruneOneDay' | 'pruneMonths'> {
  // Each MIN alone, so that each is one step down an index whose first column is the day.
  const oldestDay = db
    .prepare<{ before: string }, string | null>(
      `SELECT MIN(day) FROM (
         SELECT (SELECT MIN(day) FROM counts WHERE day < @before) AS day
         UNION ALL SELECT (SELECT MIN(day) FROM usage_days INDEXED BY usage_days_by_day WHERE day < @before)
         UNION ALL SELECT (SELECT MIN(day) FROM refusals WHERE day < @before)
         UNION ALL SELECT (SELECT MIN(day) FROM batches INDEXED BY batches_by_day WHERE day < @before))`,
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

  const pruneDay = db.transaction((day: string) => {
    for (const statement of deletes) statement.run(day);
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
      const day = oldestDay.get({ before });
      if (day === null || day === undefined) return false;
      pruneDay(day);
      return true;
    },
    pruneMonths: (before) => void pruneMonths(before),
  };
}
