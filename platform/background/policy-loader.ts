/**
 * Which policy is in force (ARCHITECTURE.md "Policy in", docs/spec/managed-config.md): the managed
 * values, cached in storage.local, choose between the inline policy, the last good one fetched from
 * policyUrl and the bundled default; the choice is compiled once (or its stored index reused) and
 * installed as DNR rules. Fetching from policyUrl is policy-refresh.ts.
 */
import { bannerMatchPatterns, compileDnrRules, DNR_RULES_VERSION } from '../../lib/policy/dnr-rules';
import {
  parseManagedConfig,
  policyUrlInUse,
  type ManagedConfigResult,
  type ManagedConfig,
} from '../../lib/policy/managed-config';
import { choosePolicy, type PolicyInForce } from '../../lib/policy/source';
import { INDEX_FORMAT_VERSION, loadIndex } from '../../lib/policy/compile';
import { parsePolicyText, type PolicyResult } from '../../lib/policy/validate';
import { registerBanner } from '../content-scripts';
import { compilableRules, replaceDynamicRules } from '../dnr';
import type { FetchState, PolicyState, PolicyStatus } from '../policy-store';
import type { Reporting, ReportingTarget } from '../reporting';
import type { BackgroundContext } from './context';
import type { Snoozes } from './snoozes';

export type PolicyLoader = ReturnType<typeof createPolicyLoader>;

export interface PolicyLoaderDeps {
  readonly snoozes: Snoozes;
  readonly reporting: Reporting;
  /**
   * The policy in force is fetched from `url` (null: from nowhere) and refreshed every `minutes`;
   * `due`: fetch it now (policy-refresh.ts).
   */
  readonly follow: (url: string | null, minutes: number, due: boolean) => Promise<void>;
}

