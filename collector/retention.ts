/**
 * `daylight serve --retain-days N`: the collector keeps N days (400 by default, a year against the year before), and
 * deletes what is older at its start and every hour after, one day per transaction with a turn of the event loop
 * between, so that reports keep being taken meanwhile (collector/sqlite/retention.ts deletes).
 */
import { addDays } from '../lib/protocol/day';
import type { Log } from './log';
import type { CollectorStore } from './store';

export const DEFAULT_RETAIN_DAYS = 400;
const EVERY_MS = 60 * 60 * 1000;

/** The first day kept: `retainDays` days up to today (UTC), today included. */
export const firstKeptDay = (now: Date, retainDays: number): string =>
  addDays(now.toISOString().slice(0, 10), 1 - retainDays);

export interface Retention {
  /** Resolves when the run under way (if any) is done. */
  readonly idle: () => Promise<void>;
  readonly stop: () => void;
}

export function scheduleRetention(store: CollectorStore, retainDays: number, now: () => Date, log: Log): Retention {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = async (): Promise<void> => {
    const before = firstKeptDay(now(), retainDays);
    const started = performance.now();
    let days = 0;
    while (!stopped && store.pruneOneDay(before)) {
      days++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (days === 0 || stopped) return;
    store.pruneMonths(before);
    log({ level: 'info', msg: 'retention', daysDeleted: days, before, ms: Math.round(performance.now() - started) });
  };
  const start = () => {
    running = running.then(run).catch((error: unknown) => {
      log({ level: 'error', msg: 'retention failed', error: error instanceof Error ? error.message : String(error) });
    });
  };
  start();
  const timer = setInterval(start, EVERY_MS);
  timer.unref();
  return {
    idle: () => running,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
