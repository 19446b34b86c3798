/**
 * The policy fetched from policyUrl (docs/spec/managed-config.md "Fetching from policyUrl"): on its
 * refresh alarm, with the ETag of the last accepted answer, verified against policySigningKey when
 * one is set, retried with backoff, and taken only if it is valid and not older than the one in force.
 */
import { policyUrlInUse } from '../../lib/policy/managed-config';
import { decodeSigningKey, verifyPolicySignature } from '../../lib/policy/signature';
import { checkFetchedPolicy, type PolicyInForce, type UpdateProblem } from '../../lib/policy/source';
import { fetchPolicy, fetchSignature, retryDelayMinutes, signatureUrl, type PolicyFetchResult } from '../policy-fetch';
import type { FetchState } from '../policy-store';
import type { BackgroundContext } from './context';
import type { PolicyLoader } from './policy-loader';

const REFRESH_ALARM = 'policy-refresh';
const RETRY_ALARM = 'policy-retry';

/** Where a refresh fetches from and the key it must verify with: a change of either makes its result stale. */
interface FetchSource {
  readonly url: string;
  readonly signingKey: string | null;
}

type Fetched = PolicyFetchResult | { kind: 'failed'; error: string; problem: UpdateProblem };

export type PolicyRefresh = ReturnType<typeof createPolicyRefresh>;

