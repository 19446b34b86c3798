import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_MANAGED_CONFIG } from '../../lib/managed-config';
import managedSchema from '../../public/managed_schema.json';
import { SPEC_DIR } from '../support/conformance';

/** The keys of the table in managed-config.md, with their types. */
function specKeys(): Record<string, string> {
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

describe('managed_schema.json, which Chromium needs to pass managed values on', () => {
  const properties = managedSchema.properties as Record<string, { type: string; title?: string; description?: string }>;

  it('declares every key of managed-config.md with its type, and no other', () => {
    const keys = specKeys();
    expect(Object.keys(keys).length).toBeGreaterThanOrEqual(6);
    expect(Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, value.type]))).toEqual(keys);
  });

  it('gives IT a title and a description for each', () => {
    for (const [key, value] of Object.entries(properties)) {
      expect(value.title, key).toBeTruthy();
      expect((value.description ?? '').length, key).toBeGreaterThan(30);
    }
  });

  it('matches what the extension reads', () => {
    expect(Object.keys(properties).sort()).toEqual(Object.keys(NO_MANAGED_CONFIG).sort());
  });
});