// Long: a factory; the load in flight it closes over is shared by the short functions inside.
export function createPolicyLoader(ctx: BackgroundContext, { snoozes, reporting, follow }: PolicyLoaderDeps) {
  const { browser, catalog, defaultPolicy, store, now, state, nudgePageUrl, framedPageUrl, buildDefaults } = ctx;
  let current: Promise<PolicyInForce> | null = null;

  /**
   * Loads one after another: two installs of dynamic rules at once would both add the same rule ids
   * ("does not have a unique ID"). A load that fails is forgotten, so the next question tries again.
   */
  function startLoad(step: (previous: PolicyInForce | null) => Promise<PolicyInForce>): Promise<PolicyInForce> {
    const previous = current ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(step);
    current = next;
    next.catch(() => {
      if (current === next) current = null;
    });
    return next;
  }

  /** A stored compiled index is reused when it was built from the same text, catalog and index format. */
  const compiledKey = (text: string): string => `${INDEX_FORMAT_VERSION}\n${catalog.catalogVersion}\n${text}`;

  /**
   * The managed configuration, over the build's own defaults: a build made by `npm start` fetches its
   * policy from the local collector when IT configured no policy (a managed `policy` or `policyUrl`
   * always wins).
   */
  function managedConfig(raw: unknown): ManagedConfigResult {
    const values = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const configured = values.policy !== undefined || values.policyUrl !== undefined;
    return parseManagedConfig(configured ? values : { ...buildDefaults, ...values });
  }

  /** The managed configuration as last read (never waits on storage.managed). */
  async function currentConfig(): Promise<ManagedConfig> {
    return managedConfig(await state.managedCache.get()).config;
  }

  /** `managedChanged`: IT just changed the managed values, which is worth a fetch even before it is due. */
  async function load(rawManaged: unknown, managedChanged = false): Promise<PolicyInForce> {
    const managed = managedConfig(rawManaged);
    const stored = await store.read();
    let indexFrom: PolicyStatus['index'] = 'compiled';
    const parseText = (text: string): PolicyResult => {
      const index = stored.compiled?.key === compiledKey(text) ? loadIndex(stored.compiled.index) : null;
      if (stored.compiled === null || index === null) return parsePolicyText(text, catalog);
      indexFrom = 'stored';
      return { ok: true, policy: stored.compiled.policy, index, warnings: [] };
    };
    const inForce = choosePolicy(managed.config, stored.lastGood, catalog, defaultPolicy, parseText);
    const text = inForce.text ?? JSON.stringify(defaultPolicy);
    await store.update({
      ...(inForce.source === 'managed' &&
        inForce.text !== stored.lastGood?.text && { lastGood: { text, source: 'managed' as const } }),
      ...(indexFrom === 'compiled' && {
        compiled: { key: compiledKey(text), policy: inForce.result.policy, index: inForce.result.index.serialized },
      }),
    });
    const installError = await installRules(inForce);
    const withErrors = {
      ...inForce,
      errors: [...managed.errors, ...inForce.errors, ...(installError === null ? [] : [installError])],
    };
    const url = policyUrlInUse(managed.config);
    // The last fetch's error stays shown after a wake, until a fetch from that URL succeeds.
    await recordStatus(withErrors, fetchInUse(stored, managed.config)?.error ?? null, indexFrom);
    await reportingFollows(withErrors, managed.config);
    // Only when due: a worker wakes on every navigation, and 50,000 of them must not fetch each time.
    const due = url !== null && (managedChanged || stored.fetch?.url !== url || now() >= stored.fetch.nextAttemptAt);
    await follow(url, withErrors.result.policy.refreshMinutes, due);
    return withErrors;
  }

  /**
   * What the installed rules were built from: the extension version, the formats of the index and of
   * the rules, the catalog and the exact policy text. Any change reinstalls them.
   */
  async function rulesKey(inForce: PolicyInForce): Promise<string> {
    const parts = [
      browser.runtime.getManifest().version,
      INDEX_FORMAT_VERSION,
      DNR_RULES_VERSION,
      catalog.catalogVersion,
      nudgePageUrl,
      inForce.source,
      inForce.text ?? JSON.stringify(defaultPolicy),
    ].join('\n');
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parts));
    return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  /**
   * Dynamic rules survive a stopped worker; they are replaced only when what they are built from
   * changed. Returns why the browser refused them, or null: the webNavigation check still applies the
   * policy then, and the reason is shown.
   */
  async function installRules(inForce: PolicyInForce): Promise<string | null> {
    const key = await rulesKey(inForce);
    if ((await state.installedRules.get()) === key) return state.installedRulesNote.get();
    let note: string | null;
    try {
      const compiled = compileDnrRules(inForce.result.index, { tab: nudgePageUrl, frame: framedPageUrl });
      const { rules, refused } = await compilableRules(browser.declarativeNetRequest, compiled.rules);
      await replaceDynamicRules(browser.declarativeNetRequest, rules);
      await registerBanner(browser.scripting, bannerMatchPatterns(inForce.result.index));
      await snoozes.reconcile(inForce.result.index);
      note =
        refused.length === 0
          ? null
          : `the browser could not take ${refused.length} path rule(s) of the policy (too long for its rules); ` +
            'those paths are checked as their pages start loading';
    } catch (error) {
      return `the browser refused the policy's rules: ${error instanceof Error ? error.message : String(error)}`;
    }
    await state.installedRules.set(key);
    await state.installedRulesNote.set(note);
    return note;
  }

  /** What the options page and popup show: where the policy came from, and the last problem verbatim. */
  async function recordStatus(
    inForce: PolicyInForce,
    fetchError: string | null,
    index: PolicyStatus['index'] = 'compiled',
  ): Promise<void> {
    const status: PolicyStatus = {
      source: inForce.source,
      revision: inForce.result.policy.revision,
      errors: fetchError === null ? inForce.errors : [...inForce.errors, fetchError],
      checkedAt: now(),
      index,
    };
    await store.update({ status });
  }

  /** Reporting follows the policy in force: its schedule, and the revision and group counts go under. */
  async function reportingFollows(inForce: PolicyInForce, config: ManagedConfig): Promise<void> {
    await reporting.headerChanged({ policyRevision: inForce.result.policy.revision, group: config.group });
    await reporting.schedule(reportingTarget(inForce, config));
  }

  /** Loads the policy the cached managed configuration chooses. */
  async function loadFromCache(): Promise<PolicyInForce> {
    return load(await state.managedCache.get());
  }

  /** The policy in force, from the cached managed configuration; a fresh read follows in refreshManaged(). */
  function policy(): Promise<PolicyInForce> {
    return current ?? startLoad(loadFromCache);
  }

  /** storage.managed read anew (at start-up, and when the browser says IT changed it). */
  async function refreshManaged(): Promise<void> {
    let raw: unknown = {};
    try {
      raw = await browser.storage.managed.get();
    } catch {
      // Firefox rejects when no enterprise policy configures the extension: nothing is managed.
    }
    if (JSON.stringify(await state.managedCache.get()) === JSON.stringify(raw)) return;
    await state.managedCache.set(raw);
    await startLoad(() => load(raw, true));
  }

  return {
    policy,
    startLoad,
    loadFromCache,
    refreshManaged,
    compiledKey,
    currentConfig,
    installRules,
    recordStatus,
    reportingFollows,
    /** Where counts go now; null when reporting is off. */
    async reportingTarget(): Promise<ReportingTarget | null> {
      return reportingTarget(await policy(), await currentConfig());
    },
  };
}

/** Where counts go under this policy and managed configuration; null when reporting is off. */
function reportingTarget(inForce: PolicyInForce, config: ManagedConfig): ReportingTarget | null {
  const settings = inForce.result.policy.reporting;
  if (settings === undefined || config.disableReporting) return null;
  return {
    url: settings.url,
    intervalMinutes: settings.intervalMinutes,
    token: config.reportingToken,
    header: { policyRevision: inForce.result.policy.revision, group: config.group },
  };
}

/** The last fetch, when it was from the URL the policy is fetched from now; null otherwise. */
export function fetchInUse(stored: PolicyState, config: ManagedConfig): FetchState | null {
  const url = policyUrlInUse(config);
  return url !== null && stored.fetch?.url === url ? stored.fetch : null;
}
