/**
 * Usage report bodies (docs/spec/report-protocol.md "Upload"): the device's counts cut
 * into batches that each stay under the collector's 64 KiB and 5,000-count
 * limits, each with its own random batchId. Nothing else goes in: no URL, no
 * time of day, no user or device identifier.
 */
import {
  kindOfCount,
  MAX_COUNTS,
  MAX_N,
  MAX_REPORT_BYTES,
  type PeopleMark,
  type Report,
  type ReportBrowser,
  type ReportCount,
} from './report-schema';
import type { UsageCount } from './usage';

/** What every batch of one upload carries besides its counts. */
export interface ReportHeader {
  readonly policyRevision: string;
  readonly browser: ReportBrowser;
  /** The org unit from managed configuration (never set by the user), or null. */
  readonly group: string | null;
}

/** A batch as it is stored in the outbox and sent: the exact JSON text, so every retry sends the same bytes. */
export interface ReportBatch {
  readonly batchId: string;
  readonly body: string;
}

/** A batch waiting in the outbox for a 2xx answer. */
export interface OutboxBatch extends ReportBatch {
  /** When it was cut from the counters (ms since the epoch); batches are sent oldest first. */
  readonly createdAt: number;
  readonly failures: number;
  /** Not sent again before this moment (backoff, or the collector's Retry-After). */
  readonly nextAttemptAt: number;
  /** Why the last attempt failed, for the options page; null before any failure. */
  readonly lastError: string | null;
  /**
   * The collector refused this batch itself (400, 413 or another 4xx but 401 and 429), rather than being away or
   * busy: it then holds back no other batch (docs/spec/report-protocol.md "Retries and delivery guarantees").
   * Absent in batches stored before it existed, which count as not refused.
   */
  readonly refused?: boolean;
}

/** The next upload, as the options page shows it. */
export interface UploadPreview {
  readonly collectorHost: string;
  readonly lastSentAt: number | null;
  readonly nextUploadAt: number | null;
  /** Cut from the counters already, waiting for a 2xx answer: sent exactly so. */
  readonly waiting: readonly OutboxBatch[];
  /** The bodies the live counters make now; more counting may add to them before the upload. */
  readonly next: readonly string[];
}

/** What one upload run did. */
export interface UploadOutcome {
  /** Batches the collector accepted in this run. */
  readonly sent: number;
  /** Batches still waiting. */
  readonly waiting: number;
  /** The first failure of this run, in words, or null. */
  readonly error: string | null;
}

