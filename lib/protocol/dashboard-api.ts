/**
 * GET /api/v1/dashboard: what the collector answers (collector/dashboard-api.ts) and the dashboard
 * parses at its boundary (dashboard/api.ts), one schema for both. The numbers are already filtered,
 * and each is a sum of the cells the collector released (docs/spec/report-protocol.md "What admins see"):
 * a null count is one with no released cell behind it, whether there were none or fewer than k people.
 */
import * as z from 'zod/mini';

/** What people did about nudges, as the dashboard shows them. */
export const OUTCOMES = ['warned', 'proceeded', 'redirected', 'blocked'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A count the dashboard may show, or null where no released cell is behind it. */
export type Cell = number | null;

const count = z.int().check(z.gte(0));
const hidden = z.nullable(count);

/** People: how many devices did it that day (docs/spec/report-protocol.md "People"). */
const DailySchema = z.object({
  day: z.string(),
  sanctioned: hidden,
  shadow: hidden,
  sanctionedPeople: hidden,
  shadowPeople: hidden,
});
const TopToolSchema = z.object({ tool: z.string(), name: z.string(), sanctioned: z.boolean(), visits: count });
const OutcomesSchema = z.object({ warned: count, proceeded: count, redirected: count, blocked: count });
const GroupRowSchema = z.object({
  group: z.nullable(z.string()),
  visits: hidden,
  sanctioned: hidden,
  shadow: hidden,
  /** People on the range's busiest day: the people of two days cannot be added. */
  sanctionedPeople: hidden,
  shadowPeople: hidden,
  warned: hidden,
  proceeded: hidden,
  redirected: hidden,
  blocked: hidden,
  suppressed: z.boolean(),
});

export const DashboardSchema = z.object({
  from: z.string(),
  to: z.string(),
  k: z.int().check(z.gte(1)),
  /** Every group ever reported, for the filter. */
  groups: z.array(z.string()),
  /** Every policy revision ever reported, newest first, for the filter. */
  revisions: z.array(z.string()),
  daily: z.array(DailySchema),
  topTools: z.array(TopToolSchema),
  outcomes: z.nullable(OutcomesSchema),
  byGroup: z.array(GroupRowSchema),
  /** Reports the collector refused in the range, per reason (collector/reports.ts refusalReason), most first. */
  refused: z.array(z.object({ reason: z.string(), n: count })),
  /**
   * Tools whose visits the devices counted in the range, under the revision of the collector's own policy file,
   * as sanctioned (devices: true) or not (false) when that file says otherwise. The dashboard follows the devices.
   */
  disagreements: z.array(z.object({ tool: z.string(), name: z.string(), devices: z.boolean() })),
});

export type Dashboard = z.infer<typeof DashboardSchema>;
export type DailyRow = z.infer<typeof DailySchema>;
export type TopTool = z.infer<typeof TopToolSchema>;
export type Outcomes = z.infer<typeof OutcomesSchema>;
export type GroupRow = z.infer<typeof GroupRowSchema>;
export type Disagreement = Dashboard['disagreements'][number];
