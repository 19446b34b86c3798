/**
 * What the collector may show, decided once for every way out (the dashboard, its CSV, the counts API and its
 * CSV): docs/spec/report-protocol.md "What admins see". Every number any of them answers is a sum of released
 * cells, so no combination of answers (totals, other filters, two date ranges) says more about a withheld cell
 * than the rule below allows.
 *
 * The cells, at two levels, each with the people behind it (the devices' people marks, exact for one day):
 * - a group's cell: one day, one group, one policy revision, one kind of use (UsageKind), with every tool's
 *   counts in it;
 * - the fleet's cell: one day, one revision, one kind, over every group: the sum of that day's group cells.
 *
 * A cell is released when at least k people stand behind it. A fleet cell minus the group cells released under it
 * gives the sum of the withheld ones, so that remainder must be none or itself have at least k people: when it
 * has fewer (a withheld cell with counts but no people marks counts as someone), the released group cell of that
 * fleet cell with the fewest people is withheld too (complementary suppression). A released cell has k people, so
 * one is enough.
 *
 * A withheld cell is left out of every number, as if it were not there: an answer never says whether a
 * group had a withheld cell (that alone would say "someone in legal did this"). What remains: the sum of a fleet
 * cell's withheld group cells, from at least k people; and anyone holding the fleet's reporting token can forge
 * people marks (README "Privacy").
 */
import type { UsageKind } from './store';

/** A cell of one group (null: the reports without a group), as the store holds it (store.ts usageCells). */
export interface GroupCell {
  readonly day: string;
  readonly group: string | null;
  readonly revision: string;
  readonly kind: UsageKind;
  readonly n: number;
  readonly people: number;
}

/** A cell of the whole fleet: one day, revision and kind over every group. */
export type FleetCell = Omit<GroupCell, 'group'>;

export interface Released {
  /** The released cells of groups. */
  readonly groups: readonly GroupCell[];
  /** The released cells of the fleet. */
  readonly fleet: readonly FleetCell[];
}

const fleetKey = (day: string, revision: string, kind: UsageKind): string => JSON.stringify([day, revision, kind]);

/** Fewest people first; then by count and group, so the choice depends on released cells only. */
function fewestPeople(a: GroupCell, b: GroupCell): number {
  if (a.people !== b.people) return a.people - b.people;
  if (a.n !== b.n) return a.n - b.n;
  return (a.group ?? '') < (b.group ?? '') ? -1 : (a.group ?? '') > (b.group ?? '') ? 1 : 0;
}

/**
 * The cells of `cells` that may be shown under k. `cells` must hold every group's cells of each day it holds (a
 * fleet cell is their sum), each (day, group, revision, kind) once; cells with no count are left out.
 */
export function release(cells: readonly GroupCell[], k: number): Released {
  const byFleetCell = new Map<string, GroupCell[]>();
  for (const cell of cells) {
    if (cell.n === 0) continue;
    const key = fleetKey(cell.day, cell.revision, cell.kind);
    const under = byFleetCell.get(key);
    if (under === undefined) byFleetCell.set(key, [cell]);
    else under.push(cell);
  }
  const groups: GroupCell[] = [];
  const fleet: FleetCell[] = [];
  for (const under of byFleetCell.values()) {
    const { day, revision, kind } = under[0] as GroupCell;
    const people = under.reduce((sum, cell) => sum + cell.people, 0);
    if (people < k) continue;
    fleet.push({ day, revision, kind, n: under.reduce((sum, cell) => sum + cell.n, 0), people });
    const shown = under.filter((cell) => cell.people >= k);
    // A withheld cell with counts is someone even without marks (a device marks a day's kind once, under the group
    // it had then: its later counts under another group carry none), so any withheld cell makes a remainder.
    const withheldPeople = people - shown.reduce((sum, cell) => sum + cell.people, 0);
    if (shown.length < under.length && withheldPeople < k) {
      shown.splice(shown.indexOf(shown.reduce(smallest)), 1);
    }
    groups.push(...shown);
  }
  return { groups, fleet };
}

const smallest = (a: GroupCell, b: GroupCell): GroupCell => (fewestPeople(b, a) < 0 ? b : a);
