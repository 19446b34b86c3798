/**
 * Building the dashboard's rollups from the counts (schema.ts), and cutting a range of days into the
 * whole months the month rollups answer and the days around them.
 */
import type Database from 'better-sqlite3';
import { addDays, firstOfMonth } from '../../lib/protocol/day';
import { USAGE_KINDS } from '../store';
import { eachKind, EVERY_REVISION, KIND_COLUMNS } from './schema';

/** Visits are 'sanctioned' or 'shadow' as the devices' policy said; other events are kinds. */
const KIND_OF_COUNT = `CASE WHEN event <> 'visit' THEN event WHEN sanctioned THEN 'sanctioned' ELSE 'shadow' END`;

/** Counts of every kind from rows (kind, n, people) of one rollup row: the sum, and the most people of one cell. */
const PIVOT = USAGE_KINDS.map((kind, i) => {
  const column = KIND_COLUMNS[i] as string;
  return `SUM(CASE kind WHEN '${kind}' THEN n ELSE 0 END) AS ${column}_n,
    MAX(CASE kind WHEN '${kind}' THEN people ELSE 0 END) AS ${column}_people`;
}).join(', ');

/**
 * Builds the rollups from the counts, for a file of an older schema. The counts do not say which devices added to
 * which cell, so a rebuilt kind's people is the most of any one of its cells: a lower bound, as k needs (store.ts
 * usageCells). Reports ingested later add to it exactly, and it stays a lower bound.
 */
export function rebuildRollups(db: Database.Database): void {
  db.prepare('DELETE FROM usage_days').run();
  db.prepare(
    `INSERT INTO usage_days (day, grp, policy_revision, ${eachKind((kind) => `${kind}_n, ${kind}_people`)})
     SELECT day, grp, policy_revision, ${PIVOT}
     FROM (SELECT day, grp, policy_revision, ${KIND_OF_COUNT} AS kind, n, people FROM counts)
     GROUP BY day, grp, policy_revision`,
  ).run();
  db.prepare('DELETE FROM active_days').run();
  db.prepare(
    `INSERT INTO active_days (day, grp, policy_revision, people)
     SELECT day, grp, policy_revision, MAX(people) FROM counts GROUP BY day, grp, policy_revision`,
  ).run();
  db.prepare('DELETE FROM visit_months').run();
  db.prepare(
    `INSERT INTO visit_months (month, policy_revision, tool, sanctioned, n)
     SELECT substr(day, 1, 7) AS month, policy_revision, tool, sanctioned, SUM(n) FROM counts WHERE event = 'visit'
     GROUP BY month, policy_revision, tool, sanctioned`,
  ).run();
  db.prepare('DELETE FROM known_groups').run();
  db.prepare("INSERT INTO known_groups (grp) SELECT DISTINCT grp FROM counts WHERE grp <> ''").run();
  db.prepare('DELETE FROM known_revisions').run();
  db.prepare(
    `INSERT INTO known_revisions (policy_revision, first_day)
     SELECT policy_revision, MIN(day) FROM counts GROUP BY policy_revision`,
  ).run();
  db.prepare(`INSERT INTO active_days SELECT day, grp, @every, SUM(people) FROM active_days GROUP BY day, grp`).run({
    every: EVERY_REVISION,
  });
}

export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/**
 * [from, to] as the whole calendar months inside it (YYYY-MM, null when there is none) and the days outside them:
 * a year is then about 11 rows a group from the month rollups and a month's worth of days around them.
 */
export function splitByMonth(from: string, to: string): { months: DayRange | null; days: DayRange[] } {
  const firstWhole = from.endsWith('-01') ? from : firstOfMonth(from, 1);
  const afterTo = addDays(to, 1);
  const afterLastWhole = afterTo.endsWith('-01') ? afterTo : firstOfMonth(to, 0);
  if (firstWhole >= afterLastWhole) return { months: null, days: [{ from, to }] };
  const days: DayRange[] = [];
  if (from < firstWhole) days.push({ from, to: addDays(firstWhole, -1) });
  if (to >= afterLastWhole) days.push({ from: afterLastWhole, to });
  return { months: { from: firstWhole.slice(0, 7), to: addDays(afterLastWhole, -1).slice(0, 7) }, days };
}
