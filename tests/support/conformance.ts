/**
 * The public spec (docs/spec/) and its decision conformance cases (docs/spec/conformance/), as the
 * tests read them: the documents are the contract, so the tests check the code against them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** docs/spec/ of this repository. */
export const SPEC_DIR = fileURLToPath(new URL('../../docs/spec/', import.meta.url));
/** The policy the conformance cases are decided under (docs/spec/policy-format.md "Conformance cases"). */
export const CONFORMANCE_POLICY_FILE = fileURLToPath(
  new URL('../../docs/spec/conformance/conformance-policy.json', import.meta.url),
);
const CONFORMANCE_CASES_FILE = fileURLToPath(new URL('../../docs/spec/conformance/conformance.jsonl', import.meta.url));

export interface ConformanceCase {
  readonly url: string;
  readonly action: string;
  readonly tool: string | null;
  readonly category: string | null;
  readonly redirectTo: string | null;
  readonly checks: readonly ('action' | 'tool' | 'category' | 'redirectTo')[];
}

export function readConformanceCases(): ConformanceCase[] {
  return readFileSync(CONFORMANCE_CASES_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConformanceCase);
}

export function readConformancePolicy(): unknown {
  return JSON.parse(readFileSync(CONFORMANCE_POLICY_FILE, 'utf8'));
}
