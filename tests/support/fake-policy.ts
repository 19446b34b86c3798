/** Test data builders: a valid minimal policy with partial overrides. */
import type { PolicyInput } from '../../lib/policy/schema';

export function fakePolicy(overrides: Record<string, unknown> = {}): PolicyInput {
  return { schemaVersion: 1, revision: 'test-1', catalog: 'none', ...overrides };
}

export function fakeTool(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'talk', name: 'Talk', category: 'chat', match: ['talk.example'], ...overrides };
}

export function fakeSanctioned(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', categories: ['chat'], ...overrides };
}
