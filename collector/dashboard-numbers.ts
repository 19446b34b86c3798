/**
 * The numbers the dashboard shows, added up by the collector from its rollups (collector/sqlite-store.ts), with
 * k-anonymity applied here, so that a hidden number never leaves the server (docs/spec/report-protocol.md
 * "What admins see"). dashboard-api.ts answers them over HTTP.
 *
 * How many people stand behind a number (store.ts UsageDay): the people marks of its day (docs/spec/report-protocol.md
 * "People"), exact for one day, since a device marks each (day, kind) once. Over a range, the people of the range's
 * largest day: one person is marked again on each day, so the days' people cannot be added, and the largest is a
 * sound lower bound: 30 days of a team of two never count as 60 people.
 *
 * A cell is hidden (null) when that lower bound is below k. A count of 0 is shown: it describes nobody. Then:
 * - A group's visits, sanctioned and shadow are hidden together: visits = sanctioned + shadow would give back
 *   the one hidden alone.
 * - A column whose total the answer also shows never has exactly one hidden cell, or the total minus the shown
 *   cells would give it back: the smallest shown cell is hidden with it (complementary suppression). When the
 *   hidden cell is the column's only count, the total is hidden instead.
 * - With `group`, every cell of the answer is that group's, and hidden the same way. A tool whose cell is hidden is
 *   left out of topTools (its rank would say how large it is), with a second one when the group's visits minus the
 *   listed tools would give it back; outcomes is null when one of its counts is hidden.
 * - Without `group`, the totals over every group are the organization's, not a group's, and are shown, except a
 *   day on which fewer than k people of the whole fleet reported (a pilot, a holiday, a fleet of one small team): that
 *   day's total singles out as few people as a small group's cell. topTools and outcomes are hidden likewise when no
 *   day of the range reached k.
 * Each answer is protected on its own: comparing two answers (two ranges a day apart, a revision against all of
 * them) is differencing, which k-anonymity of cells does not claim to prevent.
 */
import { BUNDLED_CATALOG } from '../lib/policy/bundled';
import { parseJsonText } from '../lib/json-text';
import { PolicySchema } from '../lib/policy/schema';
import {
  OUTCOMES,
  type Cell,
  type DailyRow,
  type Disagreement,
  type Dashboard,
  type GroupRow,
  type Outcome,
  type Outcomes,
  type TopTool,
} from '../lib/protocol/dashboard-api';
import { addDays } from '../lib/protocol/day';
import type { PolicySnapshot } from './policy-file';
import type { CollectorStore, DashboardFilter, ToolVisits, UsageDay, UsageKind } from './store';

const TOP_TOOLS = 10;

/**
 * What the dashboard takes from the collector's policy: every tool's name, and its revision and sanctioned list,
 * only to say where the devices' counts disagree with it. Whether a tool is sanctioned comes from the counts: the
 * devices' own policy decided it (docs/spec/report-protocol.md `counts[].sanctioned`).
 */
export interface PolicyTools {
  readonly names: ReadonlyMap<string, string>;
  readonly revision: string | null;
  readonly sanctioned: ReadonlySet<string>;
}

const CATALOG_NAMES: ReadonlyMap<string, string> = new Map(BUNDLED_CATALOG.tools.map((tool) => [tool.id, tool.name]));
const NO_POLICY: PolicyTools = { names: CATALOG_NAMES, revision: null, sanctioned: new Set() };

/** Names: the policy's sanctioned entries, then its tools, then the bundled catalog (else the id, see topTools). */
export function policyTools(policyFile: PolicySnapshot | null): PolicyTools {
  if (policyFile === null) return NO_POLICY;
  const json = parseJsonText(policyFile.policy.body.toString('utf8'));
  // PolicyFile serves only a file that passed parsePolicyText, so these cannot fail; if they do, a 500 says so.
  if (!json.ok) throw new Error(`the policy in force is not JSON: ${json.message}`);
  const policy = PolicySchema.parse(json.value);
  const names = new Map(CATALOG_NAMES);
  for (const tool of policy.tools) names.set(tool.id, tool.name);
  for (const entry of policy.sanctioned) names.set(entry.id, entry.name);
  return { names, revision: policy.revision, sanctioned: new Set(policy.sanctioned.map((entry) => entry.id)) };
}

/**
 * The tools the devices counted under the collector's own policy revision as sanctioned when that policy does not
 * sanction them, or the other way round: the collector then serves another file than the fleet counted under.
 */
function disagreements(store: CollectorStore, policy: PolicyTools): Disagreement[] {
  if (policy.revision === null) return [];
  return store
    .sanctionedUnder(policy.revision)
    .filter(({ tool, sanctioned }) => sanctioned !== policy.sanctioned.has(tool))
    .map(({ tool, sanctioned }) => ({ tool, name: policy.names.get(tool) ?? tool, devices: sanctioned }));
}

interface Totals {
  readonly n: number;
  readonly people: number;
}

