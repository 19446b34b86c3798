/**
 * Which policy is in force (ARCHITECTURE.md "Policy in", docs/spec/managed-config.md): the
 * managed inline `policy`, else the one fetched from `policyUrl`, else the
 * bundled default. A candidate that fails validation, or a fetched policy
 * older than the fetched one in force, never replaces the last good policy;
 * why it was refused is kept to be shown.
 */
import type { Catalog } from './catalog';
import type { ManagedConfig } from './managed-config';
import { formatProblem, parsePolicyText, type PolicyResult } from './validate';

export type PolicySourceName = 'managed' | 'url' | 'default';

/** The last policy that passed validation, as text, and where it came from. */
export interface StoredPolicy {
  readonly text: string;
  readonly source: 'managed' | 'url';
}

export interface PolicyInForce {
  readonly result: Extract<PolicyResult, { ok: true }>;
  readonly source: PolicySourceName;
  /** The policy text in force, to keep as the last good one. Null for the default. */
  readonly text: string | null;
  /** Why a candidate was refused, one line each; empty when all is well. */
  readonly errors: readonly string[];
}

/** Parses policy text; the background passes one that reuses a stored compiled index. */
export type ParsePolicyText = (text: string) => PolicyResult;

export function choosePolicy(
  config: ManagedConfig,
  lastGood: StoredPolicy | null,
  catalog: Catalog,
  defaultPolicy: unknown,
  parseText: ParsePolicyText = (text) => parsePolicyText(text, catalog),
): PolicyInForce {
  const defaultInForce = (errors: readonly string[]): PolicyInForce => {
    const result = parseText(JSON.stringify(defaultPolicy));
    if (!result.ok) throw new Error('the bundled default policy is invalid');
    return { result, source: 'default', text: null, errors };
  };
  const fromStored = (stored: StoredPolicy, errors: readonly string[]): PolicyInForce | null => {
    const result = parseText(stored.text);
    return result.ok ? { result, source: stored.source, text: stored.text, errors } : null;
  };
  if (config.policy !== null) {
    const managed = parseText(config.policy);
    if (managed.ok) return { result: managed, source: 'managed', text: config.policy, errors: [] };
    const errors = managed.errors.map((problem) => `managed policy: ${formatProblem(problem)}`);
    return (lastGood && fromStored(lastGood, errors)) ?? defaultInForce(errors);
  }
  // Until a fetched policy passes, the last good one (inline or fetched) stays in force.
  if (config.policyUrl !== null && lastGood !== null) return fromStored(lastGood, []) ?? defaultInForce([]);
  return defaultInForce([]);
}

/**
 * Why the latest update from policyUrl was not taken, for the popup to say in words (the options page
 * shows the error itself): the policy could not be downloaded, the policy has errors, its signature is
 * missing or wrong, or it is older than the policy in force.
 */
export type UpdateProblem = 'unavailable' | 'invalid' | 'signature' | 'rollback' | 'audience';

export type FetchedPolicyCheck =
  | { readonly ok: true; readonly result: Extract<PolicyResult, { ok: true }> }
  | { readonly ok: false; readonly problem: 'invalid' | 'rollback' | 'audience'; readonly errors: readonly string[] };

/**
 * A policy fetched from `url`: valid, meant for that URL when it names one (`audience`), and not older than the
 * fetched policy in force (docs/spec/policy-format.md "Rollback protection").
 */
export function checkFetchedPolicy(
  text: string,
  url: string,
  inForce: PolicyInForce,
  catalog: Catalog,
): FetchedPolicyCheck {
  const result = parsePolicyText(text, catalog);
  if (!result.ok)
    return {
      ok: false,
      problem: 'invalid',
      errors: result.errors.map((problem) => `fetched policy: ${formatProblem(problem)}`),
    };
  const { audience } = result.policy;
  // A policy signed for staging, served again at production's URL, is not production's: the URL is not signed,
  // so the policy says which one it is for.
  if (audience !== undefined && audience !== url) {
    return {
      ok: false,
      problem: 'audience',
      errors: [`fetched policy: audience ${audience} is not this browser's policyUrl (${url}); refused`],
    };
  }
  const current = inForce.source === 'url' ? inForce.result.policy.issuedAt : undefined;
  if (current === undefined) return { ok: true, result };
  const candidate = result.policy.issuedAt;
  // Without a date, a policy cannot show it is not older: once a dated one is in force, it is refused.
  if (candidate === undefined) {
    return {
      ok: false,
      problem: 'rollback',
      errors: [
        `fetched policy: issuedAt: not set, while the policy in force has one (${current}); refused as a possible rollback`,
      ],
    };
  }
  if (Date.parse(candidate) < Date.parse(current)) {
    return {
      ok: false,
      problem: 'rollback',
      errors: [
        `fetched policy: issuedAt ${candidate} is older than the policy in force (${current}); refused as a possible rollback`,
      ],
    };
  }
  return { ok: true, result };
}
