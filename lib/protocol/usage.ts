/**
 * What is counted on the device (docs/spec/report-protocol.md "What is counted"): one
 * counter per (day, tool, event), and nothing else: no URL, no time of day,
 * no tab.
 */
import type { Decision } from '../policy/compile';
import { REPORT_EVENTS, type ReportEvent } from './report-schema';

/** The protocol's events, in the order the options page lists them. `sensitive-paste` is planned, not yet counted. */
export const USAGE_EVENTS = REPORT_EVENTS;
export type UsageEvent = ReportEvent;

export interface UsageCount {
  /** The local calendar day, YYYY-MM-DD. */
  readonly day: string;
  readonly tool: string;
  readonly event: UsageEvent;
  readonly n: number;
  /** Whether the policy in force when it was counted sanctions the tool (the latest count's policy). */
  readonly sanctioned: boolean;
}

/** The local calendar day of a moment, as the protocol writes it. */
export function localDay(moment: Date): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(moment.getFullYear(), 4)}-${pad(moment.getMonth() + 1, 2)}-${pad(moment.getDate(), 2)}`;
}

/**
 * The event counted when a nudge page is shown for a decision, or null. A redirect page counts
 * nothing yet: "redirected" means the person reached the approved tool, which is counted then.
 */
export function nudgeShownEvent(decision: Decision): UsageEvent | null {
  if (decision.tool === null) return null;
  if (decision.action === 'warn') return 'warned';
  if (decision.action === 'block') return 'blocked';
  return null;
}

/** Newest day first, then by tool and by the protocol's order of events: how people read a usage table. */
export function sortCounts(counts: readonly UsageCount[]): UsageCount[] {
  return [...counts].sort(
    (a, b) =>
      b.day.localeCompare(a.day) ||
      a.tool.localeCompare(b.tool) ||
      USAGE_EVENTS.indexOf(a.event) - USAGE_EVENTS.indexOf(b.event),
  );
}
