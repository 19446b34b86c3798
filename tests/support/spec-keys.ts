/** The keys of the table in docs/spec/managed-config.md, with their types ("string", "boolean"), as the spec gives them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEC_DIR } from './conformance';

/** A row of the key table: `| \`policyUrl\` | string | … |`, however the columns are padded. */
const KEY_ROW = /^\|\s*`([a-zA-Z]+)`\s*\|\s*([a-z]+)\s*\|/;

export function specKeys(): Record<string, string> {
  const rows = readFileSync(join(SPEC_DIR, 'managed-config.md'), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const [, key, type] = KEY_ROW.exec(line) ?? [];
      return key === undefined || type === undefined ? [] : [[key, type] as const];
    });
  return Object.fromEntries(rows);
}
