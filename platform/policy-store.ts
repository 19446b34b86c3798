/**
 * Where the policy's state lives between service-worker lives: IndexedDB
 * (through idb), which survives a stopped worker and a browser restart. The
 * last good policy, its compiled index (so a woken worker decides without
 * recompiling), where it came from, the last fetch and the last error.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SerializedIndex } from '../lib/policy/compile';
import type { Policy } from '../lib/policy/schema';
import type { PolicySourceName, StoredPolicy, UpdateProblem } from '../lib/policy/source';

/** Where the policy in force came from and what went wrong, for the options page and popup. */
export interface PolicyStatus {
  readonly source: PolicySourceName;
  readonly revision: string;
  /** Every refusal or failure, verbatim; empty when all is well. */
  readonly errors: readonly string[];
  readonly checkedAt: number;
  /** Whether this worker took the compiled index from the store or compiled it. */
  readonly index: 'stored' | 'compiled';
}

export interface FetchState {
  readonly url: string;
  readonly etag: string | null;
  readonly failures: number;
  /** When the server last answered (200 or 304). */
  readonly answeredAt: number;
  /** When to fetch again: a refresh after an answer, a backoff after a failure. A woken worker waits for it. */
  readonly nextAttemptAt: number;
  /** Why the last fetch from this URL failed or was refused; null once one succeeds. */
  readonly error: string | null;
  /** The kind of `error`, for the popup; absent in records from before signed policies. */
  readonly problem?: UpdateProblem | null;
  /**
   * The policySigningKey the policy behind `etag` was verified with (null: none was required). A 304
   * vouches for that policy only while the key is the same.
   */
  readonly signingKey?: string | null;
}

/** A policy that passed validation, with its compiled index, keyed by the exact text it came from. */
export interface CompiledPolicy {
  readonly key: string;
  readonly policy: Policy;
  readonly index: SerializedIndex;
}

export interface PolicyState {
  readonly lastGood: StoredPolicy | null;
  readonly compiled: CompiledPolicy | null;
  readonly status: PolicyStatus | null;
  readonly fetch: FetchState | null;
}

interface DaylightDb extends DBSchema {
  policy: { key: 'state'; value: PolicyState };
}

const EMPTY: PolicyState = { lastGood: null, compiled: null, status: null, fetch: null };

export interface PolicyStore {
  read(): Promise<PolicyState>;
  update(change: Partial<PolicyState>): Promise<void>;
}

export function openPolicyStore(name = 'daylight'): PolicyStore {
  let db: Promise<IDBPDatabase<DaylightDb>> | null = null;
  const open = () =>
    (db ??= openDB<DaylightDb>(name, 1, {
      upgrade(database) {
        database.createObjectStore('policy');
      },
    }));
  return {
    async read() {
      return (await (await open()).get('policy', 'state')) ?? EMPTY;
    },
    async update(change) {
      // One transaction: a worker stopped between the read and the write leaves the old state whole.
      const transaction = (await open()).transaction('policy', 'readwrite');
      const current = (await transaction.store.get('state')) ?? EMPTY;
      await transaction.store.put({ ...current, ...change }, 'state');
      await transaction.done;
    },
  };
}
