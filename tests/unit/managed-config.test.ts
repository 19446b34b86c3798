import { describe, expect, it } from 'vitest';
import { NO_MANAGED_CONFIG, parseManagedConfig } from '../../lib/managed-config';
import { choosePolicy } from '../../lib/policy-source';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../lib/bundled';

describe('managed configuration', () => {
  it('takes every key of managed-config.md', () => {
    expect(
      parseManagedConfig({
        policy: '{}',
        policyUrl: 'https://it.corp.example/daylight.json',
        policySigningKey: 'a2V5',
        reportingToken: 'secret',
        group: 'marketing',
        disableReporting: true,
      }),
    ).toEqual({
      config: {
        policy: '{}',
        policyUrl: 'https://it.corp.example/daylight.json',
        policySigningKey: 'a2V5',
        reportingToken: 'secret',
        group: 'marketing',
        disableReporting: true,
      },
      errors: [],
    });
  });

  it('ignores each bad value on its own, naming the key, and keeps the others', () => {
    expect(
      parseManagedConfig({
        policyUrl: 'http://it.corp.example/p.json',
        group: 'g'.repeat(65),
        disableReporting: 'yes',
        reportingToken: 't',
      }),
    ).toEqual({
      config: { ...NO_MANAGED_CONFIG, reportingToken: 't' },
      errors: [
        'policyUrl: "http://it.corp.example/p.json" must use https (http only for a loopback host such as localhost); ignored',
        'group: must be at most 64 characters; ignored',
        'disableReporting: must be true or false; ignored',
      ],
    });
  });

  it('accepts http on loopback for local trials, and nothing configured at all', () => {
    expect(parseManagedConfig({ policyUrl: 'http://127.0.0.1:8787/v1/policy' }).errors).toEqual([]);
    expect(parseManagedConfig(undefined)).toEqual({ config: NO_MANAGED_CONFIG, errors: [] });
    expect(parseManagedConfig({ policy: 5 }).errors).toEqual(['policy: must be text; ignored']);
  });
});

describe('the policy in force', () => {
  const good = JSON.stringify({ schemaVersion: 1, revision: 'good-1', defaultAction: 'block' });
  const bad = JSON.stringify({ schemaVersion: 1, revision: 'bad', defaultAction: 'deny' });

  it('is the managed inline policy when it is valid', () => {
    const inForce = choosePolicy({ ...NO_MANAGED_CONFIG, policy: good }, null, BUNDLED_CATALOG, DEFAULT_POLICY);
    expect(inForce.source).toBe('managed');
    expect(inForce.result.policy.revision).toBe('good-1');
    expect(inForce.errors).toEqual([]);
  });

  it('keeps the last good policy when the managed one is broken, and says why', () => {
    const inForce = choosePolicy({ ...NO_MANAGED_CONFIG, policy: bad }, good, BUNDLED_CATALOG, DEFAULT_POLICY);
    expect(inForce.source).toBe('last-good');
    expect(inForce.result.policy.revision).toBe('good-1');
    expect(inForce.errors).toEqual([expect.stringMatching(/^managed policy: defaultAction: must be one of/)]);
  });

  it('is the bundled default when nothing is configured, or nothing good ever was', () => {
    expect(choosePolicy(NO_MANAGED_CONFIG, null, BUNDLED_CATALOG, DEFAULT_POLICY)).toMatchObject({
      source: 'default',
      errors: [],
    });
    const broken = choosePolicy({ ...NO_MANAGED_CONFIG, policy: '{' }, null, BUNDLED_CATALOG, DEFAULT_POLICY);
    expect(broken.source).toBe('default');
    expect(broken.errors).toHaveLength(1);
  });
});
