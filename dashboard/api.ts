/**
 * GET /api/v1/dashboard: the aggregates the dashboard shows, already filtered
 * and with small groups suppressed by the collector (collector/dashboard-api.ts).
 * A null count is a suppressed one (fewer than `k` batches), never a zero.
 * Parsed at the boundary like every other input: a collector of another
 * version answers with an error on the page, not a half-drawn chart.
 */
import * as z from 'zod/mini';

const count = z.int().check(z.gte(0));
const hidden = z.nullable(count);

const DailySchema = z.object({ day: z.string(), sanctioned: hidden, shadow: hidden });
const TopToolSchema = z.object({ tool: z.string(), name: z.string(), sanctioned: z.boolean(), visits: count });
const OutcomesSchema = z.object({ warned: count, proceeded: count, redirected: count, blocked: count });
const GroupRowSchema = z.object({
  group: z.nullable(z.string()),
  visits: hidden,
  sanctioned: hidden,
  shadow: hidden,
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
  groups: z.array(z.string()),
  revisions: z.array(z.string()),
  /** False when the collector has no policy, so it cannot tell approved tools from the others. */
  sanctionedKnown: z.boolean(),
  daily: z.array(DailySchema),
  topTools: z.array(TopToolSchema),
  outcomes: z.nullable(OutcomesSchema),
  byGroup: z.array(GroupRowSchema),
});

export type Dashboard = z.infer<typeof DashboardSchema>;
export type DailyRow = z.infer<typeof DailySchema>;
export type TopTool = z.infer<typeof TopToolSchema>;
export type Outcomes = z.infer<typeof OutcomesSchema>;
export type GroupRow = z.infer<typeof GroupRowSchema>;

export type FetchResult =
  | { readonly kind: 'ok'; readonly data: Dashboard }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'error'; readonly message: string };

/** One GET of the dashboard API (same origin, so the session cookie goes along). */
export async function fetchDashboard(url: string, signal?: AbortSignal): Promise<FetchResult> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, ...(signal && { signal }) });
  if (response.status === 401) return { kind: 'signed-out' };
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    return { kind: 'error', message: typeof error === 'string' ? error : `HTTP ${response.status}` };
  }
  const parsed = DashboardSchema.safeParse(body);
  if (!parsed.success) return { kind: 'error', message: 'the collector answered in a form this page does not know' };
  return { kind: 'ok', data: parsed.data };
}
