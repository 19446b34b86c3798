import { describe, expect, it } from 'vitest';
import { NO_MANAGED_CONFIG, parseManagedConfig } from '../../../../lib/policy/managed-config';
import { decodeSigningKey } from '../../../../lib/policy/signature';
import { checkFetchedPolicy, choosePolicy } from '../../../../lib/policy/source';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../../../lib/policy/bundled';

/** 32 bytes in base64: the shape of an Ed25519 public key. */
const SIGNING_KEY = Buffer.alloc(32, 7).toString('base64');

describe('managed configuration', () => {
  it('takes every key of docs/spec/managed-config.md', () => {
    expect(
      parseManagedConfig({
        policy: '{}',
        policyUrl: 'https://it.corp.example/daylight.json',
        policySigningKey: SIGNING_KEY,
        reportingToken: 'secret',
        group: 'marketing',
        disableReporting: true,
      }),
    ).toEqual({
      config: {
        policy: '{}',
        policyUrl: 'https://it.corp.example/daylight.json',
        policySigningKey: SIGNING_KEY,
        reportingToken: 'secret',
        group: 'marketing',
        disableReporting: true,
      },
      errors: [],
    });
  });

  it('keeps a policySigningKey that is not a key, so that every fetched policy is refused, and says so', () => {
    expect(parseManagedConfig({ policyUrl: 'https://it.corp.example/p.json', policySigningKey: 'a2V5' })).toEqual({
      config: expect.objectContaining({ policySigningKey: 'a2V5' }) as unknown,
      errors: [
        'policySigningKey is 3 bytes; an Ed25519 public key is 32; every fetched policy is refused until it is corrected',
      ],
    });
  });

  it.each([12345, true, { key: 'a2V5' }, ['a2V5']])(
    'keeps a policySigningKey that is not text (%j) as a key that verifies nothing, never as no key',
    (value) => {
      const { config, errors } = parseManagedConfig({
        policyUrl: 'https://it.corp.example/p.json',
        policySigningKey: value,
      });
      // Ignoring it, as other keys of the wrong type are, would take unsigned policies: it must fail closed.
      expect(config.policySigningKey).not.toBeNull();
      expect(typeof decodeSigningKey(config.policySigningKey ?? '')).toBe('string');
      expect(errors).toEqual(['policySigningKey: must be text; every fetched policy is refused until it is corrected']);
    },
  );

  it('takes null and empty text as not set, for every key', () => {
    const unset = Object.fromEntries(Object.keys(NO_MANAGED_CONFIG).map((key) => [key, null]));
    expect(parseManagedConfig(unset)).toEqual({ config: NO_MANAGED_CONFIG, errors: [] });
    const empty = Object.fromEntries(Object.keys(NO_MANAGED_CONFIG).map((key) => [key, '']));
    expect(parseManagedConfig(empty)).toEqual({ config: NO_MANAGED_CONFIG, errors: [] });
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
    const inForce = choosePolicy(
      { ...NO_MANAGED_CONFIG, policy: bad },
      { text: good, source: 'managed' },
      BUNDLED_CATALOG,
      DEFAULT_POLICY,
    );
    expect(inForce.source).toBe('managed');
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

describe('a policy fetched from policyUrl', () => {
  const POLICY_URL = 'https://it.corp.example/daylight.json';
  const config = { ...NO_MANAGED_CONFIG, policyUrl: POLICY_URL };
  const policy = (revision: string, issuedAt?: string, audience?: string) =>
    JSON.stringify({
      schemaVersion: 1,
      revision,
      ...(issuedAt !== undefined && { issuedAt }),
      ...(audience !== undefined && { audience }),
    });
  /** The policy in force after a fetch of revision v2 issued at `issuedAt`. */
  const fetchedInForce = (issuedAt: string) =>
    choosePolicy(config, { text: policy('v2', issuedAt), source: 'url' }, BUNDLED_CATALOG, DEFAULT_POLICY);

  it('is in force once fetched; until then the last good policy, or the default', () => {
    expect(choosePolicy(config, null, BUNDLED_CATALOG, DEFAULT_POLICY).source).toBe('default');
    const inline = choosePolicy(
      config,
      { text: policy('inline-1'), source: 'managed' },
      BUNDLED_CATALOG,
      DEFAULT_POLICY,
    );
    expect(inline).toMatchObject({ source: 'managed', result: { policy: { revision: 'inline-1' } } });
    const fetched = choosePolicy(config, { text: policy('v1'), source: 'url' }, BUNDLED_CATALOG, DEFAULT_POLICY);
    expect(fetched).toMatchObject({ source: 'url', result: { policy: { revision: 'v1' } } });
  });

  it('gives way to an inline managed policy', () => {
    const inForce = choosePolicy(
      { ...config, policy: policy('inline') },
      { text: policy('v1'), source: 'url' },
      BUNDLED_CATALOG,
      DEFAULT_POLICY,
    );
    expect(inForce.result.policy.revision).toBe('inline');
  });

  it('is refused when invalid, or older than the fetched policy in force', () => {
    const inForce = fetchedInForce('2026-11-26T10:00:00Z');
    expect(checkFetchedPolicy('{"schemaVersion":1}', POLICY_URL, inForce, BUNDLED_CATALOG)).toEqual({
      ok: false,
      problem: 'invalid',
      errors: ['fetched policy: revision: is required'],
    });
    expect(checkFetchedPolicy(policy('v1', '2026-11-26T09:00:00Z'), POLICY_URL, inForce, BUNDLED_CATALOG)).toEqual({
      ok: false,
      problem: 'rollback',
      errors: [
        'fetched policy: issuedAt 2026-11-26T09:00:00Z is older than the policy in force (2026-11-26T10:00:00Z); refused as a possible rollback',
      ],
    });
  });

  it('is accepted when newer, equally old, or given in another offset', () => {
    const inForce = fetchedInForce('2026-11-26T10:00:00Z');
    expect(checkFetchedPolicy(policy('v3', '2026-11-26T10:00:01Z'), POLICY_URL, inForce, BUNDLED_CATALOG).ok).toBe(
      true,
    );
    expect(checkFetchedPolicy(policy('v2b', '2026-11-26T10:00:00Z'), POLICY_URL, inForce, BUNDLED_CATALOG).ok).toBe(
      true,
    );
    expect(checkFetchedPolicy(policy('v3', '2026-11-26T11:30:00+01:00'), POLICY_URL, inForce, BUNDLED_CATALOG).ok).toBe(
      true,
    );
  });

  it('without issuedAt, is refused once a dated policy is in force, and taken while none is', () => {
    const dated = fetchedInForce('2026-11-26T10:00:00Z');
    expect(checkFetchedPolicy(policy('old-undated'), POLICY_URL, dated, BUNDLED_CATALOG)).toEqual({
      ok: false,
      problem: 'rollback',
      errors: [
        'fetched policy: issuedAt: not set, while the policy in force has one (2026-11-26T10:00:00Z); refused as a possible rollback',
      ],
    });
    const undated = choosePolicy(config, { text: policy('v1'), source: 'url' }, BUNDLED_CATALOG, DEFAULT_POLICY);
    expect(checkFetchedPolicy(policy('v2'), POLICY_URL, undated, BUNDLED_CATALOG).ok).toBe(true);
    expect(checkFetchedPolicy(policy('v3', '2026-11-26T10:00:00Z'), POLICY_URL, undated, BUNDLED_CATALOG).ok).toBe(
      true,
    );
  });

  it('refuses a leap second, which no JavaScript date holds, so that no comparison can be skipped', () => {
    const leap = checkFetchedPolicy(
      policy('v1', '2026-06-30T23:59:60Z'),
      POLICY_URL,
      fetchedInForce('2026-06-01T00:00:00Z'),
      BUNDLED_CATALOG,
    );
    expect(leap).toEqual({
      ok: false,
      problem: 'invalid',
      errors: ['fetched policy: issuedAt: must not be a leap second (:60); write :59'],
    });
  });

  it('is refused when its audience is another policy POLICY_URL: a staging policy signed with the same key', () => {
    const inForce = fetchedInForce('2026-11-26T10:00:00Z');
    const staging = 'https://staging.corp.example/daylight.json';
    expect(
      checkFetchedPolicy(policy('v3', '2026-11-27T00:00:00Z', staging), POLICY_URL, inForce, BUNDLED_CATALOG),
    ).toEqual({
      ok: false,
      problem: 'audience',
      errors: [`fetched policy: audience ${staging} is not this browser's policyUrl (${POLICY_URL}); refused`],
    });
    expect(
      checkFetchedPolicy(policy('v3', '2026-11-27T00:00:00Z', POLICY_URL), POLICY_URL, inForce, BUNDLED_CATALOG).ok,
    ).toBe(true);
  });
});
