import { describe, expect, it } from 'vitest';
import { EMPTY_CATALOG } from '../../../../lib/policy/catalog';
import { decide } from '../../../../lib/policy/decide';
import { parsePolicy } from '../../../../lib/policy/validate';
import { readConformanceCases, readConformancePolicy } from '../../../support/conformance';

const result = parsePolicy(readConformancePolicy(), EMPTY_CATALOG);
if (!result.ok) throw new Error(`conformance policy rejected: ${JSON.stringify(result.errors)}`);
const { index } = result;
const cases = readConformanceCases();

describe('docs/spec/conformance/conformance.jsonl', () => {
  it('has cases to run', () => {
    expect(cases.length).toBeGreaterThanOrEqual(32);
  });

  it.each(cases)('$url → $action $tool', (testCase) => {
    const decision = decide(index, testCase.url);
    const got = {
      action: decision.action,
      tool: decision.tool,
      category: decision.category,
      redirectTo: decision.redirectTo,
    };
    for (const field of testCase.checks) expect(got[field], field).toBe(testCase[field]);
  });
});
