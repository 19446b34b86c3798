/**
 * The filters live in the page's query string (`/?from=&to=&group=&revision=`),
 * so a view can be bookmarked or sent to a colleague; the API and the CSV
 * download take the same parameters.
 */
import { addDays, daysBetween } from '../lib/protocol/day';

export interface Filters {
  readonly from?: string;
  readonly to?: string;
  /** A group's name, or '' for the reports without a group (`?group=`, as the API has it). */
  readonly group?: string;
  readonly revision?: string;
}

export const FILTER_NAMES = ['from', 'to', 'group', 'revision'] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** As the collector allows for a group or a revision; anything longer is not one. */
const MAX_TEXT = 64;

/** The filters a query string names; malformed or empty values are dropped rather than sent on. */
export function parseFilters(search: string): Filters {
  const query = new URLSearchParams(search);
  const filters: { -readonly [K in keyof Filters]: Filters[K] } = {};
  for (const name of ['from', 'to'] as const) {
    const day = query.get(name);
    if (day !== null && DAY.test(day)) filters[name] = day;
  }
  const group = query.get('group');
  if (group !== null && group.length <= MAX_TEXT) filters.group = group;
  const revision = query.get('revision');
  if (revision !== null && revision !== '' && revision.length <= MAX_TEXT) filters.revision = revision;
  if (filters.from !== undefined && filters.to !== undefined && filters.from > filters.to) {
    return { ...filters, from: filters.to, to: filters.from };
  }
  return filters;
}

/** `from=…&to=…&group=…&revision=…` in that order, without the filters that are not set (`group=` is one). */
export function filtersQuery(filters: Filters): string {
  const query = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value !== undefined && (value !== '' || name === 'group')) query.set(name, value);
  }
  return query.toString();
}

const withQuery = (path: string, filters: Filters): string => {
  const query = filtersQuery(filters);
  return query === '' ? path : `${path}?${query}`;
};

export const pageUrl = (filters: Filters): string => withQuery('/', filters);
export const apiUrl = (filters: Filters): string => withQuery('/api/v1/dashboard', filters);
export const csvUrl = (filters: Filters): string => withQuery('/api/v1/dashboard.csv', filters);

/** The period of the same length just before [from, to], with the same group and revision: for the trend. */
export function previousPeriod(filters: Filters, from: string, to: string): Filters {
  const length = daysBetween(from, to);
  return { ...filters, from: addDays(from, -length), to: addDays(from, -1) };
}

/** What is shown, as filters: the period the collector answered for, and the group and revision asked for. */
export function shownFilters(filters: Filters, from: string, to: string): Filters {
  return { ...filters, from, to };
}
