/**
 * Runs before any end-to-end file: a missing browser, language files, root or build stops the run at once
 * with what is missing and the command that installs it, instead of a launch timeout or an assertion
 * about English text where German was expected. It exits rather than throws: a thrown error comes
 * after vitest's "No test files found" and a stack trace, which bury the one line that matters.
 */
import { fileURLToPath } from 'node:url';
import { missingBuilds, missingPrerequisites } from './prerequisites';

export default function checkPrerequisites(): void {
  const missing = [...missingPrerequisites(), ...missingBuilds(fileURLToPath(new URL('../../../', import.meta.url)))];
  if (missing.length === 0) return;
  for (const line of missing) process.stderr.write(`End-to-end tests cannot run: ${line}\n`);
  process.stderr.write('The unit tests alone need no browser: npx vitest run --project unit\n');
  process.exit(1);
}
