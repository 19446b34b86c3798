// @vitest-environment node
/**
 * The one suppression function (collector/release.ts) and every way out that goes through it: the dashboard
 * (JSON and CSV are one answer) and the counts API. Property tests over random fleets: what is released has k
 * people, a fleet cell's withheld remainder is none or k people, and no answer (any filter, any range, totals
 * included) changes when withheld cells change in ways only their released sums could show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDashboard, policyTools } from '../../../collector/dashboard-numbers';
import { release, type GroupCell } from '../../../collector/release';
import { openSqliteStore } from '../../../collector/sqlite-store';
import { USAGE_KINDS, usageKindOf, type DashboardFilter } from '../../../collector/store';
import { addDays } from '../../../lib/protocol/day';
import type { ReportCount, ReportEvent } from '../../../lib/protocol/report-schema';
import { fakeReport, unmarked } from '../../support/collector';

const K = 3;
const DAY = addDays(new Date().toISOString().slice(0, 10), -3);
const DAYS = [DAY, addDays(DAY, 1), addDays(DAY, 2)] as const;
const GROUPS = ['a', 'b', 'c', 'd'] as const;
const REVISIONS = ['r1', 'r2'] as const;
const TOOLS = ['t1', 't2', 't3'] as const;
const EVENTS = ['visit', 'warned', 'blocked'] as const satisfies readonly ReportEvent[];

describe('release', () => {
  const cells = fc.array(
    fc.record({
      day: fc.constantFrom(...DAYS),
      group: fc.constantFrom<string | null>(...GROUPS, null),
      revision: fc.constantFrom(...REVISIONS),
      kind: fc.constantFrom(...USAGE_KINDS),
      n: fc.integer({ min: 1, max: 50 }),
      people: fc.integer({ min: 0, max: 8 }),
    }),
    { maxLength: 60 },
  );
  /** One cell per (day, group, revision, kind), as the store holds them. */
  const unique = (list: GroupCell[]): GroupCell[] => [
    ...new Map(list.map((cell) => [JSON.stringify([cell.day, cell.group, cell.revision, cell.kind]), cell])).values(),
  ];

  it('releases only cells of k people, and leaves under each released fleet cell a remainder of none or k people', () => {
    fc.assert(
      fc.property(cells.map(unique), fc.integer({ min: 1, max: 6 }), (input, k) => {
        const released = release(input, k);
        for (const cell of [...released.groups, ...released.fleet]) expect(cell.people).toBeGreaterThanOrEqual(k);
        for (const fleet of released.fleet) {
          const under = input.filter(
            (cell) => cell.day === fleet.day && cell.revision === fleet.revision && cell.kind === fleet.kind,
          );
          expect(fleet.n).toBe(under.reduce((sum, cell) => sum + cell.n, 0));
          const withheld = under.filter((cell) => !released.groups.includes(cell));
          // A withheld cell with counts and no marks (a device that changed group during the day) is someone too.
          const remainder = withheld.reduce((sum, cell) => sum + cell.people, 0);
          expect(withheld.length === 0 || remainder >= k).toBe(true);
        }
        for (const cell of released.groups) {
          const fleet = released.fleet.filter(
            (f) => f.day === cell.day && f.revision === cell.revision && f.kind === cell.kind,
          );
          expect(fleet).toHaveLength(1);
        }
      }),
    );
  });

  it('withholds a second group cell, the one with the fewest people, when one alone would be the remainder', () => {
    const cell = (group: string, people: number, n: number): GroupCell => ({
      day: DAY,
      group,
      revision: 'r1',
      kind: 'shadow',
      n,
      people,
    });
    const released = release([cell('large', 9, 90), cell('medium', 4, 8), cell('small', 1, 7)], 3);
    expect(released.groups.map((c) => c.group)).toEqual(['large']);
    expect(released.fleet).toEqual([{ day: DAY, revision: 'r1', kind: 'shadow', n: 105, people: 14 }]);
    // Two small groups of 2 together are k: nothing more to withhold.
    const two = release([cell('large', 9, 90), cell('x', 2, 5), cell('y', 2, 6)], 3);
    expect(two.groups.map((c) => c.group)).toEqual(['large']);
    // Counts without marks: a device counted in a second group after it changed group that day, or a batch sent
    // without marks. The fleet total less the large group would be those 7 visits: the large group goes too.
    const unmarked = release([cell('large', 9, 90), cell('moved', 0, 7)], 3);
    expect(unmarked.groups).toEqual([]);
    expect(unmarked.fleet).toEqual([{ day: DAY, revision: 'r1', kind: 'shadow', n: 97, people: 9 }]);
  });
});

