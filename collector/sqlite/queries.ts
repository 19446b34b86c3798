/**
 * The counts as stored, for GET /api/v1/counts, and the dashboard's queries over the rollups
 * (schema.ts), for collector/dashboard-api.ts.
 */
import type Database from 'better-sqlite3';
import { addDays, firstOfMonth } from '../../lib/protocol/day';
import type { ReportEvent } from '../../lib/protocol/report-schema';
import {
  USAGE_KINDS,
  type CollectorStore,
  type CountRow,
  type CountFilter,
  type DashboardFilter,
  type GroupToolVisits,
  type GroupUsage,
  type ToolVisits,
  type UsageDay,
} from '../store';
import { splitByMonth } from './rollups';
import { eachKind, EVERY_REVISION, kindValues, usageOf, zeros, type KindTotals } from './schema';

interface RawCountRow {
  day: string;
  tool: string;
  event: ReportEvent;
  grp: string;
  policy_revision: string;
  sanctioned: number;
  n: number;
  people: number;
}

interface RawToolVisits {
  tool: string;
  sanctioned: number;
  n: number;
}

interface RangeParameters {
  from: string;
  to: string;
  revision: string;
}

type Queries = Pick<
  CollectorStore,
  'counts' | 'dashboardLists' | 'usageDays' | 'groupUsage' | 'toolVisits' | 'groupToolVisits' | 'sanctionedUnder'
>;

