/**
 * `daylight preview`: what happens if we push this policy? Tallies decisions
 * over a URL list, per tool and action, with each share of all URLs.
 */
import { ACTIONS, type Action } from '../lib/policy/schema';
import type { Decision } from '../lib/policy/compile';

export interface PreviewRow {
  readonly tool: string | null;
  readonly toolName: string | null;
  readonly category: string | null;
  readonly action: Action;
  readonly urls: number;
  readonly share: number;
}

export interface PreviewReport {
  readonly totalUrls: number;
  readonly invalidUrls: number;
  readonly rows: readonly PreviewRow[];
  readonly totals: Readonly<Record<Action, { readonly urls: number; readonly share: number }>>;
}

export class PreviewTally {
  private readonly counts = new Map<Decision, number>();
  private total = 0;
  private invalid = 0;

  add(decision: Decision): void {
    this.total++;
    this.counts.set(decision, (this.counts.get(decision) ?? 0) + 1);
  }

  addInvalid(): void {
    this.invalid++;
  }

  report(): PreviewReport {
    const share = (n: number): number => (this.total === 0 ? 0 : n / this.total);
    const merged = new Map<string, { decision: Decision; urls: number }>();
    for (const [decision, urls] of this.counts) {
      const key = `${decision.tool ?? ''}\u0000${decision.action}`;
      const row = merged.get(key);
      merged.set(key, { decision, urls: (row?.urls ?? 0) + urls });
    }
    const rows = [...merged.values()]
      .map(({ decision, urls }) => ({
        tool: decision.tool,
        toolName: decision.toolName,
        category: decision.category,
        action: decision.action,
        urls,
        share: share(urls),
      }))
      .sort(
        (a, b) => b.urls - a.urls || (a.tool ?? '').localeCompare(b.tool ?? '') || a.action.localeCompare(b.action),
      );
    const totals = Object.fromEntries(ACTIONS.map((action) => [action, { urls: 0, share: 0 }])) as Record<
      Action,
      { urls: number; share: number }
    >;
    for (const row of rows) totals[row.action].urls += row.urls;
    for (const action of ACTIONS) totals[action].share = share(totals[action].urls);
    return { totalUrls: this.total, invalidUrls: this.invalid, rows, totals };
  }
}
