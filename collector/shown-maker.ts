/**
 * Makes the shown rows (collector/sqlite/shown.ts) of the days whose counts changed, one day a transaction, with
 * the event loop free between two: reports keep being acknowledged while a year of days is made after an upgrade or
 * a new k (about 3 ms a day for 100 groups; in one go, that year held every report for over a second, as
 * bench/dashboard-bench.ts measured). A query waits, without blocking, until the days that were to be made when it
 * came are made, and one more that changed meanwhile (today, under a steady flow of reports); any further day
 * shows nothing until a later pass makes it, as the store reads it.
 */
import type { Log } from './log';
import type { CollectorStore } from './store';

export interface ShownMaker {
  /** Resolves once the days to be made when it was called are made, and one more that changed since. */
  ready(): Promise<void>;
  /** Stops between two days; `ready()` callers still waiting get an error. */
  stop(): void;
  /** Resolves once no day is being made (after `stop`, before the store closes). */
  idle(): Promise<void>;
}

/** A pass longer than this says so in the log, with how many days it made. */
const LOG_PASS_OVER_DAYS = 31;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function startShownMaker(
  store: Pick<CollectorStore, 'shownDaysToMake' | 'makeShownDay'>,
  k: number,
  log: Log,
): ShownMaker {
  let pass: Promise<void> | null = null;
  let stopped = false;

  async function makeDays(): Promise<void> {
    const days = store.shownDaysToMake(k);
    const started = performance.now();
    let longestDay = 0;
    for (const day of days) {
      await nextTurn();
      if (stopped) throw new Error('the collector is closing');
      const dayStarted = performance.now();
      store.makeShownDay(day, k);
      longestDay = Math.max(longestDay, performance.now() - dayStarted);
    }
    if (days.length > LOG_PASS_OVER_DAYS) {
      log({
        level: 'info',
        msg: 'shown rows made',
        days: days.length,
        ms: Math.round(performance.now() - started),
        longestDayMs: Math.round(longestDay),
      });
    }
  }

  const runPass = (): Promise<void> => {
    pass ??= makeDays().finally(() => (pass = null));
    return pass;
  };

  // At start: after an upgrade or with a new k, every day is to be made before the first admin looks.
  runPass().catch((error: unknown) => {
    if (!stopped) log({ level: 'error', msg: 'cannot make the shown rows', error: String(error) });
  });

  return {
    async ready() {
      if (stopped) throw new Error('the collector is closing');
      // A pass under way took its days before this call: the days changed since are taken by the next one.
      if (pass !== null) await pass;
      await runPass();
      // Made in the turn of the read, so that the dashboard is as fresh as the last report: one day is one
      // transaction, as between two days of a pass. More (a report that marked a year) wait for the next pass.
      const left = store.shownDaysToMake(k);
      if (left.length === 1) store.makeShownDay(left[0] as string, k);
    },
    stop() {
      stopped = true;
    },
    async idle() {
      await pass?.catch(() => undefined);
    },
  };
}
