/**
 * The SQLite file's tables (collector/sqlite-store.ts opens it): counts, batchIds, sessions and settings,
 * and the dashboard's rollups, with the helpers that name a UsageKind's columns.
 */
import { USAGE_KINDS, type UsageKind } from '../store';

export const DATABASE_FILE = 'collector.sqlite3';

/**
 * Bumped with every change of the tables below; a file from a newer release is refused, never misread.
 * 2: the dashboard's rollups, built from the counts when a file of version 1 is opened.
 * 3: people instead of batches (docs/spec/report-protocol.md "People"), and whether the device's policy sanctions
 *    the tool, in the counts. A file of version 1 or 2 knew no people: its counts are kept with 0 people.
 * 4: what collector/release.ts releases, kept per day (the shown_ tables) in place of the month rollups of
 *    usage_days and its rows of every revision.
 * 5: the day each batchId was accepted, so that ids past the retention go (retention.ts).
 */
export const SCHEMA_VERSION = 5;

/** A UsageKind's columns in the rollups: `<kind>_n` and `<kind>_people`, in USAGE_KINDS order. */
export const KIND_COLUMNS = USAGE_KINDS.map((kind) => kind.replace('-', '_'));
export const eachKind = (sql: (column: string) => string): string => KIND_COLUMNS.map(sql).join(', ');
export const KIND_INDEX = Object.fromEntries(USAGE_KINDS.map((kind, i) => [kind, i])) as Record<UsageKind, number>;
/** A rollup table's column pair for each kind, as CREATE TABLE declares them. */
const KIND_COLUMN_DEFINITIONS = eachKind((kind) => `${kind}_n INTEGER NOT NULL, ${kind}_people INTEGER NOT NULL`);
/** The revision of the shown rows that add up every revision: a report's revision is 1 to 64 characters. */
export const EVERY_REVISION = '';

/**
 * The rollups, kept in the transaction that adds the counts, so that a year of a large fleet is read from thousands
 * of rows rather than a million. One row holds every UsageKind, as a column pair: a report then writes a row a day it
 * holds, not one a day and kind (bench/collector-bench.ts).
 *
 * - usage_days: per day, group and revision, each kind's count and its people: the people marks of that kind
 *   (store.ts usageCells), which the counts cannot give (a person visiting two tools is one person). The cells
 *   collector/release.ts decides on.
 * - visit_months: visits per month, revision, tool and whether the devices' policy sanctions it, for the top tools
 *   of long ranges.
 * - active_days: per day, group and revision, the people who reported anything (the `any` marks); under the
 *   revision '' (EVERY_REVISION, which no report can carry), the day's rows of every revision added up.
 * - known_groups, known_revisions: the dashboard's filters; a revision's first day orders them.
 * - dirty_days: the days whose counts changed since their shown rows were made (shown.ts).
 * - served_revisions: every revision of the policy this collector has served, the ones a report may carry.
 */
const ROLLUP_TABLES = `
CREATE TABLE IF NOT EXISTS usage_days (
  day TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  ${KIND_COLUMN_DEFINITIONS},
  PRIMARY KEY (policy_revision, day, grp)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS usage_days_by_day ON usage_days (day);
CREATE TABLE IF NOT EXISTS visit_months (
  month TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  tool TEXT NOT NULL,
  sanctioned INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (month, policy_revision, tool, sanctioned)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS active_days (
  day TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  people INTEGER NOT NULL,
  PRIMARY KEY (policy_revision, day, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS known_groups (
  grp TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS known_revisions (
  policy_revision TEXT PRIMARY KEY,
  first_day TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dirty_days (
  day TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS served_revisions (
  policy_revision TEXT PRIMARY KEY
) WITHOUT ROWID;
`;

/**
 * What collector/release.ts releases under the collector's k, made per day from usage_days by shown.ts, each kind's
 * count 0 where it is withheld; the dashboard reads only these.
 *
 * - shown_days: per day, group and revision, the released group cells; under EVERY_REVISION, a day's group added
 *   up over revisions (its people add up: a device marks a day's kind under one revision).
 * - shown_months: the same per month, `_people` being the most of one of its days (the people of a range).
 * - shown_fleet: per day and revision, the released fleet cells.
 * - withheld_fleet: the fleet cells withheld, whose tools the top tools leave out.
 */
const SHOWN_TABLES = `
CREATE TABLE IF NOT EXISTS shown_days (
  day TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  ${KIND_COLUMN_DEFINITIONS},
  PRIMARY KEY (policy_revision, day, grp)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shown_days_by_group ON shown_days (grp, policy_revision, day);
CREATE INDEX IF NOT EXISTS shown_days_by_day ON shown_days (day);
CREATE TABLE IF NOT EXISTS shown_months (
  month TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  ${KIND_COLUMN_DEFINITIONS},
  PRIMARY KEY (policy_revision, month, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shown_fleet (
  day TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  ${KIND_COLUMN_DEFINITIONS},
  PRIMARY KEY (policy_revision, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS withheld_fleet (
  day TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY (day, policy_revision, kind)
) WITHOUT ROWID;
`;

