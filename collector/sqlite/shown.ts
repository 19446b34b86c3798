/**
 * What the dashboard and the counts API may show, and nothing else: the shown_ tables (schema.ts), made per day
 * by collector/release.ts from the day's cells, and the queries over them.
 *
 * A day's shown rows depend on all of that day's cells (a fleet cell is their sum), so a day is made whole, anew,
 * whenever its counts changed: ingest marks the days it adds to (dirty_days). The collector makes them one day a
 * transaction between reports (collector/shown-maker.ts), so that ingestion never waits long, and reads what is
 * made: a query never makes days itself, or a report that marks a year of days would have every query hold the
 * event loop for the year. A year of a large fleet is then read from its month rows, as fast as the rollups it
 * replaces (bench/dashboard-bench.ts); another k clears every shown row and makes every day anew.
 */
import type Database from 'better-sqlite3';
import { addDays, firstOfMonth } from '../../lib/protocol/day';
import { release } from '../release';
import {
  USAGE_KINDS,
  type CollectorStore,
  type CountRow,
  type DashboardFilter,
  type ShownGroup,
  type ShownDay,
  type ToolVisits,
  type UsageKind,
} from '../store';
import { splitByMonth } from './rollups';
import type { Settings } from './sessions';
import {
  eachKind,
  EVERY_REVISION,
  KIND_COLUMNS,
  KIND_INDEX,
  kindValues,
  SHOWN_UNDER_K,
  usageOf,
  zeros,
  type KindTotals,
} from './schema';

type Shown = Pick<
  CollectorStore,
  'shownDaysToMake' | 'makeShownDay' | 'makeShownDays' | 'shownDays' | 'shownGroups' | 'shownToolVisits' | 'shownCounts'
>;

interface RangeParameters {
  from: string;
  to: string;
  revision: string;
}

interface RawToolVisits {
  tool: string;
  sanctioned: number;
  n: number;
}

const toolVisits = ({ tool, sanctioned, n }: RawToolVisits): ToolVisits => ({ tool, sanctioned: sanctioned === 1, n });

/** The first and last day a table holds, null when it is empty. */
interface Bounds {
  readonly first: string | null;
  readonly last: string | null;
}

const COLUMNS = eachKind((kind) => `${kind}_n, ${kind}_people`);
const SUMS = eachKind((kind) => `SUM(${kind}_n), SUM(${kind}_people)`);
const LARGEST_DAY = eachKind((kind) => `SUM(${kind}_n), MAX(${kind}_people)`);
/** A count's column in shown_days: released when above 0. */
const SHOWN_N_OF_COUNT = `CASE c.event ${USAGE_KINDS.filter((kind) => kind !== 'sanctioned' && kind !== 'shadow')
  .map((kind) => `WHEN '${kind}' THEN s.${KIND_COLUMNS[KIND_INDEX[kind]] as string}_n`)
  .join(' ')} ELSE CASE WHEN c.sanctioned THEN s.sanctioned_n ELSE s.shadow_n END END`;
const ANY_REVISION = `(@revision = '${EVERY_REVISION}' OR c.policy_revision = @revision)`;

/** Rows of kinds, in USAGE_KINDS order, per key, as the shown tables hold them; cells added up on the way. */
function kindRows() {
  const byKey = new Map<string, KindTotals>();
  return {
    add(key: string, kind: UsageKind, n: number, people: number) {
      let row = byKey.get(key);
      if (row === undefined) byKey.set(key, (row = { n: zeros(), people: zeros() }));
      (row.n[KIND_INDEX[kind]] as number) += n;
      (row.people[KIND_INDEX[kind]] as number) += people;
    },
    entries: () => [...byKey].map(([key, row]) => [key, kindValues(row)] as const),
  };
}

