/** The spec's public conformance cases, read from the shared spec beside the repository. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const SPEC_DIR = fileURLToPath(new URL('../../../shared/spec/', import.meta.url));

export interface ConformanceCase {
  readonly url: string;
  readonly action: string;
  readonly tool: string | null;
  readonly category: string | null;
  readonly redirectTo: string | null;
  readonly checks: readonly ('action' | 'tool' | 'category' | 'redirectTo')[];
}

export function readConformanceCases(): ConformanceCase[] {
  return readFileSync(join(SPEC_DIR, 'conformance.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConformanceCase);
}

export function readConformancePolicy(): unknown {
  return JSON.parse(readFileSync(join(SPEC_DIR, 'conformance-policy.json'), 'utf8'));
}
