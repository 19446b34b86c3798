/**
 * What the collector keeps, behind an interface so that a PostgreSQL store can
 * follow the SQLite one (collector/sqlite-store.ts) without touching the server.
 *
 * Stored (docs/spec/report-protocol.md "What the collector stores"): counts
 * aggregated by (day, tool, event, group, policyRevision, sanctioned) with the
 * people marks that came with them, and the batchIds already accepted. Never an
 * IP address, a user agent or a body. Besides: the same counts and marks added
 * up for the dashboard (UsageKind by day and group, visits by month and tool),
 * admin sessions and the generated admin token, each as a SHA-256 hash only.
 */
import { kindOfCount, type PeopleKind, type Report, type ReportEvent } from '../lib/protocol/report-schema';
import type { GroupCell } from './release';

export type IngestResult = 'accepted' | 'duplicate';

export interface CountRow {
  readonly day: string;
  readonly tool: string;
  readonly event: ReportEvent;
  /** null: the reports carried no group (or an empty one). */
  readonly group: string | null;
  readonly policyRevision: string;
  /** The devices' policy sanctions the tool (docs/spec/report-protocol.md `counts[].sanctioned`). */
  readonly sanctioned: boolean;
  readonly n: number;
  /** The people marks of this cell: how many devices reported it (docs/spec/report-protocol.md "People"). */
  readonly people: number;
}

/**
 * What the dashboard adds up (collector/dashboard-api.ts): visits split by whether the devices' policy sanctions the
 * tool (docs/spec/report-protocol.md `counts[].sanctioned`), the other events as they are.
 */
export const USAGE_KINDS = [
  'sanctioned',
  'shadow',
  'warned',
  'proceeded',
  'redirected',
  'blocked',
  'sensitive-paste',
] as const satisfies readonly ('sanctioned' | 'shadow' | Exclude<ReportEvent, 'visit'>)[];
export type UsageKind = (typeof USAGE_KINDS)[number];

/** A people mark's kind as the collector names it: `other` is the dashboard's `shadow` (`any` has its own table). */
export const MARK_KIND: Record<Exclude<PeopleKind, 'any'>, UsageKind> = {
  sanctioned: 'sanctioned',
  other: 'shadow',
  warned: 'warned',
  proceeded: 'proceeded',
  redirected: 'redirected',
  blocked: 'blocked',
  'sensitive-paste': 'sensitive-paste',
};

/** The kind a count is of: visits by whether the devices' policy sanctions the tool, other events as they are. */
export const usageKindOf = (event: ReportEvent, sanctioned: boolean): UsageKind =>
  MARK_KIND[kindOfCount(event, sanctioned)];

/**
 * The dashboard's filters: a range of days (both included), and optionally one group (null: the reports without
 * a group) and one policy revision.
 */
export interface DashboardFilter {
  readonly from: string;
  readonly to: string;
  readonly group?: string | null | undefined;
  readonly revision?: string | undefined;
}

export interface ToolVisits {
  readonly tool: string;
  /** The devices' policy sanctions it. */
  readonly sanctioned: boolean;
  /** Visits in the range. */
  readonly n: number;
}

/** A kind's count on one day, of the fleet or of one group, as collector/release.ts released it. */
export interface ShownDay {
  readonly day: string;
  readonly kind: UsageKind;
  readonly n: number;
  /** People that day: exact, a device marks a day's kind once. */
  readonly people: number;
}

/** A kind's count over a range, of one group (null: the reports without one), as released. */
export interface ShownGroup {
  readonly group: string | null;
  readonly kind: UsageKind;
  readonly n: number;
  /** People on the range's busiest day: the people of two days cannot be added. */
  readonly people: number;
}

/** Every field narrows; an absent field does not. `group: null` asks for the cells without a group. */
export interface CountFilter {
  readonly from?: string;
  readonly to?: string;
  readonly tool?: string;
  readonly event?: ReportEvent;
  readonly group?: string | null;
}

