/** What the nudge page, the popup and the options page are given, for their unit tests. */
import type { PolicySummary } from '../../lib/protocol/messages';
import type { Decision } from '../../lib/policy/compile';

/** A warning about Claude, a chat tool nobody reviewed; no alternatives or training unless given. */
export function fakeDecision(overrides: Partial<Decision> = {}): Decision {
  return {
    action: 'warn',
    tool: 'claude',
    toolName: 'Claude',
    category: 'chat',
    sanctioned: false,
    redirectTo: null,
    message: null,
    alternatives: [],
    training: [],
    ...overrides,
  };
}

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
