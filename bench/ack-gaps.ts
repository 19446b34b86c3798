/**
 * The longest time the collector stops acknowledging reports: reports posted back to back on a few keep-alive
 * connections, the time of each 202 kept. A gap between two acknowledgements that is much longer than the others
 * is a stall: the event loop held by something else (collector/shown-maker.ts makes shown rows between reports).
 */
import { randomUUID } from 'node:crypto';

export interface AckRun {
  /** performance.now() of each 202, in order. */
  readonly acks: number[];
  /** Answers other than 202. */
  readonly refused: number;
}

/** A report a device sends after its first of the day: one visit, no people marks. */
function reportOf(day: string, revision: string, group: string): string {
  return JSON.stringify({
    schemaVersion: 1,
    batchId: randomUUID(),
    policyRevision: revision,
    client: { browser: 'chrome' },
    group,
    counts: [{ day, tool: 'chatgpt', event: 'visit', n: 1 }],
    people: [],
  });
}

/** Posts reports of `day`, `revision` and `group` on `connections` connections at once until `stop` settles. */
export async function postUntil(
  url: string,
  report: { readonly day: string; readonly revision: string; readonly group: string },
  connections: number,
  stop: Promise<unknown>,
): Promise<AckRun> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const acks: number[] = [];
  let refused = 0;
  const loop = async () => {
    while (!stopped) {
      const answer = await fetch(`${url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: reportOf(report.day, report.revision, report.group),
      });
      await answer.arrayBuffer();
      if (answer.status === 202) acks.push(performance.now());
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { acks, refused };
}

export const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that settles it. */
export function deferred<T>(): { promise: Promise<T>; done: (value: T) => void } {
  let done: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (done = resolve));
  return { promise, done };
}

/** The longest time between two acknowledgements of a run. */
export function longestGap(acks: readonly number[]): number {
  let longest = 0;
  for (let i = 1; i < acks.length; i++) longest = Math.max(longest, (acks[i] as number) - (acks[i - 1] as number));
  return longest;
}