/** The statements that make a day's shown rows anew from its cells. */
function createMaker(db: Database.Database, usageCells: CollectorStore['usageCells']) {
  const forget = ['shown_days', 'shown_fleet', 'withheld_fleet', 'dirty_days'].map((table) =>
    db.prepare<[string]>(`DELETE FROM ${table} WHERE day = ?`),
  );
  const insertDay = db.prepare<(string | number)[]>(
    `INSERT INTO shown_days VALUES (?, ?, ?, ${eachKind(() => '?, ?')})`,
  );
  const insertFleet = db.prepare<(string | number)[]>(
    `INSERT INTO shown_fleet VALUES (?, ?, ${eachKind(() => '?, ?')})`,
  );
  const insertWithheld = db.prepare<[string, string, string]>('INSERT INTO withheld_fleet VALUES (?, ?, ?)');
  const forgetMonth = db.prepare<[string]>('DELETE FROM shown_months WHERE month = ?');
  const insertMonth = db.prepare<{ month: string; from: string; to: string }>(
    `INSERT INTO shown_months SELECT @month, grp, policy_revision, ${LARGEST_DAY} FROM shown_days
     INDEXED BY shown_days_by_day WHERE day BETWEEN @from AND @to GROUP BY grp, policy_revision`,
  );

  function makeDay(day: string, k: number): void {
    for (const statement of forget) statement.run(day);
    const cells = usageCells(day, day);
    const released = release(cells, k);
    const groupRows = kindRows();
    for (const cell of released.groups) {
      const group = cell.group ?? '';
      // The group's length says where it ends, so that the revision after it is read back whole.
      groupRows.add(JSON.stringify([group, cell.revision]), cell.kind, cell.n, cell.people);
      groupRows.add(JSON.stringify([group, EVERY_REVISION]), cell.kind, cell.n, cell.people);
    }
    for (const [key, values] of groupRows.entries()) {
      const [group, revision] = JSON.parse(key) as [string, string];
      insertDay.run(day, group, revision, ...values);
    }
    const fleetRows = kindRows();
    for (const cell of released.fleet) fleetRows.add(cell.revision, cell.kind, cell.n, cell.people);
    for (const [revision, values] of fleetRows.entries()) insertFleet.run(day, revision, ...values);
    const withheld = new Set(cells.map((cell) => JSON.stringify([cell.revision, cell.kind])));
    for (const cell of released.fleet) withheld.delete(JSON.stringify([cell.revision, cell.kind]));
    for (const key of withheld) insertWithheld.run(day, ...(JSON.parse(key) as [string, string]));
  }

  function makeMonth(month: string): void {
    forgetMonth.run(month);
    insertMonth.run({ month, from: `${month}-01`, to: addDays(firstOfMonth(`${month}-01`, 1), -1) });
  }

  return { makeDay, makeMonth };
}

