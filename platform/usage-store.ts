/**
 * The usage counters and the upload outbox (report-protocol.md), in
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
import type { OutboxBatch, ReportBatch } from '../lib/report';
import type { UsageCount, UsageEvent } from '../lib/usage';

interface UsageDb extends DBSchema {
  counters: { key: [string, string, string]; value: UsageCount };
  outbox: { key: string; value: OutboxBatch };
}

export interface UsageStore {
  add(day: string, tool: string, event: UsageEvent): Promise<void>;
  list(): Promise<UsageCount[]>;
  /**
   * Takes every live counter out and puts the batches `cut` makes of them in the outbox, in one
   * transaction. Returns how many batches were added (0 when nothing was counted).
   */
  moveToOutbox(cut: (counts: UsageCount[]) => ReportBatch[], now: number): Promise<number>;
  outbox(): Promise<OutboxBatch[]>;
  /** The collector accepted the batch (2xx): it leaves the outbox. */
  sent(batchId: string): Promise<void>;
  failed(batchId: string, change: Pick<OutboxBatch, 'failures' | 'nextAttemptAt' | 'lastError'>): Promise<void>;
}

export function openUsageStore(name = 'daylight-usage'): UsageStore {
  let db: Promise<IDBPDatabase<UsageDb>> | null = null;
  // A failed open, or a connection the browser closed, is forgotten: the next call opens it again.
  const open = () =>
    (db ??= openDB<UsageDb>(name, 2, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) database.createObjectStore('counters', { keyPath: ['day', 'tool', 'event'] });
        if (oldVersion < 2) database.createObjectStore('outbox', { keyPath: 'batchId' });
      },
      terminated() {
        db = null;
      },
    }).catch((error: unknown) => {
      db = null;
      throw error;
    }));
  return {
    async add(day, tool, event) {
      const transaction = (await open()).transaction('counters', 'readwrite');
      const current = await transaction.store.get([day, tool, event]);
      await transaction.store.put({ day, tool, event, n: (current?.n ?? 0) + 1 });
      await transaction.done;
    },
    async list() {
      return (await open()).getAll('counters');
    },
    async moveToOutbox(cut, now) {
      const transaction = (await open()).transaction(['counters', 'outbox'], 'readwrite');
      const counters = transaction.objectStore('counters');
      const counts = await counters.getAll();
      // `cut` is synchronous: an await on anything but this transaction would let it commit half done.
      const batches = counts.length === 0 ? [] : cut(counts);
      if (batches.length > 0) {
        await counters.clear();
        const outbox = transaction.objectStore('outbox');
        for (const batch of batches) {
          await outbox.add({ ...batch, createdAt: now, failures: 0, nextAttemptAt: now, lastError: null });
        }
      }
      await transaction.done;
      return batches.length;
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
