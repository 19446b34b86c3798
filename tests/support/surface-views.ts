/** What the popup and the options page are given about the policy in force, for their unit tests. */
import type { PolicySummary } from '../../lib/messages';

export function fakePolicySummary(overrides: Partial<PolicySummary> = {}): PolicySummary {
  return {
    source: 'managed',
    revision: 'corp-3',
    organizationName: 'Corp',
    supportUrl: null,
    errors: [],
    updateProblem: null,
    ...overrides,
  };
}
