/**
 * GET /api/v1/dashboard (lib/protocol/dashboard-api.ts), parsed at the boundary like every other
 * input: a collector of another version answers with an error on the page, not a half-drawn chart.
 */
import { DashboardSchema, type Dashboard } from '../lib/protocol/dashboard-api';

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
