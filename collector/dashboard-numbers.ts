/**
 * The numbers the dashboard shows, added up by the collector from the cells release.ts releases under k (the store's
 * shown methods), so that a withheld number never leaves the server (docs/spec/report-protocol.md "What admins
 * see"). dashboard-api.ts answers them over HTTP.
 *
 * Every number is a sum of released cells: over every group, of the fleet's cells (one day, revision and kind
 * over every group); with a group, of that group's cells; the by-group table, of each group's. A count is null
 * when no cell behind it was released, whether there were none or they were withheld: which of the two is never
 * said. People are those of a day (a device marks a day's kind once): per day, the sum of the released cells'
 * people; over a range, the busiest day's, since the people of two days cannot be added.
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
  type Outcomes,
  type TopTool,
} from '../lib/protocol/dashboard-api';
import { addDays } from '../lib/protocol/day';
import type { PolicySnapshot } from './policy-file';
import type { CollectorStore, DashboardFilter, ShownDay, ShownGroup, ToolVisits, UsageKind } from './store';

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

interface Sum {
  readonly n: number;
  readonly people: number;
}

/** The shown counts per day and kind. */
function byDayAndKind(days: readonly ShownDay[]): Map<string, Map<UsageKind, Sum>> {
  const byDay = new Map<string, Map<UsageKind, Sum>>();
  for (const { day, kind, n, people } of days) {
    let kinds = byDay.get(day);
    if (kinds === undefined) byDay.set(day, (kinds = new Map<UsageKind, Sum>()));
    kinds.set(kind, { n, people });
  }
  return byDay;
}

/** Per kind, over the range: the count, added up. */
function overRange(days: readonly ShownDay[]): Map<UsageKind, number> {
  const kinds = new Map<UsageKind, number>();
  for (const { kind, n } of days) kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  return kinds;
}

const COLLATOR = new Intl.Collator('en', { numeric: true });

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

function daily(filter: DashboardFilter, days: Map<string, Map<UsageKind, Sum>>): DailyRow[] {
  return everyDay(filter.from, filter.to).map((day) => {
    const kinds = days.get(day);
    return {
      day,
      sanctioned: kinds?.get('sanctioned')?.n ?? null,
      shadow: kinds?.get('shadow')?.n ?? null,
      sanctionedPeople: kinds?.get('sanctioned')?.people ?? null,
      shadowPeople: kinds?.get('shadow')?.people ?? null,
    };
  });
}

/** Null when no outcome was released; else each outcome's released count, 0 when none of it was. */
function outcomes(range: Map<UsageKind, number>): Outcomes | null {
  if (!OUTCOMES.some((outcome) => range.has(outcome))) return null;
  const count = (outcome: (typeof OUTCOMES)[number]) => range.get(outcome) ?? 0;
  return {
    warned: count('warned'),
    proceeded: count('proceeded'),
    redirected: count('redirected'),
    blocked: count('blocked'),
  };
}

function groupRow(group: string | null, kinds: ReadonlyMap<UsageKind, Sum>): GroupRow {
  const count = (kind: UsageKind): Cell => kinds.get(kind)?.n ?? null;
  const [sanctioned, shadow] = [count('sanctioned'), count('shadow')];
  const row: GroupRow = {
    group,
    visits: sanctioned === null && shadow === null ? null : (sanctioned ?? 0) + (shadow ?? 0),
    sanctioned,
    shadow,
    sanctionedPeople: kinds.get('sanctioned')?.people ?? null,
    shadowPeople: kinds.get('shadow')?.people ?? null,
    warned: count('warned'),
    proceeded: count('proceeded'),
    redirected: count('redirected'),
    blocked: count('blocked'),
    suppressed: false,
  };
  row.suppressed = (['visits', ...OUTCOMES] as const).every((cell) => row[cell] === null);
  return row;
}

/**
 * One row per group: every group known to the collector (its list does not depend on what was withheld) and the
 * reports without a group when some of theirs was shown; with `group`, that group's row alone.
 */
function groupRows(
  shown: readonly ShownGroup[],
  known: readonly string[],
  group: string | null | undefined,
): GroupRow[] {
  const byGroup = new Map<string | null, Map<UsageKind, Sum>>();
  for (const name of group === undefined ? known : [group]) byGroup.set(name, new Map());
  for (const { group: name, kind, n, people } of shown) {
    let kinds = byGroup.get(name);
    if (kinds === undefined) byGroup.set(name, (kinds = new Map<UsageKind, Sum>()));
    kinds.set(kind, { n, people });
  }
  const rows = [...byGroup].map(([name, kinds]) => groupRow(name, kinds));
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

/**
 * The tools the devices counted in the range under the collector's own policy revision as sanctioned when that
 * policy does not sanction them, or the other way round: the collector then serves another file than the fleet
 * counted under. From released cells only, like every other number.
 */
function disagreements(visits: readonly ToolVisits[], policy: PolicyTools): Disagreement[] {
  return visits
    .filter(({ tool, sanctioned }) => sanctioned !== policy.sanctioned.has(tool))
    .sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : Number(a.sanctioned) - Number(b.sanctioned)))
    .map(({ tool, sanctioned }) => ({ tool, name: policy.names.get(tool) ?? tool, devices: sanctioned }));
}

/** The dashboard for `filter` (see the top of this file); the groups listed are those reported and those configured. */
export function buildDashboard(
  store: CollectorStore,
  filter: DashboardFilter,
  k: number,
  policy: PolicyTools,
  configuredGroups: readonly string[] = [],
): Dashboard {
  const days = store.shownDays(filter, k);
  const lists = store.dashboardLists();
  const groups = [...new Set([...configuredGroups, ...lists.groups])];
  const { revisions } = lists;
  const fleet = { from: filter.from, to: filter.to };
  return {
    from: filter.from,
    to: filter.to,
    k,
    groups: groups.sort(COLLATOR.compare),
    revisions,
    daily: daily(filter, byDayAndKind(days)),
    topTools: topTools(store.shownToolVisits(filter, k), policy),
    outcomes: outcomes(overRange(days)),
    byGroup: groupRows(store.shownGroups(filter, k), groups, filter.group),
    refused: store.refusals(filter.from, filter.to),
    disagreements:
      policy.revision === null
        ? []
        : disagreements(store.shownToolVisits({ ...fleet, revision: policy.revision }, k), policy),
  };
}
