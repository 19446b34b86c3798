/**
 * The collector's default store: one SQLite file in the data directory, through
 * better-sqlite3 (synchronous, so a transaction never interleaves with another
 * request of this process; BEGIN IMMEDIATE covers a second process on the file).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addDays, firstOfMonth } from '../lib/protocol/day';
import type { Report, ReportEvent } from '../lib/protocol/report-schema';
import {
  USAGE_KINDS,
  type CollectorStore,
  type CountFilter,
  type CountRow,
  type DashboardFilter,
  type GroupToolVisits,
  type GroupUsage,
  type IngestResult,
  type ToolVisits,
  type UsageDay,
  type UsageKind,
} from './store';

export const DATABASE_FILE = 'collector.sqlite3';

/**
 * Bumped with every change of the tables below; a file from a newer release is refused, never misread.
 * 2: the dashboard's rollups, built from the counts when a file of version 1 is opened.
 */
const SCHEMA_VERSION = 2;

/** A UsageKind's columns in the rollups: `<kind>_n` and `<kind>_batches`, in USAGE_KINDS order. */
const KIND_COLUMNS = USAGE_KINDS.map((kind) => kind.replace('-', '_'));
const eachKind = (sql: (column: string) => string): string => KIND_COLUMNS.map(sql).join(', ');
const KIND_INDEX = Object.fromEntries(USAGE_KINDS.map((kind, i) => [kind, i])) as Record<UsageKind, number>;
/** The revision of the rollup rows that add up every revision: a report's revision is 1 to 64 characters. */
const EVERY_REVISION = '';

/**
 * The dashboard's rollups (collector/dashboard-api.ts), kept in the transaction that adds the counts, so that a
 * year of a large fleet is read from thousands of rows rather than a million. One row holds every UsageKind, as a
 * column pair: a report then writes a row a day it holds, not one a day and kind (bench/collector-bench.ts).
 *
 * - usage_days: per day, group and revision, each kind's count and the distinct batches that added to it, exact
 *   (store.ts UsageDay), which the counts cannot give: a batch adds 1 to every (tool, event) cell it touches. Under
 *   the revision '' (EVERY_REVISION, which no report can carry), the day's rows of every revision added up: a batch
 *   has one revision, so their batches add up.
 * - usage_months: the same per month, `_batches` being the most of one of its days (what a range over whole months
 *   needs, see groupUsage).
 * - visit_months: visits per month, revision and tool, for the top tools of long ranges.
 * - known_groups, known_revisions: the dashboard's filters; a revision's first day orders them.
 */