// Long: a factory; the fetch in flight it closes over is shared by the short functions inside.
export function createPolicyRefresh(ctx: BackgroundContext, loader: () => PolicyLoader) {
  const { browser, catalog, store, fetchFn, now } = ctx;

  /**
   * The managed configuration still takes the policy from this URL with this signing key. Either may
   * have changed during a fetch: a policy fetched before IT set a key must not be taken after it.
   */
  async function stillFetchesFrom(source: FetchSource): Promise<boolean> {
    const config = await loader().currentConfig();
    return policyUrlInUse(config) === source.url && config.policySigningKey === source.signingKey;
  }

  /**
   * One fetch at a time, and a wake and an alarm at once share it. A refresh for another URL or key
   * waits for the one in flight (whose result stillFetchesFrom then discards) and fetches anew.
   */
  let refreshing: { readonly source: FetchSource; readonly run: Promise<void> } | null = null;
  async function refreshOnce(url: string): Promise<void> {
    const source: FetchSource = { url, signingKey: (await loader().currentConfig()).policySigningKey };
    if (refreshing !== null && refreshing.source.url === url && refreshing.source.signingKey === source.signingKey) {
      return refreshing.run;
    }
    const previous = refreshing?.run ?? Promise.resolve();
    const run: Promise<void> = previous
      .catch(() => undefined)
      .then(() => refreshFrom(source))
      .finally(() => {
        if (refreshing?.run === run) refreshing = null;
      });
    refreshing = { source, run };
    return run;
  }

  /**
   * With policySigningKey set, why the fetched bytes may not be trusted, or null when their signature
   * at policyUrl + `.sig` is valid (docs/spec/managed-config.md "Signed policies").
   */
  async function signatureRefusal(url: string, bytes: Uint8Array<ArrayBuffer>, signingKey: string) {
    const signature = await fetchSignature(fetchFn, url);
    if (signature.kind === 'failed') {
      return `fetched policy: refused, policySigningKey is set and the signature could not be read: ${signature.error}`;
    }
    const check = await verifyPolicySignature(signingKey, bytes, signature.text);
    return check.ok ? null : `fetched policy: refused, ${check.reason} (${signatureUrl(url)})`;
  }

  async function refreshFrom(source: FetchSource): Promise<void> {
    const { url, signingKey } = source;
    const inForce = await loader().policy();
    const previous = (await store.read()).fetch;
    const sameUrl = previous?.url === url;
    // A key that is not one refuses every policy (fail closed); the managed configuration's error says why.
    if (signingKey !== null && typeof decodeSigningKey(signingKey) === 'string') return;
    // An ETag belongs to one URL, to a policy that was accepted from it, and to the key that verified it.
    const etag =
      sameUrl && inForce.source === 'url' && (previous.signingKey ?? null) === signingKey ? previous.etag : null;
    let fetched: Fetched = await fetchPolicy(fetchFn, url, etag);
    if (fetched.kind === 'fetched' && signingKey !== null) {
      const refusal = await signatureRefusal(url, fetched.bytes, signingKey);
      // Retried with backoff like an unreachable server: the usual cause is a policy published a moment
      // before its new signature, which the next try a minute later finds.
      if (refusal !== null) fetched = { kind: 'failed', error: refusal, problem: 'signature' };
    }
    if (!(await stillFetchesFrom(source))) return;
    if (fetched.kind === 'failed') return retryLater(source, fetched, sameUrl ? previous : null, inForce);
    await browser.alarms.clear(RETRY_ALARM);
    const refreshMs = inForce.result.policy.refreshMinutes * 60_000;
    const answered = { url, failures: 0, answeredAt: now(), nextAttemptAt: now() + refreshMs, signingKey };
    if (fetched.kind === 'unchanged') {
      await store.update({ fetch: { ...answered, etag, error: null, problem: null } });
      await loader().recordStatus(inForce, null);
      return;
    }
    const check = checkFetchedPolicy(fetched.text, url, inForce, catalog);
    if (!check.ok) {
      const error = check.errors.join('\n');
      // The refused answer's ETag is not kept: the next refresh must not hear "unchanged" about it.
      await store.update({ fetch: { ...answered, etag, error, problem: check.problem } });
      await loader().recordStatus(inForce, error);
      return;
    }
    await store.update({ fetch: { ...answered, etag: fetched.etag, error: null, problem: null } });
    await take(source, { result: check.result, source: 'url', text: fetched.text, errors: [] });
  }

  /** A failed fetch: the next try after a backoff, the error shown, the policy in force kept. */
  async function retryLater(
    { url }: FetchSource,
    failed: Extract<Fetched, { kind: 'failed' }>,
    previous: FetchState | null,
    inForce: PolicyInForce,
  ): Promise<void> {
    const failures = (previous?.failures ?? 0) + 1;
    const delayMinutes = Math.max(0.5, retryDelayMinutes(failures));
    await store.update({
      fetch: {
        url,
        etag: previous?.etag ?? null,
        signingKey: previous?.signingKey ?? null,
        failures,
        answeredAt: previous?.answeredAt ?? 0,
        nextAttemptAt: now() + delayMinutes * 60_000,
        error: failed.error,
        problem: 'problem' in failed ? failed.problem : 'unavailable',
      },
    });
    await browser.alarms.create(RETRY_ALARM, { delayInMinutes: delayMinutes });
    await loader().recordStatus(inForce, failed.error);
  }

  /** A fetched policy that passed every check becomes the policy in force and the last good one. */
  async function take(source: FetchSource, next: PolicyInForce & { text: string }): Promise<void> {
    const policies = loader();
    await policies.startLoad(async (before) => {
      if (!(await stillFetchesFrom(source))) return before ?? policies.loadFromCache();
      await store.update({
        lastGood: { text: next.text, source: 'url' },
        compiled: {
          key: policies.compiledKey(next.text),
          policy: next.result.policy,
          index: next.result.index.serialized,
        },
      });
      const installError = await policies.installRules(next);
      const withErrors = installError === null ? next : { ...next, errors: [installError] };
      await policies.recordStatus(withErrors, null);
      await policies.reportingFollows(withErrors, await policies.currentConfig());
      return withErrors;
    });
  }

  /**
   * The policy in force is fetched from `url` every `minutes` (null: from nowhere); `due` fetches it
   * now, without waiting for the fetch: a load that waited would wait on itself.
   */
  async function follow(url: string | null, minutes: number, due: boolean): Promise<void> {
    if (url === null) {
      await browser.alarms.clear(REFRESH_ALARM);
      await browser.alarms.clear(RETRY_ALARM);
      return;
    }
    const existing = await browser.alarms.get(REFRESH_ALARM);
    if (existing?.periodInMinutes !== minutes) await browser.alarms.create(REFRESH_ALARM, { periodInMinutes: minutes });
    if (due) void refreshOnce(url);
  }

  async function onAlarm(name: string): Promise<void> {
    if (name !== REFRESH_ALARM && name !== RETRY_ALARM) return;
    const url = policyUrlInUse(await loader().currentConfig());
    if (url === null) return;
    await loader().policy();
    await refreshOnce(url);
  }

  return { follow, onAlarm };
}
