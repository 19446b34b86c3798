/** Small helpers shared by the commands: output streams and policy loading. */
import { readFileSync } from 'node:fs';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../lib/policy/bundled';
import { formatProblem, parsePolicy, parsePolicyText, type PolicyResult } from '../lib/policy/validate';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal: progress bars are drawn only there, never into a log file. */
  readonly errIsTerminal: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTerminal: process.stderr.isTTY,
};

/** Exit codes: 0 fine, 1 some input was bad, 2 the command could not run (bad policy, bad usage). */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_UNUSABLE = 2;

export class UsageError extends Error {}

export function readPolicyFile(file: string | undefined): PolicyResult {
  if (file === undefined) return parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: '', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }],
      warnings: [],
    };
  }
  return parsePolicyText(text, BUNDLED_CATALOG);
}

/** Loads the policy for check and preview: warnings on stderr; null (errors printed) when unusable. */
export function loadPolicyOrReport(file: string | undefined, io: Io): Extract<PolicyResult, { ok: true }> | null {
  return reportPolicy(readPolicyFile(file), file ?? 'default policy', io);
}

/** Warnings and errors of a parsed policy on stderr, each prefixed with `name`; null when unusable. */
export function reportPolicy(result: PolicyResult, name: string, io: Io): Extract<PolicyResult, { ok: true }> | null {
  for (const warning of result.warnings) io.err(`${name}: warning: ${formatProblem(warning)}\n`);
  if (!result.ok) {
    for (const error of result.errors) io.err(`${name}: error: ${formatProblem(error)}\n`);
    return null;
  }
  return result;
}
