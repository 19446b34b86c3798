/**
 * GET /api/v1/dashboard and /api/v1/dashboard.csv: what the admin dashboard (dashboard/) shows, added up by the
 * collector from its rollups (collector/sqlite-store.ts), with k-anonymity applied here, so that a hidden number
 * never leaves the server (docs/spec/report-protocol.md, last paragraph: "Its dashboard hides any group-level cell that fewer
 * than k batches contributed to (default 5), so a small team cannot be singled out").
 *
 * How many batches contributed (store.ts UsageDay): exact for one day, since every batch has one group and one
 * revision and adds 1 to each (day, kind) it holds counts for, however many tools and events it names there. Over
 * a range, the batches of the range's largest day: one batch may hold counts of many days, so the days' batches
 * cannot be added, and the largest is a sound lower bound. It is also what k means for people: with one upload a
 * day, a day's batches are about its devices, so 30 days of a team of two never count as 60 contributors.
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
 *   day on which the whole fleet sent fewer than k batches (a pilot, a holiday, a fleet of one small team): that
 *   day's total singles out as few people as a small group's cell. topTools and outcomes are hidden likewise when no
 *   day of the range reached k.
 * Each answer is protected on its own: comparing two answers (two ranges a day apart, a revision against all of
 * them) is differencing, which k-anonymity of cells does not claim to prevent.
 *
 * The CSV is the same answer for a spreadsheet: the by-group table (a hidden cell is an empty field, a count of 0
 * is 0; the reports without a group have an empty group), a blank line, then the daily table. The first table is
 * what a spreadsheet user filters and sorts; the daily one is what they chart.
 */
import { BUNDLED_CATALOG } from '../lib/policy/bundled';
import { parseJsonText } from '../lib/json-text';
import { PolicySchema } from '../lib/policy/schema';
import {
  OUTCOMES,
  type Cell,
  type DailyRow,
  type Dashboard,
  type GroupRow,
  type Outcome,
  type Outcomes,
  type TopTool,
} from '../lib/protocol/dashboard-api';
import { addDays, daysBetween } from '../lib/protocol/day';
import { isCalendarDay } from '../lib/protocol/report-schema';
import { csvField, unexpectedParameter } from './counts-api';
import { BASE_HEADERS, reply, replyJson, type Exchange } from './http';
import type { Log } from './log';
import type { PolicySnapshot } from './policy-file';
import type { CollectorStore, DashboardFilter, UsageDay, UsageKind } from './store';

export const DEFAULT_K = 5;
/** The range without from and to: the last 30 days, today (UTC) included. */
const DEFAULT_DAYS = 30;
/** A year and some, for a year against the year before in two requests; longer ranges are not a dashboard view. */
export const MAX_DAYS = 400;
const TOP_TOOLS = 10;
/** docs/spec/report-protocol.md field rules: a group is at most 64 characters, a revision 1–64. */
const MAX_TEXT = 64;
const PARAMETERS = ['from', 'to', 'group', 'revision'] as const;
export type ParsedDashboardQuery = { ok: true; filter: DashboardFilter } | { ok: false; error: string };

/**
 * The filters of a dashboard request; `today` is the UTC day the defaults end on. An unknown or repeated parameter
 * is an error rather than a silently unfiltered answer, as in counts-api.ts; `group=` (empty) asks for the reports
 * without a group.
 */
export function parseDashboardQuery(query: URLSearchParams, today: string): ParsedDashboardQuery {
  const unexpected = unexpectedParameter(query, PARAMETERS);
  if (unexpected !== null) return { ok: false, error: unexpected };
  for (const name of ['from', 'to'] as const) {
    const day = query.get(name);
    if (day !== null && !isCalendarDay(day)) {
      return { ok: false, error: `${name}: must be a calendar date written YYYY-MM-DD` };
    }
  }
  const to = query.get('to') ?? today;
  const from = query.get('from') ?? addDays(to, 1 - DEFAULT_DAYS);
  if (from > to) return { ok: false, error: `from: ${from} is after to (${to})` };
  const days = daysBetween(from, to);
  if (days > MAX_DAYS)
    return { ok: false, error: `from: ${from} to ${to} is ${days} days, over the ${MAX_DAYS} allowed` };
  const filter: { -readonly [K in keyof DashboardFilter]: DashboardFilter[K] } = { from, to };
  const group = query.get('group');
  if (group !== null) {
    if (group.length > MAX_TEXT) return { ok: false, error: `group: must be at most ${MAX_TEXT} characters` };
    filter.group = group === '' ? null : group;
  }
  const revision = query.get('revision');
  if (revision !== null) {
    if (revision === '' || revision.length > MAX_TEXT) {
      return { ok: false, error: `revision: must be 1 to ${MAX_TEXT} characters` };
    }
    filter.revision = revision;
  }
  return { ok: true, filter };
}