/**
 * One person's counts: one report, the first upload of a device of its own (every count marked), or when not
 * `marked` counts without marks (a later upload that day, or a device that changed group during the day).
 */
interface Person {
  readonly marked: boolean;
  readonly group: (typeof GROUPS)[number];
  readonly revision: (typeof REVISIONS)[number];
  readonly day: string;
  readonly counts: { tool: string; event: ReportEvent; sanctioned: boolean; n: number }[];
}

const person: fc.Arbitrary<Person> = fc.record({
  marked: fc.constantFrom(true, true, true, false),
  group: fc.constantFrom(...GROUPS),
  revision: fc.constantFrom(...REVISIONS),
  day: fc.constantFrom(...DAYS),
  counts: fc.uniqueArray(
    fc.record({
      tool: fc.constantFrom(...TOOLS),
      event: fc.constantFrom(...EVENTS),
      sanctioned: fc.boolean(),
      n: fc.integer({ min: 1, max: 9 }),
    }),
    { minLength: 1, maxLength: 3, selector: (count) => `${count.tool} ${count.event}` },
  ),
});

/** Large groups beside the random ones, so that fleet cells are released and remainders are tested. */
const crowd: Person[] = DAYS.flatMap((day) =>
  Array.from({ length: K + 1 }, () => ({
    marked: true,
    group: 'a' as const,
    revision: 'r1' as const,
    day,
    counts: [
      { tool: 't1', event: 'visit' as const, sanctioned: false, n: 2 },
      { tool: 't2', event: 'warned' as const, sanctioned: false, n: 1 },
    ],
  })),
);

const FILTERS: DashboardFilter[] = [
  { from: DAYS[0], to: DAYS[2] },
  { from: DAYS[0], to: DAYS[0] },
  { from: DAYS[0], to: DAYS[1] },
  { from: DAYS[1], to: DAYS[2] },
  { from: DAYS[2], to: DAYS[2] },
  ...GROUPS.map((group) => ({ from: DAYS[0], to: DAYS[2], group })),
  ...REVISIONS.map((revision) => ({ from: DAYS[0], to: DAYS[2], revision })),
  { from: DAYS[1], to: DAYS[1], group: 'b', revision: 'r2' },
];