// Long: the statements, prepared once, that the short query functions at its end run.
export function createQueries(db: Database.Database): Queries {
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
        `SELECT day, tool, event, grp, policy_revision, sanctioned, n, people FROM counts ${where}
         ORDER BY day, tool, event, grp, policy_revision, sanctioned`,
      );
      countQueries.set(where, statement);
    }
    return statement;
  };

  // The dashboard's queries, rows as arrays: a key, then each kind's (n, people). The revision EVERY_REVISION asks
  // for every revision: usage_days and usage_months have rows of their own for it, counts and visit_months are
  // added up.
  // Over every group, whole months come from the month rollups and the days around them from the day rollups
  // (splitByMonth); one group's range is a row a day, read through the by-group indexes (named: without statistics,
  // SQLite would rather walk every group's rows of the range by the primary key, 4 times slower over a year). Over a
  // range, a kind's people are those of its largest day (store.ts UsageDay).
  const ANY_REVISION = `(@revision = '${EVERY_REVISION}' OR policy_revision = @revision)`;
  const COLUMNS = eachKind((kind) => `${kind}_n, ${kind}_people`);
  const SUMS = eachKind((kind) => `SUM(${kind}_n), SUM(${kind}_people)`);
  const LARGEST_DAY = eachKind((kind) => `SUM(${kind}_n), MAX(${kind}_people)`);
  const knownGroups = db.prepare<[], string>('SELECT grp FROM known_groups ORDER BY grp').pluck();
  const knownRevisions = db
    .prepare<[], string>('SELECT policy_revision FROM known_revisions ORDER BY first_day DESC, policy_revision DESC')
    .pluck();
  // A device marks a day's kind in one group only, so the groups' people of a day add up too.
  const fleetUsageDays = db
    .prepare<RangeParameters, unknown[]>(
      `SELECT day, ${SUMS} FROM usage_days WHERE policy_revision = @revision AND day BETWEEN @from AND @to
       GROUP BY day ORDER BY day`,
    )
    .raw();
  const groupUsageDays = db
    .prepare<RangeParameters & { group: string }, unknown[]>(
      `SELECT day, ${COLUMNS} FROM usage_days INDEXED BY usage_days_by_group
       WHERE grp = @group AND policy_revision = @revision AND day BETWEEN @from AND @to ORDER BY day`,
    )
    .raw();
  const usageByGroupOverDays = db
    .prepare<RangeParameters, unknown[]>(
      `SELECT grp, ${LARGEST_DAY} FROM usage_days
       WHERE policy_revision = @revision AND day BETWEEN @from AND @to GROUP BY grp`,
    )
    .raw();
  const usageByGroupOverMonths = db
    .prepare<RangeParameters, unknown[]>(
      `SELECT grp, ${LARGEST_DAY} FROM usage_months
       WHERE policy_revision = @revision AND month BETWEEN @from AND @to GROUP BY grp`,
    )
    .raw();
  const usageOfGroup = db
    .prepare<RangeParameters & { group: string }, unknown[]>(
      `SELECT ${LARGEST_DAY} FROM usage_days INDEXED BY usage_days_by_group
       WHERE grp = @group AND policy_revision = @revision AND day BETWEEN @from AND @to`,
    )
    .raw();
  // A tool's visits as the devices' policies sanctioned it or not: one tool may be both, under two revisions.
  const visitsOverDays = db.prepare<RangeParameters, RawToolVisits>(
    `SELECT tool, sanctioned, SUM(n) AS n FROM counts
     WHERE day BETWEEN @from AND @to AND event = 'visit' AND ${ANY_REVISION} GROUP BY tool, sanctioned`,
  );
  const visitsOverMonths = db.prepare<RangeParameters, RawToolVisits>(
    `SELECT tool, sanctioned, SUM(n) AS n FROM visit_months
     WHERE month BETWEEN @from AND @to AND ${ANY_REVISION} GROUP BY tool, sanctioned`,
  );
  const visitsOfGroup = db.prepare<RangeParameters & { group: string }, RawToolVisits & { people: number }>(
    `SELECT tool, sanctioned, SUM(n) AS n, MAX(people) AS people FROM (
       SELECT day, tool, sanctioned, SUM(n) AS n, SUM(people) AS people FROM counts
       WHERE grp = @group AND day BETWEEN @from AND @to AND event = 'visit' AND ${ANY_REVISION}
       GROUP BY day, tool, sanctioned)
     GROUP BY tool, sanctioned`,
  );

  const sanctionedUnder = db.prepare<[string], { tool: string; sanctioned: number }>(
    'SELECT DISTINCT tool, sanctioned FROM visit_months WHERE policy_revision = ? ORDER BY tool, sanctioned',
  );

  // Each MIN and MAX alone, so that each is one step down the primary key.
  const countedDays = db.prepare<{ every: string }, { first: string | null; last: string | null }>(
    `SELECT (SELECT MIN(day) FROM usage_days WHERE policy_revision = @every) AS first,
       (SELECT MAX(day) FROM usage_days WHERE policy_revision = @every) AS last`,
  );

  /**
   * Runs `overMonths` on the whole months of the filter's range and `overDays` on the days around them. Nothing is
   * counted before the first counted day or after the last, so a range starting (ending) there takes its first
   * (last) month whole: the default view, which ends today, reads this month from the month rollups.
   */
  function overRange<Row>(
    filter: DashboardFilter,
    overMonths: Database.Statement<RangeParameters, Row>,
    overDays: Database.Statement<RangeParameters, Row>,
  ): Row[] {
    const { first, last } = countedDays.get({ every: EVERY_REVISION }) as { first: string | null; last: string | null };
    const { months, days } = splitByMonth(
      first !== null && filter.from <= first ? firstOfMonth(filter.from, 0) : filter.from,
      last !== null && filter.to >= last ? addDays(firstOfMonth(filter.to, 1), -1) : filter.to,
    );
    const revision = filter.revision ?? EVERY_REVISION;
    const rows = months === null ? [] : overMonths.all({ ...months, revision });
    for (const range of days) rows.push(...overDays.all({ ...range, revision }));
    return rows;
  }

  return {
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
          sanctioned: row.sanctioned === 1,
          n: row.n,
          people: row.people,
        }));
    },
    dashboardLists: () => ({ groups: knownGroups.all(), revisions: knownRevisions.all() }),
    sanctionedUnder: (revision) =>
      sanctionedUnder.all(revision).map(({ tool, sanctioned }) => ({ tool, sanctioned: sanctioned === 1 })),
    usageDays(filter) {
      const parameters = { from: filter.from, to: filter.to, revision: filter.revision ?? EVERY_REVISION };
      const rows =
        filter.group === undefined
          ? fleetUsageDays.all(parameters)
          : groupUsageDays.all({ ...parameters, group: filter.group ?? '' });
      return rows.flatMap((row) => usageOf(row, 1).map((usage): UsageDay => ({ day: row[0] as string, ...usage })));
    },
    groupUsage(filter) {
      if (filter.group !== undefined) {
        const { group } = filter;
        const [row] = usageOfGroup.all({
          from: filter.from,
          to: filter.to,
          revision: filter.revision ?? EVERY_REVISION,
          group: group ?? '',
        });
        // An aggregate without GROUP BY answers one row, of NULLs when no day matched.
        return row === undefined || row[0] === null ? [] : usageOf(row, 0).map((usage) => ({ group, ...usage }));
      }
      const byGroup = new Map<string, KindTotals>();
      for (const row of overRange(filter, usageByGroupOverMonths, usageByGroupOverDays)) {
        const grp = row[0] as string;
        let totals = byGroup.get(grp);
        if (totals === undefined) byGroup.set(grp, (totals = { n: zeros(), people: zeros() }));
        for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
          (totals.n[kind] as number) += row[1 + 2 * kind] as number;
          totals.people[kind] = Math.max(totals.people[kind] as number, row[2 + 2 * kind] as number);
        }
      }
      return [...byGroup].flatMap(([grp, totals]) =>
        usageOf(kindValues(totals), 0).map((usage): GroupUsage => ({ group: grp === '' ? null : grp, ...usage })),
      );
    },
    toolVisits(filter) {
      const byTool = new Map<string, ToolVisits>();
      for (const { tool, sanctioned, n } of overRange(filter, visitsOverMonths, visitsOverDays)) {
        const key = `${sanctioned}${tool}`;
        const sum = byTool.get(key)?.n ?? 0;
        byTool.set(key, { tool, sanctioned: sanctioned === 1, n: sum + n });
      }
      return [...byTool.values()];
    },
    groupToolVisits: (filter) =>
      visitsOfGroup
        .all({
          from: filter.from,
          to: filter.to,
          revision: filter.revision ?? EVERY_REVISION,
          group: filter.group ?? '',
        })
        .map((row): GroupToolVisits => ({ ...row, sanctioned: row.sanctioned === 1 })),
  };
}