/** What the dashboard needs of the policy in force: which tools are sanctioned, and every tool's name. */
export interface PolicyTools {
  readonly known: boolean;
  readonly sanctioned: ReadonlySet<string>;
  readonly names: ReadonlyMap<string, string>;
}

const CATALOG_NAMES: ReadonlyMap<string, string> = new Map(BUNDLED_CATALOG.tools.map((tool) => [tool.id, tool.name]));
const NO_POLICY: PolicyTools = { known: false, sanctioned: new Set(), names: CATALOG_NAMES };

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
  return { known: true, sanctioned: new Set(policy.sanctioned.map((entry) => entry.id)), names };
}

interface Totals {
  readonly n: number;
  readonly batches: number;
}

/** A count as shown: hidden below k batches; 0 (no counts) describes nobody. */
const shown = (totals: Totals | undefined, k: number): Cell =>
  totals === undefined ? 0 : totals.batches >= k ? totals.n : null;

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
  for (const { day, kind, n, batches } of rows) {
    let kinds = days.get(day);
    if (kinds === undefined) days.set(day, (kinds = new Map<UsageKind, Totals>()));
    kinds.set(kind, { n, batches });
  }
  return days;
}

function groupRows(store: CollectorStore, filter: DashboardFilter, k: number): GroupRow[] {
  const byGroup = new Map<string | null, Map<UsageKind, Totals>>();
  for (const { group, kind, n, batches } of store.groupUsage(filter)) {
    let kinds = byGroup.get(group);
    if (kinds === undefined) byGroup.set(group, (kinds = new Map<UsageKind, Totals>()));
    kinds.set(kind, { n, batches });
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

function topTools(visits: readonly { tool: string; n: number }[], policy: PolicyTools): TopTool[] {
  return [...visits]
    .sort((a, b) => b.n - a.n || (a.tool < b.tool ? -1 : 1))
    .slice(0, TOP_TOOLS)
    .map(({ tool, n }) => ({
      tool,
      name: policy.names.get(tool) ?? tool,
      sanctioned: policy.sanctioned.has(tool),
      visits: n,
    }));
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
  let daily: DailyRow[];
  let tools: TopTool[];
  let outcomes: Outcomes | null;

  if (filter.group !== undefined) {
    const { group } = filter;
    daily = everyDay(filter.from, filter.to).map((day) => ({
      day,
      sanctioned: shown(days.get(day)?.get('sanctioned'), k),
      shadow: shown(days.get(day)?.get('shadow'), k),
    }));
    // The totals of these columns are the group's row. When a column's only count is hidden, so is that row's
    // cell (the range takes its largest day, which is that one), so there is no total to hide.
    for (const part of ['sanctioned', 'shadow'] as const) {
      hideSecondCell(daily.map((row) => ({ value: row[part], hide: () => (row[part] = null) })));
    }
    const visits = store.groupToolVisits({ ...filter, group });
    tools = topTools(
      visits.filter((tool) => tool.batches >= k),
      policy,
    );
    // The tools of each side add up to the group's sanctioned (or shadow) visits: when a single tool of a side is
    // missing from the list and it is a hidden one, the listed tool of that side with the fewest visits goes too.
    // (A side with a single tool has that tool's batches, so its one tool is never the only one hidden.)
    for (const sanctioned of [true, false]) {
      const side = visits.filter((tool) => policy.sanctioned.has(tool.tool) === sanctioned);
      const missing = side.filter((tool) => !tools.some((listed) => listed.tool === tool.tool));
      if (missing.length !== 1 || missing.some((tool) => tool.batches >= k)) continue;
      const listed = tools.filter((tool) => tool.sanctioned === sanctioned);
      const fewest = listed.reduce<TopTool | undefined>(
        (a, b) => (a === undefined || b.visits < a.visits ? b : a),
        undefined,
      );
      tools = tools.filter((tool) => tool !== fewest);
    }
    // The group's own outcome cells, whole or not at all (the contract has no hidden field in outcomes).
    const row = byGroup[0];
    const cell = (outcome: Outcome): Cell => (row === undefined ? 0 : row[outcome]);
    outcomes = OUTCOMES.some((outcome) => cell(outcome) === null) ? null : outcomesOf((outcome) => cell(outcome) ?? 0);
  } else {
    // The fleet's batches of a day: its largest kind, a lower bound (one batch may hold several kinds).
    const fleetBatches = (day: string): number =>
      Math.max(0, ...[...(days.get(day)?.values() ?? [])].map((t) => t.batches));
    const hiddenDay = (day: string): boolean => {
      const batches = fleetBatches(day);
      return batches > 0 && batches < k;
    };
    daily = everyDay(filter.from, filter.to).map((day) =>
      hiddenDay(day)
        ? { day, sanctioned: null, shadow: null }
        : { day, sanctioned: days.get(day)?.get('sanctioned')?.n ?? 0, shadow: days.get(day)?.get('shadow')?.n ?? 0 },
    );
    const rangeBatches = Math.max(0, ...[...days.keys()].map(fleetBatches));
    const rangeHidden = rangeBatches > 0 && rangeBatches < k;
    tools = rangeHidden ? [] : topTools(store.toolVisits(filter), policy);
    outcomes = rangeHidden
      ? null
      : outcomesOf((outcome) => [...days.values()].reduce((sum, kinds) => sum + (kinds.get(outcome)?.n ?? 0), 0));

    // The visits columns add up to the daily totals (and their parts to the top tools), each outcome column to
    // outcomes.
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
  }

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
    sanctionedKnown: policy.known,
    daily,
    topTools: tools,
    outcomes,
    byGroup,
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

const GROUP_COLUMNS = ['group', 'visits', 'sanctioned', 'shadow', ...OUTCOMES, 'suppressed'] as const;
const DAILY_COLUMNS = ['day', 'sanctioned', 'shadow'] as const;

/** RFC 4180 records (CRLF after each), fields written as counts-api.ts writes them (formulas neutralised). */
export function dashboardCsv(dashboard: Dashboard): string {
  let csv = `${GROUP_COLUMNS.join(',')}\r\n`;
  for (const row of dashboard.byGroup) {
    csv += `${GROUP_COLUMNS.map((column) => csvField(column === 'suppressed' ? String(row.suppressed) : row[column])).join(',')}\r\n`;
  }
  csv += `\r\n${DAILY_COLUMNS.join(',')}\r\n`;
  for (const row of dashboard.daily) csv += `${DAILY_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`;
  return csv;
}

export interface DashboardApiOptions {
  readonly store: CollectorStore;
  readonly k: number;
  /** The policy in force, null without one. */
  readonly policy: () => PolicySnapshot | null;
  readonly now: () => Date;
  readonly log: Log;
}

export interface DashboardApi {
  readonly json: (ex: Exchange) => void;
  readonly csv: (ex: Exchange) => void;
}

export function createDashboardApi(options: DashboardApiOptions): DashboardApi {
  const { store, k } = options;
  let tools: PolicyTools | null = null;
  let toolsEtag: string | null = null;

  /**
   * The policy's tools, read again only when the file changed; the store's rollups follow its sanctioned list
   * (a rebuild, logged, when the list changed: once at start, then at the first request after an edit).
   */
  function currentTools(): PolicyTools {
    const file = options.policy();
    const etag = file?.policy.etag ?? null;
    if (tools !== null && etag === toolsEtag) return tools;
    const read = policyTools(file);
    const started = performance.now();
    if (store.setSanctionedTools([...read.sanctioned])) {
      options.log({
        level: 'info',
        msg: 'dashboard rollups rebuilt for a new list of sanctioned tools',
        ms: Math.round(performance.now() - started),
      });
    }
    tools = read;
    toolsEtag = etag;
    return read;
  }
  currentTools();

  function answer(ex: Exchange): Dashboard | null {
    const url = ex.req.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const parsed = parseDashboardQuery(new URLSearchParams(query), options.now().toISOString().slice(0, 10));
    if (!parsed.ok) {
      replyJson(ex, 400, { error: parsed.error });
      return null;
    }
    return buildDashboard(store, parsed.filter, k, currentTools());
  }

  return {
    json: (ex) => {
      const dashboard = answer(ex);
      if (dashboard !== null) replyJson(ex, 200, dashboard);
    },
    csv: (ex) => {
      const dashboard = answer(ex);
      if (dashboard === null) return;
      const csv = dashboardCsv(dashboard);
      reply(
        ex,
        200,
        {
          ...BASE_HEADERS,
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="daylight-dashboard-${dashboard.from}-to-${dashboard.to}.csv"`,
          'content-length': Buffer.byteLength(csv),
        },
        csv,
      );
    },
  };
}
