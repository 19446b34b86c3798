/**
 * The spec and seed data live beside the repository in ../shared (as on CI);
 * DAYLIGHT_SHARED_DIR points elsewhere. Missing, the tests say so instead of passing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR =
  process.env.DAYLIGHT_SHARED_DIR ?? fileURLToPath(new URL('../../../shared/', import.meta.url));
if (!existsSync(join(SHARED_DIR, 'spec', 'conformance.jsonl'))) {
  throw new Error(
    `The spec is read from ${SHARED_DIR} (the shared/ folder beside this repository); set DAYLIGHT_SHARED_DIR to where it is.`,
  );
}
export const SPEC_DIR = join(SHARED_DIR, 'spec');

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