const ROLLUP_TABLES = `
CREATE TABLE IF NOT EXISTS usage_days (
  day TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  ${eachKind((kind) => `${kind}_n INTEGER NOT NULL, ${kind}_batches INTEGER NOT NULL`)},
  PRIMARY KEY (policy_revision, day, grp)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS usage_days_by_group ON usage_days (grp, policy_revision, day);
CREATE TABLE IF NOT EXISTS usage_months (
  month TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  ${eachKind((kind) => `${kind}_n INTEGER NOT NULL, ${kind}_batches INTEGER NOT NULL`)},
  PRIMARY KEY (policy_revision, month, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS visit_months (
  month TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  tool TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (month, policy_revision, tool)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS known_groups (
  grp TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS known_revisions (
  policy_revision TEXT PRIMARY KEY,
  first_day TEXT NOT NULL
) WITHOUT ROWID;
`;

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
CREATE INDEX IF NOT EXISTS counts_by_group ON counts (grp, day);
${ROLLUP_TABLES}`;

const GENERATED_ADMIN_TOKEN_HASH = 'generated-admin-token-sha256';
const SESSIONS_ADMIN_TOKEN_HASH = 'sessions-admin-token-sha256';
/** The sorted JSON list of the tools the rollups count as sanctioned. */
const SANCTIONED_TOOLS = 'sanctioned-tools';

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

/** What the reports of one transaction add to a row of usage_days; per kind, in USAGE_KINDS order. */
interface Usage {
  readonly day: string;
  readonly group: string;
  readonly policyRevision: string;
  readonly n: number[];
  readonly batches: number[];
  /** The index of the last report that added to each kind. */
  readonly lastReport: number[];
}

/** Per kind, in USAGE_KINDS order. */
interface KindTotals {
  readonly n: number[];
  readonly batches: number[];
}

const zeros = (): number[] => USAGE_KINDS.map(() => 0);
/** The (n, batches) pairs of a row's kinds, as the rollups' columns hold them. */
const kindValues = ({ n, batches }: KindTotals): number[] =>
  n.flatMap((count, kind) => [count, batches[kind] as number]);

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

interface DayRange {
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

/** Named parameters of the dashboard's queries; the revision EVERY_REVISION matches every revision. */
interface RangeParameters {
  from: string;
  to: string;
  revision: string;
}

/** The kinds with counts of a raw row whose (n, batches) pairs start at `offset`. */
function usageOf(row: readonly unknown[], offset: number): { kind: UsageKind; n: number; batches: number }[] {
  return USAGE_KINDS.flatMap((kind, i) => {
    const n = row[offset + 2 * i] as number;
    return n === 0 ? [] : [{ kind, n, batches: row[offset + 2 * i + 1] as number }];
  });
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
    // A new file has no counts: its rollups are built empty, at no cost. A file of schema 1 knew no policy.
    if (version < 2) rebuildRollups(db, [], 'all');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } catch (error) {
    db.close();
    throw error;
  }

  const getSetting = db.prepare<[string], { value: Buffer }>('SELECT value FROM settings WHERE key = ?');
  const setSetting = db.prepare<[string, Buffer]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  );
  let sanctionedJson = getSetting.get(SANCTIONED_TOOLS)?.value.toString('utf8') ?? '[]';
  let sanctioned = new Set(JSON.parse(sanctionedJson) as string[]);

  const insertBatch = db.prepare<[Buffer]>('INSERT OR IGNORE INTO batches (id) VALUES (?)');
  const selectBatch = db.prepare<[Buffer]>('SELECT 1 FROM batches WHERE id = ?').pluck();
  // Most cells exist after the first days, so an UPDATE alone finds them: one B-tree search where an upsert
  // (INSERT ... ON CONFLICT DO UPDATE) makes two. bench/collector-bench.ts: about a tenth less time per report.
  const addToCount = db.prepare<[number, number, string, string, string, string, string]>(
    `UPDATE counts SET n = n + ?, batches = batches + ?
     WHERE day = ? AND tool = ? AND event = ? AND grp = ? AND policy_revision = ?`,
  );
  const insertCount = db.prepare<[string, string, string, string, string, number, number]>(
    'INSERT INTO counts (day, tool, event, grp, policy_revision, n, batches) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // The rollups get a few rows a transaction (a row a day, group and revision), so an upsert costs little; the
  // visits of every tool of a month go in one statement, SQLite walking the JSON.
  const addToVisitMonths = db.prepare<{ month: string; revision: string; visits: string }>(
    `INSERT INTO visit_months (month, policy_revision, tool, n)
     SELECT @month, @revision, key, value FROM json_each(@visits) WHERE true
     ON CONFLICT DO UPDATE SET n = n + excluded.n`,
  );
  const addToUsageDay = db
    .prepare<(string | number)[], number[]>(
      `INSERT INTO usage_days VALUES (?, ?, ?, ${eachKind(() => '?, ?')})
       ON CONFLICT DO UPDATE SET
         ${eachKind((kind) => `${kind}_n = ${kind}_n + excluded.${kind}_n, ${kind}_batches = ${kind}_batches + excluded.${kind}_batches`)}
       RETURNING ${eachKind((kind) => `${kind}_batches`)}`,
    )
    .raw();
  const addToUsageMonth = db.prepare<(string | number)[]>(
    `INSERT INTO usage_months VALUES (?, ?, ?, ${eachKind(() => '?, ?')})
     ON CONFLICT DO UPDATE SET
       ${eachKind((kind) => `${kind}_n = ${kind}_n + excluded.${kind}_n, ${kind}_batches = max(${kind}_batches, excluded.${kind}_batches)`)}`,
  );
  const addKnownGroup = db.prepare<[string]>('INSERT OR IGNORE INTO known_groups (grp) VALUES (?)');
  const addKnownRevision = db.prepare<[string, string]>(
    `INSERT INTO known_revisions (policy_revision, first_day) VALUES (?, ?)
     ON CONFLICT DO UPDATE SET first_day = min(first_day, excluded.first_day)`,
  );

  // IMMEDIATE takes the write lock before any batchId is looked up, so two writers cannot both see one as new.
  const ingestInTransaction = db.transaction((reports: readonly Report[]): IngestResult[] => {
    const cells = new Map<string, Cell>();
    const usages = new Map<string, Usage>();
    const results = reports.map((report, index): IngestResult => {
      if (insertBatch.run(uuidBytes(report.batchId)).changes === 0) return 'duplicate';
      const group = report.group ?? '';
      const { policyRevision } = report;
      // Day, tool and event hold no space; group and revision may hold anything, so the group's length says
      // where it ends ("a b" + "c" and "a" + "b c" are two cells).
      const groupAndRevision = `${group.length} ${group}${policyRevision}`;
      const usagesOfReport = new Map<string, Usage>();
      for (const { day, tool, event, n } of report.counts) {
        const key = `${day} ${tool} ${event} ${groupAndRevision}`;
        const cell = cells.get(key);
        if (cell === undefined) {
          cells.set(key, { day, tool, event, group, policyRevision, n, batches: 1, lastReport: index });
        } else {
          cell.n += n;
          // A batch adds 1 to a cell's batch count however many of its entries fall into the cell.
          if (cell.lastReport !== index) {
            cell.batches += 1;
            cell.lastReport = index;
          }
        }

        let usage = usagesOfReport.get(day);
        if (usage === undefined) {
          const usageKey = `${day} ${groupAndRevision}`;
          usage = usages.get(usageKey);
          if (usage === undefined) {
            usage = { day, group, policyRevision, n: zeros(), batches: zeros(), lastReport: zeros() };
            usage.lastReport.fill(-1);
            usages.set(usageKey, usage);
          }
          usagesOfReport.set(day, usage);
        }
        const kind = KIND_INDEX[event !== 'visit' ? event : sanctioned.has(tool) ? 'sanctioned' : 'shadow'];
        (usage.n[kind] as number) += n;
        // Likewise a batch adds 1 to a kind of a day however many tools it names there.
        if (usage.lastReport[kind] !== index) {
          (usage.batches[kind] as number) += 1;
          usage.lastReport[kind] = index;
        }
      }
      return 'accepted';
    });

    const visitMonths = new Map<string, { month: string; policyRevision: string; visits: Map<string, number> }>();
    for (const { day, tool, event, group, policyRevision, n, batches } of cells.values()) {
      if (addToCount.run(n, batches, day, tool, event, group, policyRevision).changes === 0) {
        insertCount.run(day, tool, event, group, policyRevision, n, batches);
      }
      if (event !== 'visit') continue;
      const month = day.slice(0, 7);
      // The month's length is fixed, so the revision after it ends the key.
      const key = `${month}${policyRevision}`;
      let visitMonth = visitMonths.get(key);
      if (visitMonth === undefined) visitMonths.set(key, (visitMonth = { month, policyRevision, visits: new Map() }));
      visitMonth.visits.set(tool, (visitMonth.visits.get(tool) ?? 0) + n);
    }
    for (const { month, policyRevision, visits } of visitMonths.values()) {
      addToVisitMonths.run({ month, revision: policyRevision, visits: JSON.stringify(Object.fromEntries(visits)) });
    }

    const months = new Map<string, KindTotals & { month: string; group: string; policyRevision: string }>();
    /** Adds to a row of usage_days, and the row's new batches to its month's largest day. */
    const addToDayAndMonth = (day: string, group: string, policyRevision: string, totals: KindTotals): void => {
      const dayBatches = addToUsageDay.get(day, group, policyRevision, ...kindValues(totals)) as number[];
      const month = day.slice(0, 7);
      const key = `${month} ${group.length} ${group}${policyRevision}`;
      let inMonth = months.get(key);
      if (inMonth === undefined) {
        months.set(key, (inMonth = { month, group, policyRevision, n: zeros(), batches: zeros() }));
      }
      for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
        (inMonth.n[kind] as number) += totals.n[kind] as number;
        inMonth.batches[kind] = Math.max(inMonth.batches[kind] as number, dayBatches[kind] as number);
      }
    };
    // Batches of different revisions are different batches: their days add up.
    const everyRevision = new Map<string, KindTotals & { day: string; group: string }>();
    const groups = new Set<string>();
    const firstDays = new Map<string, string>();
    for (const usage of usages.values()) {
      const { day, group, policyRevision } = usage;
      addToDayAndMonth(day, group, policyRevision, usage);
      // The day's length is fixed, so what follows it ends the key.
      let every = everyRevision.get(`${day}${group}`);
      if (every === undefined)
        everyRevision.set(`${day}${group}`, (every = { day, group, n: zeros(), batches: zeros() }));
      for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
        (every.n[kind] as number) += usage.n[kind] as number;
        (every.batches[kind] as number) += usage.batches[kind] as number;
      }
      if (group !== '') groups.add(group);
      const firstDay = firstDays.get(policyRevision);
      if (firstDay === undefined || day < firstDay) firstDays.set(policyRevision, day);
    }
    for (const every of everyRevision.values()) addToDayAndMonth(every.day, every.group, EVERY_REVISION, every);
    for (const inMonth of months.values()) {
      addToUsageMonth.run(inMonth.month, inMonth.group, inMonth.policyRevision, ...kindValues(inMonth));
    }
    for (const group of groups) addKnownGroup.run(group);
    for (const [policyRevision, day] of firstDays) addKnownRevision.run(policyRevision, day);
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

  // The dashboard's queries, rows as arrays: a key, then each kind's (n, batches). The revision EVERY_REVISION asks
  // for every revision: usage_days and usage_months have rows of their own for it, counts and visit_months are
  // added up.
  // Over every group, whole months come from the month rollups and the days around them from the day rollups
  // (splitByMonth); one group's range is a row a day, read through the by-group indexes (named: without statistics,
  // SQLite would rather walk every group's rows of the range by the primary key, 4 times slower over a year). Over a
  // range, a kind's batches are those of its largest day (store.ts UsageDay).
  const ANY_REVISION = `(@revision = '${EVERY_REVISION}' OR policy_revision = @revision)`;
  const COLUMNS = eachKind((kind) => `${kind}_n, ${kind}_batches`);
  const SUMS = eachKind((kind) => `SUM(${kind}_n), SUM(${kind}_batches)`);
  const LARGEST_DAY = eachKind((kind) => `SUM(${kind}_n), MAX(${kind}_batches)`);
  const knownGroups = db.prepare<[], string>('SELECT grp FROM known_groups ORDER BY grp').pluck();
  const knownRevisions = db
    .prepare<[], string>('SELECT policy_revision FROM known_revisions ORDER BY first_day DESC, policy_revision DESC')
    .pluck();
  // Groups hold different batches, so their batches of a day add up too.
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
  const visitsOverDays = db.prepare<RangeParameters, ToolVisits>(
    `SELECT tool, SUM(n) AS n FROM counts
     WHERE day BETWEEN @from AND @to AND event = 'visit' AND ${ANY_REVISION} GROUP BY tool`,
  );
  const visitsOverMonths = db.prepare<RangeParameters, ToolVisits>(
    `SELECT tool, SUM(n) AS n FROM visit_months WHERE month BETWEEN @from AND @to AND ${ANY_REVISION} GROUP BY tool`,
  );
  const visitsOfGroup = db.prepare<RangeParameters & { group: string }, GroupToolVisits>(
    `SELECT tool, SUM(n) AS n, MAX(batches) AS batches FROM (
       SELECT day, tool, SUM(n) AS n, SUM(batches) AS batches FROM counts
       WHERE grp = @group AND day BETWEEN @from AND @to AND event = 'visit' AND ${ANY_REVISION} GROUP BY day, tool)
     GROUP BY tool`,
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
    hasBatch: (batchId) => selectBatch.get(uuidBytes(batchId)) !== undefined,
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
    setSanctionedTools(ids) {
      const list = [...new Set(ids)].sort();
      const json = JSON.stringify(list);
      if (json === sanctionedJson) return false;
      rebuildRollups(db, list, 'visits');
      sanctionedJson = json;
      sanctioned = new Set(list);
      return true;
    },
    dashboardLists: () => ({ groups: knownGroups.all(), revisions: knownRevisions.all() }),
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
        if (totals === undefined) byGroup.set(grp, (totals = { n: zeros(), batches: zeros() }));
        for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
          (totals.n[kind] as number) += row[1 + 2 * kind] as number;
          totals.batches[kind] = Math.max(totals.batches[kind] as number, row[2 + 2 * kind] as number);
        }
      }
      return [...byGroup].flatMap(([grp, totals]) =>
        usageOf(kindValues(totals), 0).map((usage): GroupUsage => ({ group: grp === '' ? null : grp, ...usage })),
      );
    },
    toolVisits(filter) {
      const byTool = new Map<string, number>();
      for (const { tool, n } of overRange(filter, visitsOverMonths, visitsOverDays)) {
        byTool.set(tool, (byTool.get(tool) ?? 0) + n);
      }
      return [...byTool].map(([tool, n]) => ({ tool, n }));
    },
    groupToolVisits: (filter) =>
      visitsOfGroup.all({
        from: filter.from,
        to: filter.to,
        revision: filter.revision ?? EVERY_REVISION,
        group: filter.group ?? '',
      }),
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
