/**
 * What the dashboard computes from the API's answer: totals, shares, the trend
 * against the period before, the days to draw. Pure, so it is unit-tested
 * without a browser (tests/unit/dashboard/model.test.ts).
 */
import type { DailyRow, GroupRow, Outcomes } from '../lib/protocol/dashboard-api';
import { addDays } from '../lib/protocol/day';

/**
 * The shown visits added up. A null count is one the collector did not release (docs/spec/report-protocol.md
 * "What admins see"): every number already leaves out what fewer than k people did, so it adds as nothing.
 */
export interface Totals {
  /** Visits to approved tools. */
  readonly approved: number;
  /** Visits to the other AI tools. */
  readonly shadow: number;
  readonly visits: number;
  /** Approved ÷ all visits; null when none was shown. */
  readonly share: number | null;
  /** True when no day has a count to show: the totals say nothing, not "no visits". */
  readonly allHidden: boolean;
}

/** A day's visits: null when neither part was shown. */
export function dayVisits(row: DailyRow): number | null {
  return row.sanctioned === null && row.shadow === null ? null : (row.sanctioned ?? 0) + (row.shadow ?? 0);
}

export function totals(daily: readonly DailyRow[]): Totals {
  let approved = 0;
  let shadow = 0;
  for (const row of daily) {
    approved += row.sanctioned ?? 0;
    shadow += row.shadow ?? 0;
  }
  const visits = approved + shadow;
  return {
    approved,
    shadow,
    visits,
    share: visits === 0 ? null : approved / visits,
    allHidden: daily.every((row) => dayVisits(row) === null),
  };
}

/**
 * One row per day from `from` to `to`: a day the collector did not list has nothing shown (null). Rows outside the
 * period are dropped.
 */
export function everyDay(daily: readonly DailyRow[], from: string, to: string): DailyRow[] {
  const byDay = new Map(daily.map((row) => [row.day, row]));
  const rows: DailyRow[] = [];
  // At most ten years of days: a malformed period must not loop for ever.
  for (let day = from, n = 0; day <= to && n < 3660; day = addDays(day, 1), n++) {
    rows.push(byDay.get(day) ?? { day, sanctioned: null, shadow: null, sanctionedPeople: null, shadowPeople: null });
  }
  return rows;
}

/** The day with the most shown visits (the first of equals); null when none had any. */
export function busiestDay(daily: readonly DailyRow[]): { day: string; visits: number } | null {
  let best: { day: string; visits: number } | null = null;
  for (const row of daily) {
    const visits = dayVisits(row) ?? 0;
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

/** A group's approved share of its shown visits, or null when none was shown. */
export function groupShare(row: GroupRow): number | null {
  return row.visits === null || row.visits === 0 ? null : (row.sanctioned ?? 0) / row.visits;
}
