/**
 * Calendar days as the report protocol writes them (`YYYY-MM-DD`, docs/spec/report-protocol.md "What
 * is counted"), for the collector's storage and dashboard API and the dashboard's filters alike.
 * Arithmetic is in UTC, so no daylight-saving change moves a day.
 */

const DAY_MS = 86_400_000;

/** The UTC day of a moment. */
export function utcDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** The day `offset` days after `day` (before it when negative). */
export function addDays(day: string, offset: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + offset * DAY_MS));
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The first day of the month `offset` months after the month of `day`. */
export function firstOfMonth(day: string, offset: number): string {
  return utcDay(new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1 + offset, 1)));
}