export interface CollectorStore {
  /**
   * In one transaction, for each report in order: records its batchId and adds
   * its counts, or learns that the batchId was already there and changes
   * nothing. A batch counts once however often, and however concurrently, it
   * is sent. Several reports a transaction: the server commits together the
   * reports that arrived together (collector/ingest-queue.ts).
   */
  ingest(reports: readonly Report[]): IngestResult[];
  /** Whether a batch with this id (a UUID) was accepted before. */
  hasBatch(batchId: string): boolean;

  /** Keeps `revision` as one of the policy this collector has served: reports under it are accepted from then on. */
  addServedRevision(revision: string): void;
  hasServedRevision(revision: string): boolean;
  /** Whether a group (a revision) was ever reported, and how many were: the bounds of known-values.ts. */
  knowsGroup(group: string): boolean;
  groupCount(): number;
  knowsRevision(revision: string): boolean;
  revisionCount(): number;

  /** Every group ever reported (not the reports without one), and every policy revision, newest (first seen) first. */
  dashboardLists(): { readonly groups: string[]; readonly revisions: string[] };
  /**
   * Every group's cells of the days from `from` to `to` (both included), under each revision: per day, group,
   * revision and kind, the count and its people (docs/spec/report-protocol.md "People"), exact for one day since a
   * device marks a day's kind once. Kinds without counts are left out. What collector/release.ts releases.
   */
  usageCells(from: string, to: string): GroupCell[];
  /** The days whose shown rows are to be made (again) under k, newest first: every day under a k not used before. */
  shownDaysToMake(k: number): string[];
  /** Makes a day's shown rows under k in one transaction, if they are still to be made. */
  makeShownDay(day: string, k: number): void;
  /** Makes every day still to be made, in one transaction: for tests, which read the store without a collector. */
  makeShownDays(k: number): void;
  /**
   * What may be shown under k (collector/release.ts), per day and kind: of the fleet, or of the filter's group.
   * Kinds with nothing released are left out. The shown methods read the days as they were last made, and a day
   * not made since its counts changed as what it showed before (the top tools: nothing of it); never a row made
   * under another k: a new k clears them all.
   */
  shownDays(filter: DashboardFilter, k: number): ShownDay[];
  /** What may be shown under k, per group and kind over the range: of every group, or of the filter's group. */
  shownGroups(filter: DashboardFilter, k: number): ShownGroup[];
  /** Visits per tool over the released cells of the range: of the fleet, or of the filter's group. */
  shownToolVisits(filter: DashboardFilter, k: number): ToolVisits[];
  /** The counts of the released group cells, ordered by day, tool, event, group, policyRevision. */
  shownCounts(filter: CountFilter, k: number): CountRow[];

  /**
   * Deletes every row of the oldest day before `before` (counts, rollups, shown rows, refusals, the batchIds accepted
   * that day), in one transaction; false when there is none left.
   */
  pruneOneDay(before: string): boolean;
  /** After days before `before` went: the month rows before it go, and its own month's are made again. */
  pruneMonths(before: string): void;

  /**
   * One more report refused on `day` (UTC, the day it arrived) for `reason`: the field a 400 named, without
   * indices, or the status's cause (collector/reports.ts refusalReason). Nothing of the report is kept.
   */
  countRefusal(day: string, reason: string): void;
  /** Refused reports per reason, over the days both included, most first. */
  refusals(from: string, to: string): { readonly reason: string; readonly n: number }[];

  /** The SHA-256 of the reporting token generated at first start, or null before it (collector/tokens.ts). */
  getGeneratedReportingTokenHash(): Buffer | null;
  setGeneratedReportingTokenHash(hash: Buffer): void;

  /** The SHA-256 of the admin token generated at first start, or null before it. */
  getGeneratedAdminTokenHash(): Buffer | null;
  setGeneratedAdminTokenHash(hash: Buffer): void;

  /**
   * Sessions belong to the admin token they were started with: when the token in force differs from the one
   * of the stored sessions, every session ends (a new token is how a leaked session is revoked).
   */
  endSessionsOfOtherTokens(adminTokenHash: Buffer): void;
  /** Sessions by the SHA-256 of their cookie value; times in ms since the epoch. */
  addSession(hash: Buffer, expiresAt: number): void;
  hasSession(hash: Buffer, now: number): boolean;
  deleteSession(hash: Buffer): void;
  deleteExpiredSessions(now: number): void;

  close(): void;
}