/** The browser a build runs in, for `client.browser`: the build target, and Edge by its user agent. */
export function reportBrowser(buildTarget: string | undefined, userAgent: string): ReportBrowser {
  if (buildTarget === 'firefox') return 'firefox';
  if (buildTarget === 'safari') return 'safari';
  if (buildTarget === 'chrome' || buildTarget === 'edge') return / Edg\//.test(userAgent) ? 'edge' : 'chrome';
  return 'other';
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/** The most one entry's people marks add to a body: its two kinds of use, as long as a kind can be. */
const MAX_MARKS_SIZE = 2 * (utf8Length(JSON.stringify({ day: '2026-01-01', kind: 'sensitive-paste' })) + 1);

function reportText(
  header: ReportHeader,
  batchId: string,
  counts: readonly ReportCount[],
  people: readonly PeopleMark[],
): string {
  const report: Report = {
    schemaVersion: 1,
    batchId,
    policyRevision: header.policyRevision,
    client: { browser: header.browser },
    ...(header.group !== null && { group: header.group }),
    counts: [...counts],
    people: [...people],
  };
  return JSON.stringify(report);
}

/** What a cut of the counters makes: the batches, and the people marks they carry, for the device to remember. */
export interface Cut {
  readonly batches: ReportBatch[];
  readonly marks: string[];
}

/** The device's memory of the people marks it sent (docs/spec/report-protocol.md "People"), one string each. */
export const personMark = (day: string, tool: string, event: string): string => `${day} ${tool} ${event}`;
/** A tool id has no ":", so a kind's mark never equals a (tool, event) mark. */
export const kindMark = (day: string, kind: string): string => `${day} :${kind}`;

/**
 * What one count adds to a batch's marks, for a device whose marks `isNew` knows (it answers true once per mark,
 * and remembers it): the day's kinds of use reported for the first time, and whether it is the first of its
 * (day, tool, event).
 */
export function marksOf(
  { day, tool, event, sanctioned }: Pick<UsageCount, 'day' | 'tool' | 'event' | 'sanctioned'>,
  isNew: (mark: string) => boolean,
): { readonly people: PeopleMark[]; readonly person: boolean } {
  const kinds = ['any', kindOfCount(event, sanctioned)] as const;
  const people = kinds.filter((kind) => isNew(kindMark(day, kind))).map((kind) => ({ day, kind }));
  return { people, person: isNew(personMark(day, tool, event)) };
}

/**
 * Cuts the counts into as few batches as the limits allow, in order. `newBatchId` gives each batch its
 * UUID (crypto.randomUUID in the extension; injected so tests can see the ids). `marked` holds the
 * marks this device sent before: a day's (tool, event) and kind of use is marked in the first batch
 * that holds it, and never again.
 */
// Long: one pass that fills batches up to both limits, marks included.
export function buildBatches(
  counts: readonly UsageCount[],
  header: ReportHeader,
  newBatchId: () => string,
  marked: ReadonlySet<string> = new Set(),
): Cut {
  const marks = new Set<string>();
  const isNew = (mark: string): boolean => !marked.has(mark) && !marks.has(mark) && marks.add(mark).size > 0;
  const batches: ReportBatch[] = [];
  let entries: ReportCount[] = [];
  let people: PeopleMark[] = [];
  // The size of a body grows by each entry's and mark's JSON and a comma; every UUID has the same length.
  const emptySize = utf8Length(reportText(header, '00000000-0000-4000-8000-000000000000', [], []));
  let size = emptySize;
  const flush = () => {
    if (entries.length === 0) return;
    const batchId = newBatchId();
    batches.push({ batchId, body: reportText(header, batchId, entries, people) });
    entries = [];
    people = [];
    size = emptySize;
  };
  for (const { day, tool, event, n: total, sanctioned } of counts) {
    // docs/spec/report-protocol.md: `n` is at most 1,000,000 per entry; a larger counter goes as several entries.
    for (let part = 0; part * MAX_N < total; part++) {
      const n = Math.min(MAX_N, total - part * MAX_N);
      const entry: ReportCount = { day, tool, event, n, ...(sanctioned && { sanctioned }) };
      const entrySize = utf8Length(JSON.stringify({ ...entry, person: 1 })) + 1;
      if (entries.length === MAX_COUNTS || size + entrySize + MAX_MARKS_SIZE > MAX_REPORT_BYTES) flush();
      const added = marksOf({ day, tool, event, sanctioned }, isNew);
      entries.push(added.person ? { ...entry, person: 1 } : entry);
      people.push(...added.people);
      size += entrySize + added.people.reduce((sum, mark) => sum + utf8Length(JSON.stringify(mark)) + 1, 0);
    }
  }
  flush();
  return { batches, marks: [...marks] };
}

/** When to try a batch again after a failure: 1, 2, 4 … minutes up to `maxMinutes`, with ±50% jitter. */
export function uploadRetryDelayMs(failures: number, random: number, maxMinutes = 360): number {
  const minutes = Math.min(maxMinutes, 2 ** Math.max(0, failures - 1));
  return minutes * 60_000 * (0.5 + random);
}

/**
 * A 429's Retry-After (seconds, or an HTTP date) in milliseconds from `now`; null when absent or
 * unreadable. Bounded to a day, so a wrong header cannot stall uploads for longer.
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(seconds)) return null;
  return Math.min(Math.max(0, seconds), 86_400_000);
}
