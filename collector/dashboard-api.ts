/**
 * GET /api/v1/dashboard and /api/v1/dashboard.csv: what the admin dashboard (dashboard/) shows, the numbers
 * as dashboard-numbers.ts adds them up and hides the small ones, for the filters of the request.
 *
 * The CSV is the same answer for a spreadsheet: the by-group table (a count with nothing released behind it is an
 * empty field; the reports without a group have an empty group), a blank line, then the daily table. The first table is
 * what a spreadsheet user filters and sorts; the daily one is what they chart.
 */
import { OUTCOMES, type Dashboard } from '../lib/protocol/dashboard-api';
import { addDays, daysBetween } from '../lib/protocol/day';
import { isCalendarDay } from '../lib/protocol/report-schema';
import { csvField, unexpectedParameter } from './counts-api';
import { buildDashboard, policyTools, type PolicyTools } from './dashboard-numbers';
import { BASE_HEADERS, reply, replyJson, type Exchange } from './http';
import type { Log } from './log';
import type { PolicySnapshot } from './policy-file';
import type { CollectorStore, DashboardFilter } from './store';

export const DEFAULT_K = 5;
/** The range without from and to: the last 30 days, today (UTC) included. */
const DEFAULT_DAYS = 30;
/** A year and some, for a year against the year before in two requests; longer ranges are not a dashboard view. */
export const MAX_DAYS = 400;
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

const GROUP_COLUMNS = [
  'group',
  'visits',
  'sanctioned',
  'shadow',
  'sanctionedPeople',
  'shadowPeople',
  ...OUTCOMES,
  'suppressed',
] as const;
const DAILY_COLUMNS = ['day', 'sanctioned', 'shadow', 'sanctionedPeople', 'shadowPeople'] as const;

/** RFC 4180 records (CRLF after each), fields written as counts-api.ts writes them (formulas neutralised). */
export function dashboardCsv(dashboard: Dashboard): string {
  let csv = `${GROUP_COLUMNS.map(csvField).join(',')}\r\n`;
  for (const row of dashboard.byGroup) {
    csv += `${GROUP_COLUMNS.map((column) => csvField(column === 'suppressed' ? String(row.suppressed) : row[column])).join(',')}\r\n`;
  }
  csv += `\r\n${DAILY_COLUMNS.map(csvField).join(',')}\r\n`;
  for (const row of dashboard.daily) csv += `${DAILY_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`;
  return csv;
}

export interface DashboardApiOptions {
  readonly store: CollectorStore;
  readonly k: number;
  /** The groups of `daylight serve --groups`, listed with those reported. */
  readonly groups: readonly string[];
  /** The policy in force, null without one. */
  readonly policy: () => PolicySnapshot | null;
  readonly now: () => Date;
  readonly log: Log;
  /** Resolves once the shown rows of the days that changed are made (collector/shown-maker.ts). */
  readonly shownReady: () => Promise<void>;
}

export interface DashboardApi {
  readonly json: (ex: Exchange) => Promise<void>;
  readonly csv: (ex: Exchange) => Promise<void>;
}

// Long: a factory; the policy's tool names it closes over are shared by the JSON and CSV answers inside.
export function createDashboardApi(options: DashboardApiOptions): DashboardApi {
  const { store, k } = options;
  let tools: PolicyTools | null = null;
  let toolsEtag: string | null = null;

  /** The policy's tool names, read again only when the file changed. */
  function currentTools(): PolicyTools {
    const file = options.policy();
    const etag = file?.policy.etag ?? null;
    if (tools !== null && etag === toolsEtag) return tools;
    tools = policyTools(file);
    toolsEtag = etag;
    return tools;
  }

  async function answer(ex: Exchange): Promise<Dashboard | null> {
    const url = ex.req.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const parsed = parseDashboardQuery(new URLSearchParams(query), options.now().toISOString().slice(0, 10));
    if (!parsed.ok) {
      replyJson(ex, 400, { error: parsed.error });
      return null;
    }
    await options.shownReady();
    return buildDashboard(store, parsed.filter, k, currentTools(), options.groups);
  }

  return {
    json: async (ex) => {
      const dashboard = await answer(ex);
      if (dashboard !== null) replyJson(ex, 200, dashboard);
    },
    csv: async (ex) => {
      const dashboard = await answer(ex);
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