// Long: the statements, prepared once, that the short query functions at its end run.
export function createShown(
  db: Database.Database,
  settings: Settings,
  usageCells: CollectorStore['usageCells'],
): Shown {
  const { makeDay, makeMonth } = createMaker(db, usageCells);
  const dirtyDays = db.prepare<[], string>('SELECT day FROM dirty_days ORDER BY day DESC').pluck();
  const isDirty = db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM dirty_days WHERE day = ?)').pluck();
  const anyDirtyDay = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM dirty_days)').pluck();
  const everyDayDirty = db.prepare('INSERT OR IGNORE INTO dirty_days SELECT DISTINCT day FROM usage_days');
  const clear = ['shown_days', 'shown_months', 'shown_fleet', 'withheld_fleet'].map((table) =>
    db.prepare(`DELETE FROM ${table}`),
  );
  const madeUnder = (k: number): boolean => settings.get(SHOWN_UNDER_K)?.toString() === String(k);
  /**
   * Under another k, nothing made under the old one may be read (a larger k withholds more): every shown row goes,
   * and every day is to be made. Until it is, a day shows nothing, which is what withheld looks like.
   */
  const startUnder = (k: number): void => {
    for (const statement of clear) statement.run();
    everyDayDirty.run();
    settings.set(SHOWN_UNDER_K, Buffer.from(String(k)));
  };
  const underK = db.transaction((k: number) => {
    if (!madeUnder(k)) startUnder(k);
  });
  /** Before any read: the rows read were made under this k. */
  const ensureUnder = (k: number): void => {
    if (!madeUnder(k)) underK.immediate(k);
  };
  const makeDays = (days: readonly string[], k: number): void => {
    for (const day of days) makeDay(day, k);
    for (const month of new Set(days.map((day) => day.slice(0, 7)))) makeMonth(month);
  };
  const makeEveryDirtyDay = db.transaction((k: number) => {
    if (!madeUnder(k)) startUnder(k);
    makeDays(dirtyDays.all(), k);
  });
  const daysToMake = db.transaction((k: number) => {
    if (!madeUnder(k)) startUnder(k);
    return dirtyDays.all();
  });
  const makeOneDay = db.transaction((day: string, k: number) => {
    if (!madeUnder(k)) startUnder(k);
    if (isDirty.get(day) === 1) makeDays([day], k);
  });

  const fleetDays = db
    .prepare<RangeParameters, unknown[]>(
      `SELECT day, ${SUMS} FROM shown_fleet WHERE day BETWEEN @from AND @to
       AND (@revision = '${EVERY_REVISION}' OR policy_revision = @revision) GROUP BY day ORDER BY day`,
    )
    .raw();
  const groupDays = db
    .prepare<RangeParameters & { group: string }, unknown[]>(
      `SELECT day, ${COLUMNS} FROM shown_days INDEXED BY shown_days_by_group
       WHERE grp = @group AND policy_revision = @revision AND day BETWEEN @from AND @to ORDER BY day`,
    )
    .raw();
  const groupsOverDays = db
    .prepare<RangeParameters, unknown[]>(
      `SELECT grp, ${LARGEST_DAY} FROM shown_days
       WHERE policy_revision = @revision AND day BETWEEN @from AND @to GROUP BY grp`,
    )
    .raw();
  const groupsOverMonths = db
    .prepare<RangeParameters, unknown[]>(
      `SELECT grp, ${LARGEST_DAY} FROM shown_months
       WHERE policy_revision = @revision AND month BETWEEN @from AND @to GROUP BY grp`,
    )
    .raw();
  const oneGroup = db
    .prepare<RangeParameters & { group: string }, unknown[]>(
      `SELECT ${LARGEST_DAY} FROM shown_days INDEXED BY shown_days_by_group
       WHERE grp = @group AND policy_revision = @revision AND day BETWEEN @from AND @to`,
    )
    .raw();
  // Each MIN and MAX alone, so that each is one step down the primary key.
  const shownRange = db.prepare<{ every: string }, Bounds>(
    `SELECT (SELECT MIN(day) FROM shown_days WHERE policy_revision = @every) AS first,
       (SELECT MAX(day) FROM shown_days WHERE policy_revision = @every) AS last`,
  );
  const countedRange = db.prepare<[], Bounds>(
    'SELECT (SELECT MIN(day) FROM counts) AS first, (SELECT MAX(day) FROM counts) AS last',
  );
  // A tool's visits as the devices' policies sanctioned it or not: one tool may be both, under two revisions.
  const visitsOverDays = db.prepare<RangeParameters, RawToolVisits>(
    `SELECT tool, sanctioned, SUM(n) AS n FROM counts c
     WHERE day BETWEEN @from AND @to AND event = 'visit' AND ${ANY_REVISION} GROUP BY tool, sanctioned`,
  );
  const visitsOverMonths = db.prepare<RangeParameters, RawToolVisits>(
    `SELECT tool, sanctioned, SUM(n) AS n FROM visit_months c
     WHERE month BETWEEN @from AND @to AND ${ANY_REVISION} GROUP BY tool, sanctioned`,
  );
  /**
   * The visits of a day's withheld fleet cells, in one pass over the day's counts: a cell at a time, a flood of
   * revisions each withheld (up to the 1,000 a collector takes, known-values.ts) read the day 1,000 times (53 ms).
   */
  const withheldVisitsOfDay = db.prepare<{ day: string; revision: string }, RawToolVisits>(
    `SELECT tool, sanctioned, SUM(n) AS n FROM counts c
     WHERE day = @day AND event = 'visit' AND ${ANY_REVISION} AND EXISTS (SELECT 1 FROM withheld_fleet w
       WHERE w.day = c.day AND w.policy_revision = c.policy_revision
       AND w.kind = CASE WHEN c.sanctioned THEN 'sanctioned' ELSE 'shadow' END)
     GROUP BY tool, sanctioned`,
  );
  const visitsOfDay = db.prepare<{ day: string; revision: string }, RawToolVisits>(
    `SELECT tool, sanctioned, SUM(n) AS n FROM counts c
     WHERE day = @day AND event = 'visit' AND ${ANY_REVISION} GROUP BY tool, sanctioned`,
  );
  const dirtyDaysIn = db
    .prepare<RangeParameters, string>('SELECT day FROM dirty_days WHERE day BETWEEN @from AND @to')
    .pluck();
  const withheldDays = db
    .prepare<RangeParameters, string>(
      `SELECT DISTINCT day FROM withheld_fleet WHERE day BETWEEN @from AND @to
       AND (@revision = '${EVERY_REVISION}' OR policy_revision = @revision) AND kind IN ('sanctioned', 'shadow')`,
    )
    .pluck();
  // A count is shown when its group cell is: its kind's count in shown_days is above 0.
  const groupVisits = db.prepare<RangeParameters & { group: string }, RawToolVisits>(
    `SELECT c.tool, c.sanctioned, SUM(c.n) AS n FROM counts c INDEXED BY counts_by_group
     JOIN shown_days s ON s.policy_revision = c.policy_revision AND s.day = c.day AND s.grp = c.grp
     WHERE c.grp = @group AND c.day BETWEEN @from AND @to AND c.event = 'visit' AND ${ANY_REVISION}
       AND ${SHOWN_N_OF_COUNT} > 0
     GROUP BY c.tool, c.sanctioned`,
  );
  const countStatements = new Map<string, Database.Statement<Record<string, string>, CountRow & { grp: string }>>();

  /**
   * Runs `overMonths` on the whole months of the range and `overDays` on the days around them (splitByMonth). Its
   * table holds nothing before `bounds.first` or after `bounds.last`, so a range starting (ending) there takes its
   * first (last) month whole: the default view, which ends today, reads this month from its month row.
   */
  function overRange<Row>(
    filter: DashboardFilter,
    bounds: Bounds,
    overMonths: Database.Statement<RangeParameters, Row>,
    overDays: Database.Statement<RangeParameters, Row>,
  ): Row[] {
    const { first, last } = bounds;
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
    shownDaysToMake: (k) => (madeUnder(k) ? dirtyDays.all() : daysToMake.immediate(k)),
    makeShownDay: (day, k) => makeOneDay.immediate(day, k),
    makeShownDays: (k) => {
      if (!madeUnder(k) || anyDirtyDay.get() === 1) makeEveryDirtyDay.immediate(k);
    },
    shownDays(filter, k) {
      ensureUnder(k);
      const parameters = { from: filter.from, to: filter.to, revision: filter.revision ?? EVERY_REVISION };
      const rows =
        filter.group === undefined
          ? fleetDays.all(parameters)
          : groupDays.all({ ...parameters, group: filter.group ?? '' });
      return rows.flatMap((row) => usageOf(row, 1).map((usage): ShownDay => ({ day: row[0] as string, ...usage })));
    },
    shownGroups(filter, k) {
      ensureUnder(k);
      if (filter.group !== undefined) {
        const { group } = filter;
        const [row] = oneGroup.all({
          from: filter.from,
          to: filter.to,
          revision: filter.revision ?? EVERY_REVISION,
          group: group ?? '',
        });
        // An aggregate without GROUP BY answers one row, of NULLs when no day matched.
        return row === undefined || row[0] === null ? [] : usageOf(row, 0).map((usage) => ({ group, ...usage }));
      }
      const byGroup = new Map<string, KindTotals>();
      const bounds = shownRange.get({ every: EVERY_REVISION }) as Bounds;
      for (const row of overRange(filter, bounds, groupsOverMonths, groupsOverDays)) {
        const grp = row[0] as string;
        let totals = byGroup.get(grp);
        if (totals === undefined) byGroup.set(grp, (totals = { n: zeros(), people: zeros() }));
        for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
          (totals.n[kind] as number) += row[1 + 2 * kind] as number;
          totals.people[kind] = Math.max(totals.people[kind] as number, row[2 + 2 * kind] as number);
        }
      }
      return [...byGroup].flatMap(([grp, totals]) =>
        usageOf(kindValues(totals), 0).map((usage): ShownGroup => ({ group: grp === '' ? null : grp, ...usage })),
      );
    },
    shownToolVisits(filter, k) {
      ensureUnder(k);
      const parameters = { from: filter.from, to: filter.to, revision: filter.revision ?? EVERY_REVISION };
      if (filter.group !== undefined) {
        return groupVisits.all({ ...parameters, group: filter.group ?? '' }).map(toolVisits);
      }
      // Every visit of the range, less those of the fleet's withheld cells, which are few.
      const visits = new Map<string, ToolVisits>();
      const add = ({ tool, sanctioned, n }: ToolVisits, sign: 1 | -1) => {
        const key = `${sanctioned ? 1 : 0}${tool}`;
        const sum = (visits.get(key)?.n ?? 0) + sign * n;
        if (sum === 0) visits.delete(key);
        else visits.set(key, { tool, sanctioned, n: sum });
      };
      const bounds = countedRange.get() as Bounds;
      for (const row of overRange(filter, bounds, visitsOverMonths, visitsOverDays)) add(toolVisits(row), 1);
      // A day not made since its counts changed may hold anyone's visits: none of it counts until it is made.
      const unmade = new Set(dirtyDaysIn.all(parameters));
      for (const day of unmade) {
        for (const row of visitsOfDay.all({ day, revision: parameters.revision })) add(toolVisits(row), -1);
      }
      for (const day of withheldDays.all(parameters)) {
        if (unmade.has(day)) continue;
        for (const row of withheldVisitsOfDay.all({ day, revision: parameters.revision })) add(toolVisits(row), -1);
      }
      return [...visits.values()];
    },
    shownCounts(filter, k) {
      ensureUnder(k);
      const conditions = [`${SHOWN_N_OF_COUNT} > 0`];
      const parameters: Record<string, string> = {};
      for (const [name, column] of [
        ['from', 'c.day >='],
        ['to', 'c.day <='],
        ['tool', 'c.tool ='],
        ['event', 'c.event ='],
        ['group', 'c.grp ='],
      ] as const) {
        const value = name === 'group' ? (filter.group === undefined ? undefined : (filter.group ?? '')) : filter[name];
        if (value === undefined) continue;
        conditions.push(`${column} @${name}`);
        parameters[name] = value;
      }
      const where = conditions.join(' AND ');
      let statement = countStatements.get(where);
      if (statement === undefined) {
        statement = db.prepare(
          `SELECT c.day, c.tool, c.event, c.grp, c.policy_revision AS policyRevision, c.sanctioned, c.n, c.people
           FROM counts c JOIN shown_days s ON s.policy_revision = c.policy_revision AND s.day = c.day AND s.grp = c.grp
           WHERE ${where} ORDER BY c.day, c.tool, c.event, c.grp, c.policy_revision, c.sanctioned`,
        );
        countStatements.set(where, statement);
      }
      return statement.all(parameters).map(({ grp, ...row }) => ({
        ...row,
        group: grp === '' ? null : grp,
        sanctioned: (row.sanctioned as unknown) === 1,
      }));
    },
  };
}
