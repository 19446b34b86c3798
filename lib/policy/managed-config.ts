/**
 * The keys IT sets through enterprise policy (docs/spec/managed-config.md). Each value
 * is checked on its own: a bad one is ignored with an error, the others apply;
 * only a bad policySigningKey is kept, so that it fails closed.
 */
import { decodeSigningKey } from './signature';
import { checkWebUrl } from './schema';

export interface ManagedConfig {
  readonly policy: string | null;
  readonly policyUrl: string | null;
  readonly policySigningKey: string | null;
  readonly reportingToken: string | null;
  readonly group: string | null;
  readonly disableReporting: boolean;
}

export const NO_MANAGED_CONFIG: ManagedConfig = {
  policy: null,
  policyUrl: null,
  policySigningKey: null,
  reportingToken: null,
  group: null,
  disableReporting: false,
};

export interface ManagedConfigResult {
  readonly config: ManagedConfig;
  /** One line per ignored value, naming the key. */
  readonly errors: readonly string[];
}

/** Missing, null or empty text: not set, and no error (docs/spec/managed-config.md "Invalid values"). */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function parseManagedConfig(raw: unknown): ManagedConfigResult {
  const errors: string[] = [];
  const values = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const text = (key: string, check?: (value: string) => string | null): string | null => {
    const value = values[key];
    if (isUnset(value)) return null;
    if (typeof value !== 'string') {
      errors.push(`${key}: must be text; ignored`);
      return null;
    }
    const problem = check?.(value) ?? null;
    if (problem !== null) {
      errors.push(`${key}: ${problem}; ignored`);
      return null;
    }
    return value;
  };
  // In the order of docs/spec/managed-config.md, so errors come out in that order too.
  const policy = text('policy');
  const policyUrl = text('policyUrl', (value) => checkWebUrl(value));
  // Not "ignored" like the other keys: ignoring a key IT meant to set would take unsigned policies. A bad
  // one is kept, and refuses every fetched policy; a value that is not text is kept as its JSON text,
  // which is never an Ed25519 key.
  const rawKey = values.policySigningKey;
  const policySigningKey = isUnset(rawKey) ? null : typeof rawKey === 'string' ? rawKey : JSON.stringify(rawKey);
  const keyProblem =
    policySigningKey === null
      ? null
      : typeof rawKey === 'string'
        ? decodeSigningKey(policySigningKey)
        : 'policySigningKey: must be text';
  if (typeof keyProblem === 'string') {
    errors.push(`${keyProblem}; every fetched policy is refused until it is corrected`);
  }
  const reportingToken = text('reportingToken');
  const group = text('group', (value) => (value.length > 64 ? 'must be at most 64 characters' : null));
  const disable = values.disableReporting;
  if (!isUnset(disable) && typeof disable !== 'boolean') {
    errors.push('disableReporting: must be true or false; ignored');
  }
  return {
    config: { policy, policyUrl, policySigningKey, reportingToken, group, disableReporting: disable === true },
    errors,
  };
}

/** The URL the policy is fetched from, or null: an inline `policy` wins over `policyUrl` (docs/spec/managed-config.md). */
export function policyUrlInUse(config: ManagedConfig): string | null {
  return config.policy === null ? config.policyUrl : null;
}
