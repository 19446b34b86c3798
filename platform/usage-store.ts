/**
 * The usage counters and the upload outbox (docs/spec/report-protocol.md), in
 * IndexedDB so that a service worker stopped at any moment loses none of
 * them and counts none twice:
 * - each add is one read-write transaction; IndexedDB runs those one after
 *   another on a store, so two adds at once both count;
 * - an upload moves the live counters into outbox batches in one transaction
 *   (counts taken out and batches put in, or neither);
 * - a batch leaves the outbox only after the collector answered 2xx, and a
 *   retry sends the same bytes with the same batchId, which the collector
 *   accepts once.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Cut, OutboxBatch } from '../lib/protocol/report';
import { addDays } from '../lib/protocol/day';
import type { UsageCount, UsageEvent } from '../lib/protocol/usage';

/**
 * How long the device remembers the people marks it sent: longer than any collector keeps or accepts
 * a day (docs/spec/report-protocol.md "People"), so that a late count of an old day cannot mark it twice.
 */
const MARK_DAYS = 400;

interface UsageDb extends DBSchema {
  counters: { key: [string, string, string]; value: UsageCount };
  outbox: { key: string; value: OutboxBatch };
  /** The people marks sent (lib/protocol/report.ts personMark, kindMark), with their day for pruning. */
  marks: { key: string; value: { readonly mark: string; readonly day: string }; indexes: { day: string } };
  /**
   * `nextBatchId`: the id the next batch cut from the counters gets (the options page shows it), kept
   * here so that it is taken in the very transaction that uses it: a crash can never let two batches
   * share it (the collector would answer 200 to the second and its counts would be gone).
   * `liveHeader`: the policy revision and group the live counters were counted under.
   */
  meta: { key: string; value: unknown };
}

export interface UsageStore {
  /** One more of the day's (tool, event); `sanctioned`: the policy in force sanctions the tool. */
  add(day: string, tool: string, event: UsageEvent, sanctioned: boolean): Promise<void>;
  list(): Promise<UsageCount[]>;
  /**
   * Takes every live counter out and puts the batches `cut` makes of them in the outbox, in one
   * transaction; `cut` gets the promised next batchId (or null), which is used up with it, and the
   * people marks sent before; the marks it returns are remembered in the same transaction. Returns
   * how many batches were added (0 when nothing was counted).
   */
  moveToOutbox(
    cut: (counts: UsageCount[], promisedId: string | null, marked: ReadonlySet<string>) => Cut,
    now: number,
  ): Promise<number>;
  /** The people marks sent before, for a preview of the next batches. */
  marks(): Promise<ReadonlySet<string>>;
  /** The batchId the next cut will use, promised now if none is. */
  promiseNextBatchId(create: () => string): Promise<string>;
  /** The revision and group the live counters were counted under (see UsageDb.meta). */
  liveHeader(): Promise<unknown>;
  setLiveHeader(header: unknown): Promise<void>;
  outbox(): Promise<OutboxBatch[]>;
  /** The collector accepted the batch (2xx): it leaves the outbox. */
  sent(batchId: string): Promise<void>;
  failed(
    batchId: string,
    change: Pick<OutboxBatch, 'failures' | 'nextAttemptAt' | 'lastError' | 'refused'>,
  ): Promise<void>;
}

/** Counters kept before version 4 have no `sanctioned`: they were counted as not sanctioned. */
const withSanctioned = (counts: readonly UsageCount[]): UsageCount[] =>
  counts.map((count) => ({ ...count, sanctioned: count.sanctioned === true }));

// Long: a factory; the database connection it closes over is shared by the short operations inside.
export function openUsageStore(name = 'daylight-usage'): UsageStore {
  let db: Promise<IDBPDatabase<UsageDb>> | null = null;
  // A failed open, or a connection the browser closed, is forgotten: the next call opens it again.
  const open = () =>
    (db ??= openDB<UsageDb>(name, 4, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) database.createObjectStore('counters', { keyPath: ['day', 'tool', 'event'] });
        if (oldVersion < 2) database.createObjectStore('outbox', { keyPath: 'batchId' });
        if (oldVersion < 3) database.createObjectStore('meta');
        if (oldVersion < 4) database.createObjectStore('marks', { keyPath: 'mark' }).createIndex('day', 'day');
      },
      terminated() {
        db = null;
      },
    }).catch((error: unknown) => {
      db = null;
      throw error;
    }));
  return {
    async add(day, tool, event, sanctioned) {
      const transaction = (await open()).transaction('counters', 'readwrite');
      const current = await transaction.store.get([day, tool, event]);
      await transaction.store.put({ day, tool, event, n: (current?.n ?? 0) + 1, sanctioned });
      await transaction.done;
    },
    async list() {
      return withSanctioned(await (await open()).getAll('counters'));
    },
    async moveToOutbox(cut, now) {
      const transaction = (await open()).transaction(['counters', 'outbox', 'meta', 'marks'], 'readwrite');
      const work = async () => {
        const counters = transaction.objectStore('counters');
        const meta = transaction.objectStore('meta');
        const marks = transaction.objectStore('marks');
        const counts = withSanctioned(await counters.getAll());
        const promised = await meta.get('nextBatchId');
        const marked = new Set(await marks.getAllKeys());
        // `cut` is synchronous: an await on anything but this transaction would let it commit half done.
        const made = counts.length === 0 ? null : cut(counts, typeof promised === 'string' ? promised : null, marked);
        if (made === null || made.batches.length === 0) return 0;
        await counters.clear();
        await meta.delete('nextBatchId');
        const outbox = transaction.objectStore('outbox');
        for (const batch of made.batches) {
          await outbox.add({ ...batch, createdAt: now, failures: 0, nextAttemptAt: now, lastError: null });
        }
        for (const mark of made.marks) await marks.put({ mark, day: mark.slice(0, 10) });
        const oldest = addDays(new Date(now).toISOString().slice(0, 10), -MARK_DAYS);
        for (const old of await marks.index('day').getAllKeys(IDBKeyRange.upperBound(oldest, true))) {
          await marks.delete(old);
        }
        return made.batches.length;
      };
      // Both awaited together: a failed step aborts the transaction, and neither rejection goes unhandled.
      const [added] = await Promise.all([work(), transaction.done]);
      return added;
    },
    async promiseNextBatchId(create) {
      const transaction = (await open()).transaction('meta', 'readwrite');
      const stored = await transaction.store.get('nextBatchId');
      const id = typeof stored === 'string' ? stored : create();
      if (typeof stored !== 'string') await transaction.store.put(id, 'nextBatchId');
      await transaction.done;
      return id;
    },
    async marks() {
      return new Set(await (await open()).getAllKeys('marks'));
    },
    async liveHeader() {
      return (await open()).get('meta', 'liveHeader');
    },
    async setLiveHeader(header) {
      await (await open()).put('meta', header, 'liveHeader');
    },
    async outbox() {
      const batches = await (await open()).getAll('outbox');
      return batches.sort((a, b) => a.createdAt - b.createdAt);
    },
    async sent(batchId) {
      await (await open()).delete('outbox', batchId);
    },
    async failed(batchId, change) {
      const transaction = (await open()).transaction('outbox', 'readwrite');
      const batch = await transaction.store.get(batchId);
      if (batch !== undefined) await transaction.store.put({ ...batch, ...change });
      await transaction.done;
    },
  };
}
