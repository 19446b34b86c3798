/**
 * What the collector keeps, behind an interface so that a PostgreSQL store can
 * follow the SQLite one (collector/sqlite-store.ts) without touching the server.
 *
 * Stored (report-protocol.md "Collector answers"): counts aggregated by
 * (day, tool, event, group, policyRevision) with the number of batches that
 * contributed, and the batchIds already accepted. Never an IP address, a user
 * agent or a body. Besides: admin sessions and the generated admin token,
 * each as a SHA-256 hash only.
 */
import type { Report, ReportEvent } from '../lib/report-schema';

export type IngestResult = 'accepted' | 'duplicate';

export interface CountRow {
  readonly day: string;
  readonly tool: string;
  readonly event: ReportEvent;
  /** null: the reports carried no group (or an empty one). */
  readonly group: string | null;
  readonly policyRevision: string;
  readonly n: number;
  /** How many batches added to this cell: the dashboard hides group cells below its k. */
  readonly batches: number;
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
  /** Rows ordered by day, tool, event, group, policyRevision. */
  counts(filter: CountFilter): CountRow[];

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
