/**
 * What the dashboard computes from the API's answer: totals, shares, the trend
 * against the period before, the days to draw. Pure, so it is unit-tested
 * without a browser (tests/unit/dashboard/model.test.ts).
 */
import type { DailyRow, Dashboard, GroupRow, Outcomes } from '../lib/protocol/dashboard-api';
import { addDays } from '../lib/protocol/day';

export interface Totals {
  /** Visits to approved tools, over the days not hidden. */
  readonly approved: number;
  /** Visits to the other AI tools, over the days not hidden. */
  readonly shadow: number;
  readonly visits: number;
  /** Approved ÷ all visits; null when there were none or every day is hidden. */
  readonly share: number | null;
  /** Days with a hidden count, left out of the sums. */
  readonly hiddenDays: number;
  /** True when days are hidden and the others had no visits: the totals say nothing. */
  readonly allHidden: boolean;
}

export function totals(daily: readonly DailyRow[]): Totals {
  let approved = 0;
  let shadow = 0;
  let hiddenDays = 0;
  for (const row of daily) {
    if (row.sanctioned === null || row.shadow === null) {
      hiddenDays++;
      continue;
    }
    approved += row.sanctioned;
    shadow += row.shadow;
  }
  const visits = approved + shadow;
  return {
    approved,
    shadow,
    visits,
    share: visits === 0 ? null : approved / visits,
    hiddenDays,
    allHidden: hiddenDays > 0 && visits === 0,
  };
}

/**
 * One row per day from `from` to `to`: a day the collector did not list had no visits (0), a day it
 * hid stays hidden (null). Rows outside the period are dropped.
 */
export function everyDay(daily: readonly DailyRow[], from: string, to: string): DailyRow[] {
  const byDay = new Map(daily.map((row) => [row.day, row]));
  const rows: DailyRow[] = [];
  // At most ten years of days: a malformed period must not loop for ever.
  for (let day = from, n = 0; day <= to && n < 3660; day = addDays(day, 1), n++) {
    rows.push(byDay.get(day) ?? { day, sanctioned: 0, shadow: 0 });
  }
  return rows;
}

/** The day with the most visits (the first of equals), over the days not hidden; null when none had any. */
export function busiestDay(daily: readonly DailyRow[]): { day: string; visits: number } | null {
  let best: { day: string; visits: number } | null = null;
  for (const row of daily) {
    if (row.sanctioned === null || row.shadow === null) continue;
    const visits = row.sanctioned + row.shadow;
    if (visits > 0 && (best === null || visits > best.visits)) best = { day: row.day, visits };
  }
  return best;
}

export interface Trend {
  /** Change of the approved share in percentage points (+5 = from 60% to 65%); null when either share is unknown. */
  readonly sharePoints: number | null;
  /** Relative change of shadow visits (−0.12 = 12% fewer); 'new' when there were none before; null when unknown. */
  readonly shadowChange: number | 'new' | null;
}

export function trend(current: Totals, previous: Totals | null): Trend {
  if (previous === null || previous.allHidden || current.allHidden) return { sharePoints: null, shadowChange: null };
  const sharePoints =
    current.share === null || previous.share === null
      ? null
      : Math.round(current.share * 100) - Math.round(previous.share * 100);
  let shadowChange: Trend['shadowChange'];
  if (previous.shadow === 0) shadowChange = current.shadow === 0 ? 0 : 'new';
  else shadowChange = (current.shadow - previous.shadow) / previous.shadow;
  return { sharePoints, shadowChange };
}

/** Proceeded ÷ warned; null without warnings. */
export function continuedRate(outcomes: Outcomes): number | null {
  return outcomes.warned === 0 ? null : outcomes.proceeded / outcomes.warned;
}

/** A group's approved share, or null when a part of it is hidden or it had no visits. */
export function groupShare(row: GroupRow): number | null {
  if (row.sanctioned === null || row.shadow === null) return null;
  const visits = row.sanctioned + row.shadow;
  return visits === 0 ? null : row.sanctioned / visits;
}

/** Whether anything on the page is hidden, so the explanation of "< k" is shown. */
export function hasHiddenNumbers(data: Dashboard): boolean {
  return (
    data.outcomes === null ||
    data.daily.some((row) => row.sanctioned === null || row.shadow === null) ||
    data.byGroup.some(
      (row) =>
        row.suppressed ||
        [row.visits, row.sanctioned, row.shadow, row.warned, row.proceeded, row.redirected, row.blocked].includes(null),
    )
  );
}
