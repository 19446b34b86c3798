/**
 * Which policy is in force (design.md "Policy in"): the managed inline
 * `policy`, else the bundled default. A candidate that fails validation never
 * replaces the last good policy; its errors are kept to be shown.
 */
import type { Catalog } from './catalog';
import type { ManagedConfig } from './managed-config';
import { formatProblem, parsePolicy, parsePolicyText, type PolicyResult } from './policy/validate';

export type PolicySourceName = 'managed' | 'last-good' | 'default';

export interface PolicyInForce {
  readonly result: Extract<PolicyResult, { ok: true }>;
  readonly source: PolicySourceName;
  /** The policy text in force, to keep as the last good one. Null for the default. */
  readonly text: string | null;
  /** Why a candidate was refused, one line each; empty when all is well. */
  readonly errors: readonly string[];
}

export function choosePolicy(
  config: ManagedConfig,
  lastGoodText: string | null,
  catalog: Catalog,
  defaultPolicy: unknown,
): PolicyInForce {
  const errors: string[] = [];
  if (config.policy !== null) {
    const managed = parsePolicyText(config.policy, catalog);
    if (managed.ok) return { result: managed, source: 'managed', text: config.policy, errors };
    errors.push(...managed.errors.map((problem) => `managed policy: ${formatProblem(problem)}`));
    if (lastGoodText !== null) {
      const lastGood = parsePolicyText(lastGoodText, catalog);
      if (lastGood.ok) return { result: lastGood, source: 'last-good', text: lastGoodText, errors };
    }
  }
  const fallback = parsePolicy(defaultPolicy, catalog);
  if (!fallback.ok) throw new Error('the bundled default policy is invalid');
  return { result: fallback, source: 'default', text: null, errors };
}
