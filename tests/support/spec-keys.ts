/** The keys of the table in managed-config.md, with their types ("string", "boolean"), as the spec gives them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEC_DIR } from './conformance';

export function specKeys(): Record<string, string> {
  const table = readFileSync(join(SPEC_DIR, 'managed-config.md'), 'utf8')
    .split('\n')
    .filter((line) => /^\| `[a-zA-Z]+` \|/.test(line));
  return Object.fromEntries(
    table.map((line) => {
      const [, key = '', type = ''] = /^\| `([a-zA-Z]+)` \| ([a-z]+)/.exec(line) ?? [];
      return [key, type];
    }),
  );
}
