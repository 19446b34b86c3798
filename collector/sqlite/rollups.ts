/**
 * Building the dashboard's rollups from the counts (schema.ts), and cutting a range of days into the
 * whole months the month rollups answer and the days around them.
 */
import type Database from 'better-sqlite3';
import { addDays, firstOfMonth } from '../../lib/protocol/day';
import { USAGE_KINDS, type UsageKind } from '../store';
import { eachKind, EVERY_REVISION, KIND_COLUMNS, KIND_INDEX, SANCTIONED_TOOLS } from './schema';

/** Visits of the tools in the JSON list @sanctioned are 'sanctioned', of any other 'shadow'; other events are kinds. */
const KIND_OF_COUNT = `CASE WHEN event <> 'visit' THEN event
  WHEN tool IN (SELECT value FROM json_each(@sanctioned)) THEN 'sanctioned' ELSE 'shadow' END`;

/** Counts of `kinds` from rows (kind, n, batches) of one rollup row: the sum, and the most batches of one cell. */
const pivot = (kinds: readonly UsageKind[]): string =>
  kinds
    .map((kind) => {
      const column = KIND_COLUMNS[KIND_INDEX[kind]] as string;
      return `SUM(CASE kind WHEN '${kind}' THEN n ELSE 0 END) AS ${column}_n,
        MAX(CASE kind WHEN '${kind}' THEN batches ELSE 0 END) AS ${column}_batches`;
    })
    .join(', ');

/**
 * Builds the rollups from the counts, for a file of schema 1 or a new list of sanctioned tools (`visits`: the
 * other kinds keep their exact batches). The counts do not say which batches added to which cell, so a rebuilt
 * kind's batches is the most of any one of its cells: a lower bound, as k needs (store.ts UsageDay). Batches
 * ingested later add to it exactly, and it stays a lower bound.
 */
export function rebuildRollups(db: Database.Database, sanctioned: readonly string[], scope: 'all' | 'visits'): void {
  const parameters = { sanctioned: JSON.stringify(sanctioned) };
  db.transaction(() => {
    if (scope === 'all') {
      db.prepare('DELETE FROM usage_days').run();
      db.prepare(
        `INSERT INTO usage_days (day, grp, policy_revision, ${eachKind((kind) => `${kind}_n, ${kind}_batches`)})
         SELECT day, grp, policy_revision, ${pivot(USAGE_KINDS)}
         FROM (SELECT day, grp, policy_revision, ${KIND_OF_COUNT} AS kind, n, batches FROM counts)
         GROUP BY day, grp, policy_revision`,
      ).run(parameters);
      db.prepare('DELETE FROM visit_months').run();
      db.prepare(
        `INSERT INTO visit_months (month, policy_revision, tool, n)
         SELECT substr(day, 1, 7) AS month, policy_revision, tool, SUM(n) FROM counts WHERE event = 'visit'
         GROUP BY month, policy_revision, tool`,
      ).run();
      db.prepare('DELETE FROM known_groups').run();
      db.prepare("INSERT INTO known_groups (grp) SELECT DISTINCT grp FROM counts WHERE grp <> ''").run();
      db.prepare('DELETE FROM known_revisions').run();
      db.prepare(
        `INSERT INTO known_revisions (policy_revision, first_day)
         SELECT policy_revision, MIN(day) FROM counts GROUP BY policy_revision`,
      ).run();
    } else {
      // Every (day, group, revision) with visits has its row already; without visits, both kinds stay 0.
      db.prepare(
        `UPDATE usage_days SET sanctioned_n = v.sanctioned_n, sanctioned_batches = v.sanctioned_batches,
           shadow_n = v.shadow_n, shadow_batches = v.shadow_batches
         FROM (
           SELECT day, grp, policy_revision, ${pivot(['sanctioned', 'shadow'])}
           FROM (SELECT day, grp, policy_revision, ${KIND_OF_COUNT} AS kind, n, batches FROM counts WHERE event = 'visit')
           GROUP BY day, grp, policy_revision
         ) AS v
         WHERE usage_days.policy_revision = v.policy_revision AND usage_days.day = v.day AND usage_days.grp = v.grp`,
      ).run(parameters);
    }
    // The rows of every revision and the months follow from usage_days' rows of each revision.
    db.prepare('DELETE FROM usage_days WHERE policy_revision = @every').run({ every: EVERY_REVISION });
    db.prepare(
      `INSERT INTO usage_days
       SELECT day, grp, @every, ${eachKind((kind) => `SUM(${kind}_n), SUM(${kind}_batches)`)}
       FROM usage_days WHERE policy_revision <> @every GROUP BY day, grp`,
    ).run({ every: EVERY_REVISION });
    db.prepare('DELETE FROM usage_months').run();
    db.prepare(
      `INSERT INTO usage_months
       SELECT substr(day, 1, 7) AS month, grp, policy_revision, ${eachKind((kind) => `SUM(${kind}_n), MAX(${kind}_batches)`)}
       FROM usage_days GROUP BY month, grp, policy_revision`,
    ).run();
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value').run(
      SANCTIONED_TOOLS,
      Buffer.from(JSON.stringify(sanctioned)),
    );
  }).immediate();
}

/** YYYY-MM-DD of a UTC date. */

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
