/**
 * GET /api/v1/counts and /api/v1/counts.csv: the aggregates, for the dashboard
 * and for a spreadsheet. Both take the same filters; an unknown or repeated
 * parameter is an error rather than a silently unfiltered answer.
 */
import { ID_PATTERN } from '../lib/policy/schema';
import { REPORT_EVENTS, isCalendarDay, type ReportEvent } from '../lib/protocol/report-schema';
import { BASE_HEADERS, reply, replyJson, type Exchange } from './http';
import type { CollectorStore, CountFilter, CountRow } from './store';

const PARAMETERS = ['from', 'to', 'tool', 'event', 'group'] as const;

export type ParsedFilter = { ok: true; filter: CountFilter } | { ok: false; error: string };

const isEvent = (value: string): value is ReportEvent => (REPORT_EVENTS as readonly string[]).includes(value);

/**
 * Why a query's parameters are refused, or null: an unknown or repeated parameter is an error rather than a
 * silently unfiltered answer.
 */
export function unexpectedParameter(query: URLSearchParams, allowed: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!allowed.includes(name)) return `${name}: unknown parameter; the filters are ${allowed.join(', ')}`;
    if (seen.has(name)) return `${name}: given more than once`;
    seen.add(name);
  }
  return null;
}

/** `group=` (empty) asks for the counts of reports without a group. */
export function parseCountFilter(query: URLSearchParams): ParsedFilter {
  const unexpected = unexpectedParameter(query, PARAMETERS);
  if (unexpected !== null) return { ok: false, error: unexpected };
  const filter: { -readonly [K in keyof CountFilter]: CountFilter[K] } = {};
  for (const name of ['from', 'to'] as const) {
    const day = query.get(name);
    if (day === null) continue;
    if (!isCalendarDay(day)) return { ok: false, error: `${name}: must be a calendar date written YYYY-MM-DD` };
    filter[name] = day;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    return { ok: false, error: `from: ${filter.from} is after to (${filter.to})` };
  }
  const tool = query.get('tool');
  if (tool !== null) {
    if (!ID_PATTERN.test(tool)) return { ok: false, error: 'tool: must be a tool id' };
    filter.tool = tool;
  }
  const event = query.get('event');
  if (event !== null) {
    if (!isEvent(event)) return { ok: false, error: `event: must be one of ${REPORT_EVENTS.join(', ')}` };
    filter.event = event;
  }
  const group = query.get('group');
  if (group !== null) filter.group = group === '' ? null : group;
  return { ok: true, filter };
}

/** Text a spreadsheet would run as a formula (OWASP "CSV injection"): kept as text by an apostrophe before it. */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * The same after a list separator, a quote or a line break: Excel splits a CSV at `,` in English and at `;` in German,
 * French or Spanish, and with the other separator reads a quoted field and then the rest of the line as it comes, so a
 * cell may start after any of them.
 */
const FORMULA_AFTER_SEPARATOR = /([,;"\r\n])(?=[=+\-@\t\r])/g;

/** One RFC 4180 field: every text quoted, formulas neutralised at its start and wherever a cell could start in it. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = value.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return `"${(FORMULA_START.test(text) ? `'${text}` : text).replaceAll('"', '""')}"`;
}

export const CSV_COLUMNS = ['day', 'tool', 'event', 'group', 'policyRevision', 'sanctioned', 'n', 'people'] as const;

/** RFC 4180: CRLF after every record, a header record first. */
export function countsCsv(rows: readonly CountRow[]): string {
  let csv = `${CSV_COLUMNS.map(csvField).join(',')}\r\n`;
  for (const row of rows) {
    csv += `${CSV_COLUMNS.map((column) => csvField(column === 'sanctioned' ? String(row.sanctioned) : row[column])).join(',')}\r\n`;
  }
  return csv;
}

/**
 * The handler of both routes: the counts of the released group cells only, what the dashboard may show too
 * (collector/release.ts), once the days that changed are made (`shownReady`, collector/shown-maker.ts).
 */
export function createCountsApi(
  store: Pick<CollectorStore, 'shownCounts'>,
  k: number,
  shownReady: () => Promise<void>,
) {
  return async (ex: Exchange, format: 'json' | 'csv'): Promise<void> => {
    const query = ex.req.url?.includes('?') === true ? ex.req.url.slice(ex.req.url.indexOf('?') + 1) : '';
    const parsed = parseCountFilter(new URLSearchParams(query));
    if (!parsed.ok) {
      replyJson(ex, 400, { error: parsed.error });
      return;
    }
    await shownReady();
    const rows = store.shownCounts(parsed.filter, k);
    if (format === 'json') {
      replyJson(ex, 200, { rows });
      return;
    }
    const csv = countsCsv(rows);
    reply(
      ex,
      200,
      {
        ...BASE_HEADERS,
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': 'attachment; filename="daylight-counts.csv"',
        'content-length': Buffer.byteLength(csv),
      },
      csv,
    );
  };
}
