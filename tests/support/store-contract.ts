/**
 * What every CollectorStore does (collector/store.ts), whatever keeps the data: the SQLite store runs
 * it (tests/unit/collector/sqlite-store.test.ts), and so must any other store before the collector uses it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorStore } from '../../collector/store';
import { fakeCount, fakeReport } from './collector';

/**
 * For the tests of the enclosing suite: an empty directory each, and the store last opened, closed and
 * removed after the test (`closed()`: the test closed it itself).
 */
export function storeInTempDir(openStore: (dataDir: string) => CollectorStore) {
  let dir = '';
  let store: CollectorStore | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'daylight-store-'));
    store = null;
  });
  afterEach(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: (): string => dir,
    open: (dataDir = dir): CollectorStore => (store = openStore(dataDir)),
    closed: (): void => {
      store = null;
    },
  };
}

/** The contract's tests for the store that `openStore` opens in an empty directory of its own. */
export function describeCollectorStore(name: string, openStore: (dataDir: string) => CollectorStore): void {
  describe(`${name}: the CollectorStore contract`, () => {
    const { open } = storeInTempDir(openStore);

    describe('refusals', () => {
      it('are counted per day and reason, and added up over a range, most first', () => {
        const db = open();
        for (const [day, reason] of [
          ['2026-11-01', 'group'],
          ['2026-11-02', 'group'],
          ['2026-11-02', '(size)'],
          ['2026-11-03', 'group'],
          ['2026-11-09', 'counts[].day'],
        ] as const) {
          db.countRefusal(day, reason);
        }
        expect(db.refusals('2026-11-02', '2026-11-08')).toEqual([
          { reason: 'group', n: 2 },
          { reason: '(size)', n: 1 },
        ]);
        expect(db.refusals('2026-12-01', '2026-12-31')).toEqual([]);
      });
    });

    describe('ingest', () => {
      it('takes several reports in one transaction: a batchId seen earlier in it is a duplicate', () => {
        const db = open();
        const first = fakeReport({ counts: [fakeCount({ n: 2 })] });
        const second = fakeReport({ counts: [fakeCount({ n: 3 }), fakeCount({ n: 4 })] });
        expect(db.ingest([first, second, { ...first, counts: [fakeCount({ n: 100 })] }])).toEqual([
          'accepted',
          'accepted',
          'duplicate',
        ]);
        expect(db.ingest([second])).toEqual(['duplicate']);
        db.makeShownDays(1);
        expect(db.shownCounts({}, 1).map((row) => [row.n, row.people])).toEqual([[9, 2]]);
      });

      it('keeps cells apart by day, tool, event, group and policy revision', () => {
        const db = open();
        const base = fakeReport();
        db.ingest([
          base,
          fakeReport({ counts: [fakeCount({ day: '2026-01-01' })] }),
          fakeReport({ counts: [fakeCount({ tool: 'claude' })] }),
          fakeReport({ counts: [fakeCount({ event: 'blocked' })] }),
          fakeReport({ group: 'sales' }),
          fakeReport({ group: undefined }),
          fakeReport({ group: '' }),
          fakeReport({ policyRevision: 'r2' }),
        ]);
        db.makeShownDays(1);
        const rows = db.shownCounts({}, 1);
        expect(rows).toHaveLength(7);
        expect(rows.filter((row) => row.group === null)).toEqual([expect.objectContaining({ n: 2, people: 2 })]);
        expect(db.shownCounts({ group: null }, 1)).toHaveLength(1);
        expect(db.shownCounts({ group: 'sales', event: 'visit', tool: 'chatgpt' }, 1)).toHaveLength(1);
        expect(db.shownCounts({ from: '2026-01-01', to: '2026-01-01' }, 1)).toEqual([
          expect.objectContaining({ day: '2026-01-01', n: 1, people: 1 }),
        ]);
      });

      it('keeps apart groups and revisions that only differ where one ends and the other begins', () => {
        const db = open();
        db.ingest([
          fakeReport({ group: 'a b', policyRevision: 'c' }),
          fakeReport({ group: 'a', policyRevision: 'b c' }),
          fakeReport({ group: 'a b c', policyRevision: 'r' }),
          fakeReport({ group: undefined, policyRevision: 'a b c r' }),
        ]);
        db.makeShownDays(1);
        expect(db.shownCounts({}, 1).map((row) => [row.group, row.policyRevision, row.n])).toEqual([
          [null, 'a b c r', 1],
          ['a', 'b c', 1],
          ['a b', 'c', 1],
          ['a b c', 'r', 1],
        ]);
      });
    });

    describe('shown rows', () => {
      it('are read as made; the days to make are listed newest first; a new k clears them and lists every day', () => {
        const db = open();
        const days = ['2026-03-01', '2026-03-02', '2026-04-10'];
        db.ingest(days.map((day) => fakeReport({ counts: [fakeCount({ day })] })));
        expect(db.shownDaysToMake(1)).toEqual([...days].reverse());
        db.makeShownDay('2026-04-10', 1);
        expect(db.shownDaysToMake(1)).toEqual(['2026-03-02', '2026-03-01']);
        // A read gives what is made; making the rest makes every day readable.
        const read = () => [
          ...new Set(db.shownDays({ from: '2026-03-01', to: '2026-04-30' }, 1).map((row) => row.day)),
        ];
        expect(read()).toEqual(['2026-04-10']);
        db.makeShownDays(1);
        expect(read()).toEqual(days);
        expect(db.shownDaysToMake(1)).toEqual([]);
        db.ingest([fakeReport({ counts: [fakeCount({ day: '2026-03-02' })] })]);
        expect(db.shownDaysToMake(1)).toEqual(['2026-03-02']);
        expect(db.shownDaysToMake(2)).toEqual([...days].reverse());
        // Nothing made under the old k is read under the new one, until each day is made under it.
        expect(db.shownDays({ from: '2026-03-01', to: '2026-04-30' }, 2)).toEqual([]);
        // A day made under the new k leaves the list; making it again changes nothing.
        db.makeShownDay('2026-03-02', 2);
        db.makeShownDay('2026-03-02', 2);
        expect(db.shownDaysToMake(2)).toEqual(['2026-04-10', '2026-03-01']);
      });
    });

    describe('top tools', () => {
      it('never count the visits of a day not made yet, under the same k or a new one', () => {
        const db = open();
        const day = '2026-03-02';
        const filter = { from: '2026-03-01', to: '2026-03-31' };
        const people = (n: number, tool: string) =>
          Array.from({ length: n }, () => fakeReport({ counts: [fakeCount({ day, tool })] }));
        db.ingest(people(3, 'chatgpt'));
        db.makeShownDays(3);
        expect(db.shownToolVisits(filter, 3)).toEqual([{ tool: 'chatgpt', sanctioned: false, n: 3 }]);
        // One person more, on a tool no one else uses: until the day is made again, none of its visits count.
        db.ingest(people(1, 'secret-tool'));
        expect(db.shownToolVisits(filter, 3)).toEqual([]);
        expect(db.shownToolVisits(filter, 4)).toEqual([]);
        db.makeShownDays(4);
        // Under k = 4, the day's fleet cell (4 people) is shown whole.
        expect(db.shownToolVisits(filter, 4)).toEqual(
          expect.arrayContaining([
            { tool: 'chatgpt', sanctioned: false, n: 3 },
            { tool: 'secret-tool', sanctioned: false, n: 1 },
          ]),
        );
      });
    });

    describe('sessions', () => {
      it('expire, can be deleted, and end when the admin token changes', () => {
        const db = open();
        const hash = Buffer.alloc(32, 1);
        const tokenA = Buffer.alloc(32, 0xa);
        db.endSessionsOfOtherTokens(tokenA);
        db.addSession(hash, 2_000);
        expect(db.hasSession(hash, 1_999)).toBe(true);
        expect(db.hasSession(hash, 2_000)).toBe(false);
        db.endSessionsOfOtherTokens(tokenA);
        expect(db.hasSession(hash, 0)).toBe(true);
        db.endSessionsOfOtherTokens(Buffer.alloc(32, 0xb));
        expect(db.hasSession(hash, 0)).toBe(false);
        db.addSession(hash, 2_000);
        db.deleteSession(hash);
        expect(db.hasSession(hash, 0)).toBe(false);
      });
    });
  });
}