/** A count as shown: hidden below k people; 0 (no counts) describes nobody. */
const shown = (totals: Totals | undefined, k: number): Cell =>
  totals === undefined ? 0 : totals.people >= k ? totals.n : null;

interface ColumnCell {
  readonly value: Cell;
  hide(): void;
}

/**
 * Complementary suppression of a column whose total the answer shows: with exactly one hidden cell, the shown cell
 * with the smallest count above 0 is hidden too. False when there is none: the total must then be hidden.
 */
function hideSecondCell(column: readonly ColumnCell[]): boolean {
  if (column.filter((cell) => cell.value === null).length !== 1) return true;
  let smallest: ColumnCell | undefined;
  for (const cell of column) {
    if (cell.value !== null && cell.value > 0 && (smallest === undefined || cell.value < (smallest.value as number))) {
      smallest = cell;
    }
  }
  smallest?.hide();
  return smallest !== undefined;
}

const COLLATOR = new Intl.Collator('en', { numeric: true });

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

function byDayAndKind(rows: readonly UsageDay[]): Map<string, Map<UsageKind, Totals>> {
  const days = new Map<string, Map<UsageKind, Totals>>();
  for (const { day, kind, n, people } of rows) {
    let kinds = days.get(day);
    if (kinds === undefined) days.set(day, (kinds = new Map<UsageKind, Totals>()));
    kinds.set(kind, { n, people });
  }
  return days;
}

function groupRows(store: CollectorStore, filter: DashboardFilter, k: number): GroupRow[] {
  const byGroup = new Map<string | null, Map<UsageKind, Totals>>();
  for (const { group, kind, n, people } of store.groupUsage(filter)) {
    let kinds = byGroup.get(group);
    if (kinds === undefined) byGroup.set(group, (kinds = new Map<UsageKind, Totals>()));
    kinds.set(kind, { n, people });
  }
  const rows = [...byGroup].map(([group, kinds]): GroupRow => {
    const sanctioned = shown(kinds.get('sanctioned'), k);
    const shadow = shown(kinds.get('shadow'), k);
    const split = sanctioned === null || shadow === null;
    return {
      group,
      visits: split ? null : sanctioned + shadow,
      sanctioned: split ? null : sanctioned,
      shadow: split ? null : shadow,
      warned: shown(kinds.get('warned'), k),
      proceeded: shown(kinds.get('proceeded'), k),
      redirected: shown(kinds.get('redirected'), k),
      blocked: shown(kinds.get('blocked'), k),
      suppressed: false,
    };
  });
  // Named groups in the order people read them ("Team 2" before "Team 10"), the reports without a group last.
  return rows.sort((a, b) => (a.group === null ? 1 : b.group === null ? -1 : COLLATOR.compare(a.group, b.group)));
}

function topTools(visits: readonly ToolVisits[], policy: PolicyTools): TopTool[] {
  return [...visits]
    .sort(
      (a, b) => b.n - a.n || (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : Number(b.sanctioned) - Number(a.sanctioned)),
    )
    .slice(0, TOP_TOOLS)
    .map(({ tool, sanctioned, n }) => ({ tool, name: policy.names.get(tool) ?? tool, sanctioned, visits: n }));
}

/** What the charts show: visits per day, the top tools, the nudge outcomes. */
interface Views {
  daily: DailyRow[];
  tools: TopTool[];
  outcomes: Outcomes | null;
}

type DaysByKind = Map<string, Map<UsageKind, Totals>>;

/** One group's views: every cell is the group's, hidden like its row's cells. */
function oneGroupViews(
  store: CollectorStore,
  filter: DashboardFilter & { group: string | null },
  k: number,
  policy: PolicyTools,
  days: DaysByKind,
  row: GroupRow | undefined,
): Views {
  const daily = everyDay(filter.from, filter.to).map((day) => ({
    day,
    sanctioned: shown(days.get(day)?.get('sanctioned'), k),
    shadow: shown(days.get(day)?.get('shadow'), k),
  }));
  // The totals of these columns are the group's row. When a column's only count is hidden, so is that row's
  // cell (the range takes its largest day, which is that one), so there is no total to hide.
  for (const part of ['sanctioned', 'shadow'] as const) {
    hideSecondCell(daily.map((cell) => ({ value: cell[part], hide: () => (cell[part] = null) })));
  }
  const visits = store.groupToolVisits(filter);
  let tools = topTools(
    visits.filter((tool) => tool.people >= k),
    policy,
  );
  // The tools of each side add up to the group's sanctioned (or shadow) visits: when a single tool of a side is
  // missing from the list and it is a hidden one, the listed tool of that side with the fewest visits goes too.
  // (A side with a single tool has that tool's people, so its one tool is never the only one hidden.)
  for (const sanctioned of [true, false]) {
    const side = visits.filter((tool) => tool.sanctioned === sanctioned);
    const listedOnSide = (tool: ToolVisits) =>
      tools.some((listed) => listed.tool === tool.tool && listed.sanctioned === sanctioned);
    const missing = side.filter((tool) => !listedOnSide(tool));
    if (missing.length !== 1 || missing.some((tool) => tool.people >= k)) continue;
    const listed = tools.filter((tool) => tool.sanctioned === sanctioned);
    const fewest = listed.reduce<TopTool | undefined>(
      (a, b) => (a === undefined || b.visits < a.visits ? b : a),
      undefined,
    );
    tools = tools.filter((tool) => tool !== fewest);
  }
  // The group's own outcome cells, whole or not at all (the contract has no hidden field in outcomes).
  const cell = (outcome: Outcome): Cell => (row === undefined ? 0 : row[outcome]);
  const outcomes = OUTCOMES.some((outcome) => cell(outcome) === null)
    ? null
    : outcomesOf((outcome) => cell(outcome) ?? 0);
  return { daily, tools, outcomes };
}

