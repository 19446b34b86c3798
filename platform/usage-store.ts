/**
 * The usage counters (report-protocol.md): IndexedDB, so that a service
 * worker stopped at any moment loses none of them. Each add is one
 * read-write transaction; IndexedDB runs those one after another on a store,
 * so two adds at once both count.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { UsageCount, UsageEvent } from '../lib/usage';

interface UsageDb extends DBSchema {
  counters: { key: [string, string, string]; value: UsageCount };
}

export interface UsageStore {
  add(day: string, tool: string, event: UsageEvent): Promise<void>;
  list(): Promise<UsageCount[]>;
}

export function openUsageStore(name = 'daylight-usage'): UsageStore {
  let db: Promise<IDBPDatabase<UsageDb>> | null = null;
  // A failed open, or a connection the browser closed, is forgotten: the next count opens it again.
  const open = () =>
    (db ??= openDB<UsageDb>(name, 1, {
      upgrade(database) {
        database.createObjectStore('counters', { keyPath: ['day', 'tool', 'event'] });
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
  };
}
