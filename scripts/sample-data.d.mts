// Types of sample-data.mjs, for the TypeScript that uses it (tests/screenshots).
import type { Report } from '../lib/protocol/report-schema';

export function sampleReports(options: {
  readonly today: Date;
  readonly days?: number;
  readonly approved: readonly string[];
  readonly shadow: readonly { readonly tool: string; readonly nudge: 'warned' | 'redirected' | 'blocked' }[];
  readonly policyRevision: string;
}): Report[];
