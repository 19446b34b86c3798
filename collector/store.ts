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
import type { Report, ReportEvent } from '../lib/protocol/report-schema';

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

/**
 * How many people (devices) reported, as the dashboard's k needs it (docs/spec/report-protocol.md "People"). Exact
 * for one day: a device marks each (day, kind) once, under one group and one revision, so the marks of one day add
 * up over groups and revisions. (Rollups rebuilt from the counts, after an upgrade, hold a lower bound instead.) A
 * lower bound for a range: one person may be counted on many days, so days do not add up, and a range takes its
 * largest day.
 */
export interface UsageDay {
  readonly day: string;
  readonly kind: UsageKind;
  readonly n: number;
  /** People that day. */
  readonly people: number;
}

export interface GroupUsage {
  readonly group: string | null;
  readonly kind: UsageKind;
  readonly n: number;
  /** People on the range's largest day: a lower bound of the people over the range (see UsageDay). */
  readonly people: number;
}

export interface ToolVisits {
  readonly tool: string;
  /** The devices' policy sanctions it. */
  readonly sanctioned: boolean;
  /** Visits in the range. */
  readonly n: number;
}

export interface GroupToolVisits extends ToolVisits {
  /** People who visited the tool on the range's largest day (see UsageDay). */
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
  /** Rows ordered by day, tool, event, group, policyRevision. */
  counts(filter: CountFilter): CountRow[];

  /** Every group ever reported (not the reports without one), and every policy revision, newest (first seen) first. */
  dashboardLists(): { readonly groups: string[]; readonly revisions: string[] };
  /** Per day and kind: over every group, or over the filter's group. Days without counts are left out. */
  usageDays(filter: DashboardFilter): UsageDay[];
  /** Per group and kind over the range: every group, or the filter's group. Groups without counts are left out. */
  groupUsage(filter: DashboardFilter): GroupUsage[];
  /** The tools visited under `revision`, each with whether the devices counted it as sanctioned (both, for a tool they disagree on). */
  sanctionedUnder(revision: string): { readonly tool: string; readonly sanctioned: boolean }[];
  /** Visits per tool over the range, over every group. */
  toolVisits(filter: Omit<DashboardFilter, 'group'>): ToolVisits[];
  /** Visits per tool over the range, of the filter's group only. */
  groupToolVisits(filter: DashboardFilter & { readonly group: string | null }): GroupToolVisits[];

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
