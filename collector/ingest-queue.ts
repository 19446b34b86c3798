/**
 * Group commit: the reports parsed in one turn of the event loop are written
 * in one transaction at its end, and each is answered after that commit. At a
 * few reports a second this adds nothing; under load a commit carries dozens
 * of reports, and what dominates the cost of a commit (each changed page of
 * the counts table written to the WAL, cells the reports share updated once)
 * is paid once for all of them. bench/collector-bench.ts: a transaction per
 * report managed less than half the rate.
 */
import type { Report } from '../lib/protocol/report-schema';
import type { CollectorStore, IngestResult } from './store';

interface Waiting {
  readonly report: Report;
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (error: unknown) => void;
}

export class IngestQueue {
  #waiting: Waiting[] = [];

  constructor(private readonly store: CollectorStore) {}

  /** Settles once the transaction that holds the report has committed (or failed). */
  add(report: Report): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      // setImmediate runs after the poll phase: every body completed in this turn is in the batch.
      if (this.#waiting.length === 0) setImmediate(this.#commit);
      this.#waiting.push({ report, resolve, reject });
    });
  }

  readonly #commit = (): void => {
    const batch = this.#waiting;
    this.#waiting = [];
    let results: IngestResult[];
    try {
      results = this.store.ingest(batch.map((waiting) => waiting.report));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, i) => waiting.resolve(results[i] as IngestResult));
  };
}