/** The fleet's views: the organization's totals, hidden only on days (or ranges) the whole fleet stayed below k. */
function fleetViews(
  store: CollectorStore,
  filter: DashboardFilter,
  k: number,
  policy: PolicyTools,
  days: DaysByKind,
): Views {
  // The fleet's people of a day: its largest kind, a lower bound (one person may do several kinds).
  const fleetPeople = (day: string): number =>
    Math.max(0, ...[...(days.get(day)?.values() ?? [])].map((t) => t.people));
  const hiddenDay = (day: string): boolean => {
    const people = fleetPeople(day);
    return people > 0 && people < k;
  };
  const daily = everyDay(filter.from, filter.to).map((day) =>
    hiddenDay(day)
      ? { day, sanctioned: null, shadow: null }
      : { day, sanctioned: days.get(day)?.get('sanctioned')?.n ?? 0, shadow: days.get(day)?.get('shadow')?.n ?? 0 },
  );
  const rangePeople = Math.max(0, ...[...days.keys()].map(fleetPeople));
  const rangeHidden = rangePeople > 0 && rangePeople < k;
  return {
    daily,
    tools: rangeHidden ? [] : topTools(store.toolVisits(filter), policy),
    outcomes: rangeHidden
      ? null
      : outcomesOf((outcome) => [...days.values()].reduce((sum, kinds) => sum + (kinds.get(outcome)?.n ?? 0), 0)),
  };
}

/**
 * Over every group, the fleet's views add up what the group rows show: the visits columns to the daily totals (and
 * their parts to the top tools), each outcome column to outcomes. No column may leave one hidden cell to be worked
 * out from its total.
 */
function hideAcrossGroups(views: Views, byGroup: GroupRow[]): Views {
  let { daily, tools, outcomes } = views;
  const visitsColumn = byGroup.map((row) => ({
    value: row.visits,
    hide: () => {
      row.visits = row.sanctioned = row.shadow = null;
    },
  }));
  if (!hideSecondCell(visitsColumn)) {
    daily = daily.map(({ day }) => ({ day, sanctioned: null, shadow: null }));
    tools = [];
  }
  for (const outcome of OUTCOMES) {
    const column = byGroup.map((row) => ({ value: row[outcome], hide: () => (row[outcome] = null) }));
    if (!hideSecondCell(column)) outcomes = null;
  }
  // The days add up to the visits of every group together. A day is hidden whole; when it is the range's only
  // day with counts, the range is below k too, and so is every group's row: no total to hide.
  hideSecondCell(
    daily.map((row) => ({
      value: row.sanctioned === null || row.shadow === null ? null : row.sanctioned + row.shadow,
      hide: () => {
        row.sanctioned = row.shadow = null;
      },
    })),
  );
  return { daily, tools, outcomes };
}

/** The dashboard for `filter`, hidden cells null (see the top of this file). */
export function buildDashboard(
  store: CollectorStore,
  filter: DashboardFilter,
  k: number,
  policy: PolicyTools,
): Dashboard {
  const days = byDayAndKind(store.usageDays(filter));
  const byGroup = groupRows(store, filter, k);
  const { group } = filter;
  const views =
    group !== undefined
      ? oneGroupViews(store, { ...filter, group }, k, policy, days, byGroup[0])
      : hideAcrossGroups(fleetViews(store, filter, k, policy, days), byGroup);
  for (const row of byGroup) {
    row.suppressed = (['visits', 'sanctioned', 'shadow', ...OUTCOMES] as const).some((cell) => row[cell] === null);
  }
  const { groups, revisions } = store.dashboardLists();
  return {
    from: filter.from,
    to: filter.to,
    k,
    groups: groups.sort(COLLATOR.compare),
    revisions,
    daily: views.daily,
    topTools: views.tools,
    outcomes: views.outcomes,
    byGroup,
    refused: store.refusals(filter.from, filter.to),
    disagreements: disagreements(store, policy),
  };
}

function outcomesOf(count: (outcome: Outcome) => number): Outcomes {
  return {
    warned: count('warned'),
    proceeded: count('proceeded'),
    redirected: count('redirected'),
    blocked: count('blocked'),
  };
}