// `grp` is '' for "no group": a primary key column cannot hold NULL usefully (NULLs never conflict).
const COUNTS_TABLE = `
CREATE TABLE IF NOT EXISTS counts (
  day TEXT NOT NULL,
  tool TEXT NOT NULL,
  event TEXT NOT NULL,
  grp TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  sanctioned INTEGER NOT NULL,
  n INTEGER NOT NULL,
  people INTEGER NOT NULL,
  PRIMARY KEY (day, tool, event, grp, policy_revision, sanctioned)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS counts_by_group ON counts (grp, day);`;

export const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS batches (
  id BLOB PRIMARY KEY,
  day TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS batches_by_day ON batches (day);
${COUNTS_TABLE}
CREATE TABLE IF NOT EXISTS sessions (
  hash BLOB PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refusals (
  day TEXT NOT NULL,
  reason TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, reason)
) WITHOUT ROWID;
${ROLLUP_TABLES}
${SHOWN_TABLES}`;

/**
 * Brings a file of schema 3 to schema 4, in the open transaction, after CREATE_TABLES: the month rollups and the
 * rows of every revision of usage_days go; the shown rows are made at the first dashboard request.
 */
export const MIGRATE_TO_4 = `
DROP TABLE IF EXISTS usage_months;
DROP INDEX IF EXISTS usage_days_by_group;
DELETE FROM usage_days WHERE policy_revision = '${EVERY_REVISION}';`;

/**
 * Brings the batchIds of a file of schema 4 or older to schema 5, before CREATE_TABLES: they get the day of the
 * upgrade as the day they were accepted, so they stay for one retention from now.
 */
export const MIGRATE_TO_5 = {
  addDay: "ALTER TABLE batches ADD COLUMN day TEXT NOT NULL DEFAULT ''",
  setDay: 'UPDATE batches SET day = @today',
} as const;

/** The sorted JSON list of the tools a file of schema 2 counted as sanctioned (its collector's policy). */
const SANCTIONED_TOOLS = 'sanctioned-tools';

/**
 * Brings the counts of a file of schema 1 or 2 to schema 3, in the open transaction: its visits are sanctioned as
 * that collector's policy said (schema 2 kept the list; schema 1 knew none), and no count has people. The old
 * rollups are dropped; the caller builds them anew from the counts.
 */
export const MIGRATE_TO_3 = `
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
ALTER TABLE counts RENAME TO counts_2;
DROP INDEX IF EXISTS counts_by_group;
${COUNTS_TABLE}
INSERT INTO counts (day, tool, event, grp, policy_revision, sanctioned, n, people)
  SELECT day, tool, event, grp, policy_revision,
    event = 'visit' AND tool IN (SELECT value FROM json_each(
      COALESCE((SELECT CAST(value AS TEXT) FROM settings WHERE key = '${SANCTIONED_TOOLS}'), '[]'))),
    n, 0
  FROM counts_2;
DROP TABLE counts_2;
DELETE FROM settings WHERE key = '${SANCTIONED_TOOLS}';
DROP TABLE IF EXISTS usage_days;
DROP TABLE IF EXISTS usage_months;
DROP TABLE IF EXISTS visit_months;
${ROLLUP_TABLES}`;

/** The k the shown rows were made under (shown.ts): another k makes every day anew. */
export const SHOWN_UNDER_K = 'shown-under-k';

export const GENERATED_ADMIN_TOKEN_HASH = 'generated-admin-token-sha256';
export const SESSIONS_ADMIN_TOKEN_HASH = 'sessions-admin-token-sha256';
export const GENERATED_REPORTING_TOKEN_HASH = 'generated-reporting-token-sha256';

/** Per kind, in USAGE_KINDS order. */
export interface KindTotals {
  readonly n: number[];
  readonly people: number[];
}

export const zeros = (): number[] => USAGE_KINDS.map(() => 0);
/** The (n, people) pairs of a row's kinds, as the rollups' columns hold them. */
export const kindValues = ({ n, people }: KindTotals): number[] =>
  n.flatMap((count, kind) => [count, people[kind] as number]);

/** A UUID as its 16 bytes: the same batch in upper or lower case is one batch, in less than half the space. */
export function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** The kinds with counts of a raw row whose (n, people) pairs start at `offset`. */
export function usageOf(row: readonly unknown[], offset: number): { kind: UsageKind; n: number; people: number }[] {
  return USAGE_KINDS.flatMap((kind, i) => {
    const n = row[offset + 2 * i] as number;
    return n === 0 ? [] : [{ kind, n, people: row[offset + 2 * i + 1] as number }];
  });
}
