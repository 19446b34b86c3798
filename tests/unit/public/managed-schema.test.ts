import { describe, expect, it } from 'vitest';
import { NO_MANAGED_CONFIG } from '../../../lib/policy/managed-config';
import managedSchema from '../../../public/managed_schema.json';
import { specKeys } from '../../support/spec-keys';

describe('managed_schema.json, which Chromium needs to pass managed values on', () => {
  const properties = managedSchema.properties as Record<string, { type: string; title?: string; description?: string }>;

  it('declares every key of docs/spec/managed-config.md with its type, and no other', () => {
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