/** Every answer the admin can get about these people: the dashboard for every filter, the counts API. */
function answers(people: readonly Person[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'daylight-release-'));
  const store = openSqliteStore(dir);
  try {
    store.ingest(
      people.map((p) => {
        const report = fakeReport({
          group: p.group,
          policyRevision: p.revision,
          counts: p.counts.map((count): ReportCount => ({ day: p.day, ...count })),
        });
        return p.marked ? report : unmarked(report);
      }),
    );
    const tools = policyTools(null);
    store.makeShownDays(K);
    return JSON.stringify({
      dashboards: FILTERS.map((filter) => buildDashboard(store, filter, K, tools)),
      counts: store.shownCounts({}, K),
      byGroup: GROUPS.map((group) => store.shownCounts({ group, from: DAYS[1] }, K)),
    });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The people of each group cell and each fleet cell of `people`, counted here rather than asked of release.ts: a
 * cell of fewer than K people must be withheld, whatever release.ts does.
 */
function peopleOfCells(people: readonly Person[]) {
  const groupCells = new Map<string, number>();
  const fleetCells = new Map<string, number>();
  for (const p of people.filter((one) => one.marked)) {
    for (const kind of new Set(p.counts.map((count) => usageKindOf(count.event, count.sanctioned)))) {
      const groupKey = JSON.stringify([p.day, p.group, p.revision, kind]);
      const fleetKey = JSON.stringify([p.day, p.revision, kind]);
      groupCells.set(groupKey, (groupCells.get(groupKey) ?? 0) + 1);
      fleetCells.set(fleetKey, (fleetCells.get(fleetKey) ?? 0) + 1);
    }
  }
  const kindOf = (count: Person['counts'][number]) => usageKindOf(count.event, count.sanctioned);
  return {
    smallGroupCell: (p: Person, count: Person['counts'][number]) =>
      (groupCells.get(JSON.stringify([p.day, p.group, p.revision, kindOf(count)])) ?? 0) < K,
    smallFleetCell: (p: Person, count: Person['counts'][number]) =>
      (fleetCells.get(JSON.stringify([p.day, p.revision, kindOf(count)])) ?? 0) < K,
  };
}

/** `people` with `delta` added to one count of the person at `index`. */
function addTo(people: readonly Person[], index: number, count: Person['counts'][number], delta: number): Person[] {
  return people.map((p, i) =>
    i === index ? { ...p, counts: p.counts.map((c) => (c === count ? { ...c, n: c.n + delta } : c)) } : p,
  );
}

describe('every way out', () => {
  it("answers the same, for every filter and range, when visits move between small groups' cells of one fleet cell", () => {
    fc.assert(
      fc.property(fc.array(person, { maxLength: 14 }), fc.nat(), fc.integer({ min: 1, max: 5 }), (random, pick, δ) => {
        const people = [...crowd, ...random];
        const { smallGroupCell } = peopleOfCells(people);
        // Two people in two different group cells of fewer than K people under one fleet cell, with the same tool
        // and event: δ of one's count moves to the other's. The fleet cell's sums, per tool too, stay what they were.
        const withheld = people.flatMap((p, index) =>
          p.counts.filter((c) => smallGroupCell(p, c)).map((c) => ({ index, count: c, p })),
        );
        const pairs = withheld.flatMap((from) =>
          withheld
            .filter(
              (to) =>
                to.p.group !== from.p.group &&
                to.p.day === from.p.day &&
                to.p.revision === from.p.revision &&
                to.count.tool === from.count.tool &&
                to.count.event === from.count.event &&
                to.count.sanctioned === from.count.sanctioned &&
                from.count.n > δ,
            )
            .map((to) => ({ from, to })),
        );
        fc.pre(pairs.length > 0);
        const { from, to } = pairs[pick % pairs.length] as (typeof pairs)[number];
        const moved = addTo(addTo(people, from.index, from.count, -δ), to.index, to.count, δ);
        expect(answers(moved)).toBe(answers(people));
      }),
      { numRuns: 25 },
    );
  });

  it('answers the same when the cells of a fleet cell of fewer than k people change in any way', () => {
    fc.assert(
      fc.property(fc.array(person, { maxLength: 14 }), fc.nat(), fc.integer({ min: 1, max: 20 }), (random, pick, n) => {
        const people = [...crowd, ...random];
        const { smallFleetCell } = peopleOfCells(people);
        const inWithheldFleetCell = people.flatMap((p, index) =>
          p.counts.filter((c) => smallFleetCell(p, c)).map((count) => ({ index, count })),
        );
        fc.pre(inWithheldFleetCell.length > 0);
        const chosen = inWithheldFleetCell[pick % inWithheldFleetCell.length] as (typeof inWithheldFleetCell)[number];
        expect(answers(addTo(people, chosen.index, chosen.count, n))).toBe(answers(people));
      }),
      { numRuns: 25 },
    );
  });
});
