// @vitest-environment node
/**
 * collector/shown-maker.ts: the shown rows of many days are made one day a turn of the event loop, so that reports
 * are taken between two days; a query waits for the days that were to be made when it came, and no longer, however
 * fast new days come. (The time reports wait meanwhile is measured by bench/dashboard-bench.ts.)
 */
import { describe, expect, it } from 'vitest';
import { startShownMaker } from '../../../collector/shown-maker';
import { addDays } from '../../../lib/protocol/day';
import { fakeCount, fakeReport, postReport, send, signIn, startTestCollector, today } from '../../support/collector';

/** A store of days to make, recording what happens in order; `onMake` runs inside each day's making. */
function daysStore(days: string[], events: string[], onMake: (day: string) => void = () => undefined) {
  const dirty = new Set(days);
  return {
    dirty,
    shownDaysToMake: () => [...dirty].sort().reverse(),
    makeShownDay: (day: string) => {
      if (!dirty.delete(day)) return;
      events.push(`made ${day}`);
      onMake(day);
    },
  };
}

const quiet = () => undefined;

describe('the shown-rows maker', () => {
  it('makes one day a turn: a request that comes meanwhile is answered between two days', async () => {
    const events: string[] = [];
    const store = daysStore(['d1', 'd2', 'd3', 'd4'], events);
    const maker = startShownMaker(store, 5, quiet);
    // As a report would: arrives while the first day is made, answered at the next turn.
    setImmediate(() => events.push('report'));
    await maker.ready();
    expect(events).toEqual(['made d4', 'report', 'made d3', 'made d2', 'made d1']);
  });

  it('answers a query once the days it found are made, though every day made brings a new one', async () => {
    const events: string[] = [];
    let next = 0;
    const store = daysStore(['a', 'b'], events, () => store.dirty.add(`new${next++}`));
    const maker = startShownMaker(store, 5, quiet);
    await maker.ready();
    expect(events.slice(0, 2)).toEqual(['made b', 'made a']);
    expect(store.dirty.size).toBeGreaterThan(0);
    maker.stop();
    await maker.idle();
  });

  it('makes at the read the one day that changed while the pass ran, and leaves more to the next pass', async () => {
    const events: string[] = [];
    let marks: string[] = [];
    const store = daysStore([], events, () => {
      for (const day of marks) store.dirty.add(day);
      marks = [];
      // A pass would make the next day after this turn; the read makes it before.
      setImmediate(() => events.push('turn'));
    });
    const maker = startShownMaker(store, 5, quiet);
    await maker.idle();
    // A report marks today while the pass makes c: the read makes it too, in its own turn.
    store.dirty.add('c');
    marks = ['today'];
    await maker.ready();
    expect(events).toEqual(['made c', 'made today']);
    // Two days marked meanwhile: the read makes neither, and the store shows none of them until a pass does.
    store.dirty.add('d');
    marks = ['e1', 'e2'];
    await maker.ready();
    expect(events.filter((event) => event !== 'turn').slice(2)).toEqual(['made d']);
    expect([...store.dirty].sort()).toEqual(['e1', 'e2']);
    maker.stop();
  });

  it('stops between two days when the collector closes, and says so to a query still waiting', async () => {
    const events: string[] = [];
    const store = daysStore(['d1', 'd2', 'd3'], events);
    const maker = startShownMaker(store, 5, quiet);
    const waiting = maker.ready();
    maker.stop();
    await expect(waiting).rejects.toThrow('the collector is closing');
    await maker.idle();
    expect(events).toEqual([]);
    expect(store.dirty.size).toBe(3);
  });

  it('logs a pass of more than a month of days, with how long it took and its longest day', async () => {
    const logs: Record<string, unknown>[] = [];
    const days = Array.from({ length: 40 }, (_, i) => `day${String(i).padStart(2, '0')}`);
    const maker = startShownMaker(daysStore(days, []), 5, (entry) => logs.push(entry));
    await maker.ready();
    expect(logs).toEqual([
      {
        level: 'info',
        msg: 'shown rows made',
        days: 40,
        ms: expect.any(Number) as unknown,
        longestDayMs: expect.any(Number) as unknown,
      },
    ]);
  });
});

describe('the collector', () => {
  it('restarted with another k shows the same data under the new k, every day made again', async () => {
    const first = await startTestCollector({ k: 1 });
    const days = [-3, -2, -1].map((offset) => addDays(today(), offset));
    for (const day of days) {
      expect((await postReport(first, fakeReport({ counts: [fakeCount({ day })] }))).status).toBe(202);
    }
    const query = `?from=${addDays(today(), -3)}&to=${today()}`;
    const read = async (collector: { url: string }) => {
      const cookie = await signIn(collector);
      const answer = await send(`${collector.url}/api/v1/counts${query}`, { headers: { cookie } });
      return (JSON.parse(answer.text) as { rows: { day: string }[] }).rows.map((row) => row.day);
    };
    expect(await read(first)).toEqual(days);
    await first.close();
    const second = await startTestCollector({ k: 2, dataDir: first.dataDir });
    try {
      // One device a day: under k = 2, nothing of it may be shown any more.
      expect(await read(second)).toEqual([]);
      expect(second.logs).not.toContainEqual(expect.objectContaining({ level: 'error' }));
    } finally {
      await second.dispose();
    }
  });
});
