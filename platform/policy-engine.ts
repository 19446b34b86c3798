/**
 * The background's policy engine: which policy is in force, its
 * declarativeNetRequest rules, "Continue" snoozes, the webNavigation second
 * line and the nudge page's questions. Every browser API arrives as a
 * parameter (ARCHITECTURE.md "The rules between folders"); the logic it applies lives in lib/.
 */
import type { browser as wxtBrowser } from 'wxt/browser';
import type { Catalog } from '../lib/policy/catalog';
import {
  bannerMatchPatterns,
  compileDnrRules,
  compilePassRule,
  compileSnoozeRules,
  DNR_RULES_VERSION,
  isNudge,
} from '../lib/policy/dnr-rules';
import { parseManagedConfig, policyUrlInUse, type ManagedConfig } from '../lib/policy/managed-config';
import {
  BannerRequestSchema,
  NudgeRequestSchema,
  SurfaceRequestSchema,
  type BannerRequest,
  type BannerResponse,
  type NudgeResponse,
  type PolicySummary,
  type SurfaceRequest,
  type SurfaceResponse,
} from '../lib/protocol/messages';
import { checkFetchedPolicy, choosePolicy, type PolicyInForce, type UpdateProblem } from '../lib/policy/source';
import { decodeSigningKey, verifyPolicySignature } from '../lib/policy/signature';
import { INDEX_FORMAT_VERSION, loadIndex, type Decision, type PolicyIndex } from '../lib/policy/compile';
import { parsePolicyText, type PolicyResult } from '../lib/policy/validate';
import { tryDecide } from '../lib/policy/decide';
import { requestAccessLink } from '../lib/policy/request-access';
import type { ReportHeader } from '../lib/protocol/report';
import { localDay, nudgeShownEvent, sortCounts, type UsageEvent } from '../lib/protocol/usage';
import { NUDGE_PAGE_PATH, nudgeUrl, originalUrl } from '../lib/protocol/nudge-url';
import { registerBanner } from './content-scripts';
import { addSessionRules, removeSessionRules, replaceDynamicRules } from './dnr';
import { fetchPolicy, fetchSignature, retryDelayMinutes, signatureUrl, type PolicyFetchResult } from './policy-fetch';
import {
  openPolicyStore,
  type FetchState,
  type PolicyState,
  type PolicyStatus,
  type PolicyStore,
} from './policy-store';
import { createReporting, type ReportingTarget } from './reporting';
import { openUsageStore, type UsageStore } from './usage-store';

type Browser = typeof wxtBrowser;

/**
 * storage.local keys: the managed values, cached so that start-up never waits on storage.managed
 * (docs/browsers.md "Managed storage": its first call blocks ~3 s), and which policy the installed rules came from.
 * Everything else about the policy is in IndexedDB (policy-store.ts).
 */
const MANAGED_CACHE_KEY = 'managedConfigCache';
const RULES_KEY = 'installedRulesKey';
const REFRESH_ALARM = 'policy-refresh';
const RETRY_ALARM = 'policy-retry';
/** storage.session key: tool id → snooze. */
const SNOOZES_KEY = 'snoozes';
/** storage.session key: tab id → the session rules of its one-time pass (nudge:pass). */
const PASSES_KEY = 'passes';
/** storage.session key: tab id → the tool it was let through to once. */
const CONTINUED_TABS_KEY = 'continuedTabs';
/**
 * storage.session key prefix, one key per tab (tabs change at once, and one shared map would lose
 * writes): the tool of the tab's page, so a same-document navigation counts only on entering a tool,
 * and where the redirect page it shows leads.
 */
const TAB_STATE_PREFIX = 'tab:';

interface TabState {
  readonly tool: string | null;
  /** The redirect page of tool `from` is showing; reaching tool `to` next counts as "redirected". */
  readonly redirect: { readonly from: string; readonly to: string } | null;
}

/** A top-level navigation as webNavigation reports it (transitions: onCommitted only). */
export interface NavigationDetails {
  readonly tabId: number;
  readonly frameId: number;
  readonly url: string;
  readonly transitionType?: string | undefined;
  readonly transitionQualifiers?: readonly string[] | undefined;
}
const SNOOZE_ALARM_PREFIX = 'snooze:';
/** With snoozeMinutes 0 the allow lasts for the one navigation "Continue" starts. */
const ONE_NAVIGATION_MS = 60_000;

interface Snooze {
  readonly until: number;
  readonly ruleIds: readonly number[];
  readonly once: boolean;
  /** The person closed the banner for this tool; it stays closed until the snooze ends. */
  readonly bannerDismissed?: boolean;
}

/** Who sent a message, as the browser (not the message) says. */
export interface MessageSender {
  readonly url?: string | undefined;
  readonly frameId?: number | undefined;
  readonly tab?: { readonly id?: number | undefined; readonly url?: string | undefined } | undefined;
}

export interface PolicyEngineDeps {
  readonly browser: Browser;
  readonly catalog: Catalog;
  readonly defaultPolicy: unknown;
  readonly store?: PolicyStore;
  readonly usage?: UsageStore;
  readonly fetchFn?: typeof fetch;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly newBatchId?: () => string;
  /** What usage reports say about the client: Daylight's version and the browser's name, nothing else. */
  readonly client?: Pick<ReportHeader, 'extensionVersion' | 'browser'>;
  /** Managed keys this build assumes when IT set none (`npm start`'s local build: the local policyUrl). */
  readonly buildDefaults?: { readonly policyUrl?: string };
}

export function createPolicyEngine({
  browser,
  catalog,
  defaultPolicy,
  store = openPolicyStore(),
  usage = openUsageStore(),
  // Wrapped: fetch called with another `this` throws "Illegal invocation".
  fetchFn = (input, init) => fetch(input, init),
  now = Date.now,
  random = Math.random,
  newBatchId = () => crypto.randomUUID(),
  client = { extensionVersion: browser.runtime.getManifest().version, browser: 'other' },
  buildDefaults = {},
}: PolicyEngineDeps) {
  const nudgePageUrl = browser.runtime.getURL(NUDGE_PAGE_PATH);
  const extensionOrigin = browser.runtime.getURL('/');
  let current: Promise<PolicyInForce> | null = null;
  const reporting = createReporting({
    browser,
    usage,
    target: async () => reportingTarget(await policy(), managedConfig(await cachedManaged()).config),
    client,
    fetchFn,
    now,
    random,
    newBatchId,
  });
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

  /** `managedChanged`: IT just changed the managed values, which is worth a fetch even before it is due. */
  async function load(rawManaged: unknown, managedChanged = false): Promise<PolicyInForce> {
    const managed = managedConfig(rawManaged);
    const state = await store.read();
    let indexFrom: PolicyStatus['index'] = 'compiled';
    const parseText = (text: string): PolicyResult => {
      const stored = state.compiled;
      const index = stored?.key === compiledKey(text) ? loadIndex(stored.index) : null;
      if (stored === null || index === null) return parsePolicyText(text, catalog);
      indexFrom = 'stored';
      return { ok: true, policy: stored.policy, index, warnings: [] };
    };
    const inForce = choosePolicy(managed.config, state.lastGood, catalog, defaultPolicy, parseText);
    const text = inForce.text ?? JSON.stringify(defaultPolicy);
    await store.update({
      ...(inForce.source === 'managed' &&
        inForce.text !== state.lastGood?.text && { lastGood: { text, source: 'managed' as const } }),
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
    const fetchError = fetchInUse(state, managed.config)?.error ?? null;
    await recordStatus(withErrors, fetchError, indexFrom);
    await reportingFollows(withErrors, managed.config);
    if (url !== null) {
      await ensureRefreshAlarm(withErrors.result.policy.refreshMinutes);
      // Only when due: a worker wakes on every navigation, and 50,000 of them must not fetch each time.
      if (managedChanged || state.fetch?.url !== url || now() >= state.fetch.nextAttemptAt) void refreshOnce(url);
    } else {
      await browser.alarms.clear(REFRESH_ALARM);
      await browser.alarms.clear(RETRY_ALARM);
    }
    return withErrors;
  }

  /** Reporting follows the policy in force: its schedule, and the revision and group counts go under. */
  async function reportingFollows(inForce: PolicyInForce, config: ManagedConfig): Promise<void> {
    await reporting.headerChanged({ policyRevision: inForce.result.policy.revision, group: config.group });
    await reporting.schedule(reportingTarget(inForce, config));
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

  async function ensureRefreshAlarm(minutes: number): Promise<void> {
    const existing = await browser.alarms.get(REFRESH_ALARM);
    if (existing?.periodInMinutes !== minutes) await browser.alarms.create(REFRESH_ALARM, { periodInMinutes: minutes });
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
    const stored = await browser.storage.local.get(RULES_KEY);
    if (stored[RULES_KEY] === key) return null;
    try {
      const { rules } = compileDnrRules(inForce.result.index, nudgePageUrl);
      await replaceDynamicRules(browser.declarativeNetRequest, rules);
      await registerBanner(browser.scripting, bannerMatchPatterns(inForce.result.index));
      await reconcileSnoozes(inForce.result.index);
    } catch (error) {
      return `the browser refused the policy's rules: ${error instanceof Error ? error.message : String(error)}`;
    }
    await browser.storage.local.set({ [RULES_KEY]: key });
    return null;
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

  /**
   * The managed configuration, over the build's own defaults: a build made by `npm start` fetches its
   * policy from the local collector when IT configured no policy (a managed `policy` or `policyUrl`
   * always wins).
   */
  function managedConfig(raw: unknown) {
    const values = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const configured = values.policy !== undefined || values.policyUrl !== undefined;
    return parseManagedConfig(configured ? values : { ...buildDefaults, ...values });
  }

  /** The managed values as last read, or {} before the first read (never waits on storage.managed). */
  async function cachedManaged(): Promise<unknown> {
    return (await browser.storage.local.get(MANAGED_CACHE_KEY))[MANAGED_CACHE_KEY] ?? {};
  }

  /** Where a refresh fetches from and the key it must verify with: a change of either makes its result stale. */
  interface FetchSource {
    readonly url: string;
    readonly signingKey: string | null;
  }

  /**
   * The managed configuration still takes the policy from this URL with this signing key. Either may
   * have changed during a fetch: a policy fetched before IT set a key must not be taken after it.
   */
  async function stillFetchesFrom(source: FetchSource): Promise<boolean> {
    const { config } = managedConfig(await cachedManaged());
    return policyUrlInUse(config) === source.url && config.policySigningKey === source.signingKey;
  }

  /**
   * One fetch at a time, and a wake and an alarm at once share it. A refresh for another URL or key
   * waits for the one in flight (whose result stillFetchesFrom then discards) and fetches anew.
   */
  let refreshing: { readonly source: FetchSource; readonly run: Promise<void> } | null = null;
  async function refreshOnce(url: string): Promise<void> {
    const source: FetchSource = { url, signingKey: managedConfig(await cachedManaged()).config.policySigningKey };
    if (refreshing !== null && refreshing.source.url === url && refreshing.source.signingKey === source.signingKey) {
      return refreshing.run;
    }
    const previous = refreshing?.run ?? Promise.resolve();
    const run: Promise<void> = previous
      .catch(() => undefined)
      .then(() => refreshFromUrl(source))
      .finally(() => {
        if (refreshing?.run === run) refreshing = null;
      });
    refreshing = { source, run };
    return run;
  }

  /**
   * With policySigningKey set, why the fetched bytes may not be trusted, or null when their signature
   * at policyUrl + `.sig` is valid (docs/spec/managed-config.md).
   */
  async function signatureRefusal(
    url: string,
    bytes: Uint8Array<ArrayBuffer>,
    signingKey: string,
  ): Promise<string | null> {
    const signature = await fetchSignature(fetchFn, url);
    if (signature.kind === 'failed') {
      return `fetched policy: refused, policySigningKey is set and the signature could not be read: ${signature.error}`;
    }
    const check = await verifyPolicySignature(signingKey, bytes, signature.text);
    return check.ok ? null : `fetched policy: refused, ${check.reason} (${signatureUrl(url)})`;
  }

  async function refreshFromUrl(source: FetchSource): Promise<void> {
    const { url, signingKey } = source;
    const inForce = await policy();
    const previous = (await store.read()).fetch;
    const sameUrl = previous?.url === url;
    const refreshMs = inForce.result.policy.refreshMinutes * 60_000;
    // A key that is not one refuses every policy (fail closed); the managed configuration's error says why.
    if (signingKey !== null && typeof decodeSigningKey(signingKey) === 'string') return;
    // An ETag belongs to one URL, to a policy that was accepted from it, and to the key that verified it.
    const etag =
      sameUrl && inForce.source === 'url' && (previous.signingKey ?? null) === signingKey ? previous.etag : null;
    let fetched: PolicyFetchResult | { kind: 'failed'; error: string; problem: UpdateProblem } = await fetchPolicy(
      fetchFn,
      url,
      etag,
    );
    if (fetched.kind === 'fetched' && signingKey !== null) {
      const refusal = await signatureRefusal(url, fetched.bytes, signingKey);
      // Retried with backoff like an unreachable server: the usual cause is a policy published a moment
      // before its new signature, which the next try a minute later finds.
      if (refusal !== null) fetched = { kind: 'failed', error: refusal, problem: 'signature' };
    }
    if (!(await stillFetchesFrom(source))) return;
    if (fetched.kind === 'failed') {
      const failures = (sameUrl ? previous.failures : 0) + 1;
      const delayMinutes = Math.max(0.5, retryDelayMinutes(failures));
      await store.update({
        fetch: {
          url,
          etag: sameUrl ? previous.etag : null,
          signingKey: sameUrl ? (previous.signingKey ?? null) : null,
          failures,
          answeredAt: sameUrl ? previous.answeredAt : 0,
          nextAttemptAt: now() + delayMinutes * 60_000,
          error: fetched.error,
          problem: 'problem' in fetched ? fetched.problem : 'unavailable',
        },
      });
      await browser.alarms.create(RETRY_ALARM, { delayInMinutes: delayMinutes });
      await recordStatus(inForce, fetched.error);
      return;
    }
    await browser.alarms.clear(RETRY_ALARM);
    const answered = { url, failures: 0, answeredAt: now(), nextAttemptAt: now() + refreshMs, signingKey };
    if (fetched.kind === 'unchanged') {
      await store.update({ fetch: { ...answered, etag, error: null, problem: null } });
      await recordStatus(inForce, null);
      return;
    }
    const check = checkFetchedPolicy(fetched.text, inForce, catalog);
    if (!check.ok) {
      const error = check.errors.join('\n');
      // The refused answer's ETag is not kept: the next refresh must not hear "unchanged" about it.
      await store.update({ fetch: { ...answered, etag, error, problem: check.problem } });
      await recordStatus(inForce, error);
      return;
    }
    const text = fetched.text;
    await store.update({ fetch: { ...answered, etag: fetched.etag, error: null, problem: null } });
    await startLoad(async (before) => {
      if (!(await stillFetchesFrom(source))) return before ?? policyFromCache();
      const next: PolicyInForce = { result: check.result, source: 'url', text, errors: [] };
      await store.update({
        lastGood: { text, source: 'url' },
        compiled: { key: compiledKey(text), policy: next.result.policy, index: next.result.index.serialized },
      });
      const installError = await installRules(next);
      const withErrors = installError === null ? next : { ...next, errors: [installError] };
      await recordStatus(withErrors, null);
      await reportingFollows(withErrors, managedConfig(await cachedManaged()).config);
      return withErrors;
    });
  }

  async function refreshPolicyUrl(): Promise<void> {
    const url = policyUrlInUse(managedConfig(await cachedManaged()).config);
    if (url === null) return;
    await policy();
    await refreshOnce(url);
  }

  async function policyFromCache(): Promise<PolicyInForce> {
    return load(await cachedManaged());
  }

  /** The policy in force, from the cached managed configuration; a fresh read follows in refreshManaged(). */
  function policy(): Promise<PolicyInForce> {
    return current ?? startLoad(policyFromCache);
  }

  async function refreshManaged(): Promise<void> {
    let raw: unknown = {};
    try {
      raw = await browser.storage.managed.get();
    } catch {
      // Firefox rejects when no enterprise policy configures the extension: nothing is managed.
    }
    if (JSON.stringify(await cachedManaged()) === JSON.stringify(raw)) return;
    await browser.storage.local.set({ [MANAGED_CACHE_KEY]: raw });
    await startLoad(() => load(raw, true));
  }

  async function snoozes(): Promise<Record<string, Snooze>> {
    const stored = await browser.storage.session.get(SNOOZES_KEY);
    return (stored[SNOOZES_KEY] as Record<string, Snooze> | undefined) ?? {};
  }

  /** Session rule changes one after another, for the same reason as loads: rule ids must stay unique. */
  let sessionRulesChain: Promise<unknown> = Promise.resolve();
  function inSessionRulesOrder(step: () => Promise<void>): Promise<void> {
    const run = sessionRulesChain.then(step, step);
    sessionRulesChain = run.catch(() => undefined);
    return run;
  }

  const snooze = (tool: string, minutes: number, index: PolicyIndex): Promise<void> =>
    inSessionRulesOrder(() => snoozeNow(tool, minutes, index));

  /**
   * A snooze was granted under the policy that warned. Under a new policy it ends when the tool no
   * longer warns (a blocked tool must not stay reachable), and is rebuilt from the new patterns otherwise.
   */
  function reconcileSnoozes(index: PolicyIndex): Promise<void> {
    return inSessionRulesOrder(async () => {
      const all = await snoozes();
      const kept: Record<string, Snooze> = {};
      for (const [tool, snoozed] of Object.entries(all)) {
        await removeSessionRules(browser.declarativeNetRequest, snoozed.ruleIds);
        const stillWarns = index.decisions.some((d) => d.tool === tool && !d.sanctioned && d.action === 'warn');
        if (!stillWarns) {
          await browser.alarms.clear(`${SNOOZE_ALARM_PREFIX}${tool}`);
          continue;
        }
        const ruleIds = await addSessionRules(browser.declarativeNetRequest, (firstId) =>
          compileSnoozeRules(index, tool, firstId),
        );
        kept[tool] = { ...snoozed, ruleIds };
      }
      await browser.storage.session.set({ [SNOOZES_KEY]: kept });
    });
  }
  const endSnooze = (tool: string): Promise<void> => inSessionRulesOrder(() => endSnoozeNow(tool));

  /** Takes the index it snoozes under as a parameter: waiting here for a load would deadlock with reconcileSnoozes. */
  async function snoozeNow(tool: string, minutes: number, index: PolicyIndex): Promise<void> {
    const all = await snoozes();
    const previous = all[tool];
    if (previous !== undefined) await removeSessionRules(browser.declarativeNetRequest, previous.ruleIds);
    const ruleIds = await addSessionRules(browser.declarativeNetRequest, (firstId) =>
      compileSnoozeRules(index, tool, firstId),
    );
    const until = now() + (minutes === 0 ? ONE_NAVIGATION_MS : minutes * 60_000);
    await browser.storage.session.set({ [SNOOZES_KEY]: { ...all, [tool]: { until, ruleIds, once: minutes === 0 } } });
    await browser.alarms.create(`${SNOOZE_ALARM_PREFIX}${tool}`, { when: until });
  }

  async function endSnoozeNow(tool: string): Promise<void> {
    const all = await snoozes();
    const ending = all[tool];
    if (ending === undefined) return;
    await removeSessionRules(browser.declarativeNetRequest, ending.ruleIds);
    const rest = Object.fromEntries(Object.entries(all).filter(([id]) => id !== tool));
    await browser.storage.session.set({ [SNOOZES_KEY]: rest });
    await browser.alarms.clear(`${SNOOZE_ALARM_PREFIX}${tool}`);
  }

  async function onAlarm(name: string): Promise<void> {
    if (name.startsWith(SNOOZE_ALARM_PREFIX)) await endSnooze(name.slice(SNOOZE_ALARM_PREFIX.length));
    if (name === REFRESH_ALARM || name === RETRY_ALARM) await refreshPolicyUrl();
    await reporting.onAlarm(name);
  }

  /** Navigation events of each tab, one after another: a commit and the page's own replaceState arrive together. */
  const tabQueues = new Map<number, Promise<void>>();

  /**
   * Every top-level navigation: counted (docs/spec/report-protocol.md "What is counted"), and sent to the nudge
   * page when DNR did not redirect it (ARCHITECTURE.md "Nudge before the request leaves", the second line: a percent-encoded path, a
   * pushState into a path-scoped tool).
   */
  function onNavigation(details: NavigationDetails, kind: 'committed' | 'history'): Promise<void> {
    if (details.frameId !== 0) return Promise.resolve();
    const handled = (tabQueues.get(details.tabId) ?? Promise.resolve()).then(() => handleNavigation(details, kind));
    const settled = handled.catch(() => undefined);
    tabQueues.set(details.tabId, settled);
    void settled.then(() => {
      if (tabQueues.get(details.tabId) === settled) tabQueues.delete(details.tabId);
    });
    return handled;
  }

  async function handleNavigation(details: NavigationDetails, kind: 'committed' | 'history'): Promise<void> {
    const { result } = await policy();
    const tabKey = String(details.tabId);
    const asked = originalUrl(nudgePageUrl, details.url);
    if (asked !== null) {
      if (kind === 'committed') await nudgePageCommitted(details, asked, result.index);
      return;
    }
    const decision = tryDecide(result.index, details.url);
    if (decision === null) return;
    if (kind === 'committed') await endPass(tabKey);
    const continued = await continuedTabs();
    if (kind === 'committed' && continued[tabKey] !== undefined && continued[tabKey] !== decision.tool) {
      await setContinuedTab(tabKey, null);
    }
    const tab = await tabState(tabKey);
    const tool = decision.tool;
    await setTabState(tabKey, { tool, redirect: kind === 'committed' ? null : tab.redirect });
    // "redirected": the person reached the approved tool the redirect page offered (countdown, Go now or a link).
    if (kind === 'committed' && tab.redirect !== null && tab.redirect.to === tool) {
      await count(tab.redirect.from, 'redirected');
    }
    if (tool === null) return;
    // A page load counts; a same-document navigation only when it enters the tool.
    const visit = () => (kind === 'committed' || tab.tool !== tool ? count(tool, 'visit') : Promise.resolve());
    if (!isNudge(decision)) return visit();
    // A snooze lets a tool through only while it warns: a tool the policy now blocks is nudged regardless.
    const active = (await snoozes())[tool];
    if (decision.action === 'warn' && active !== undefined && active.until > now()) {
      if (active.once) {
        // "Ask every time": this page was let through once; its own pushState/replaceState stays with it.
        await setContinuedTab(tabKey, tool);
        await endSnooze(tool);
      }
      return visit();
    }
    if (decision.action === 'warn' && kind === 'history' && continued[tabKey] === tool) return visit();
    await browser.tabs.update(details.tabId, { url: nudgeUrl(nudgePageUrl, details.url) });
  }

  /**
   * The nudge page appeared in a tab, from a DNR redirect or from the second line: the nudge is
   * counted here, once. A reload of it, or going back or forward to it, shows the same nudge again.
   */
  async function nudgePageCommitted(details: NavigationDetails, asked: string, index: PolicyIndex): Promise<void> {
    const tabKey = String(details.tabId);
    const again =
      details.transitionType === 'reload' || details.transitionQualifiers?.includes('forward_back') === true;
    const decision = tryDecide(index, asked);
    const event = decision === null ? null : nudgeShownEvent(decision);
    const tool = decision?.tool ?? null;
    if (!again && event !== null && tool !== null) await count(tool, event);
    const target = decision?.action === 'redirect' ? decidePage(index, decision.redirectTo ?? '') : null;
    const to = target?.decision.tool ?? null;
    await setTabState(tabKey, { tool: null, redirect: tool !== null && to !== null ? { from: tool, to } : null });
  }

  /** Adds one to today's counter. A failed write is logged, never thrown: it must not stop a nudge. */
  async function count(tool: string, event: UsageEvent): Promise<void> {
    try {
      await usage.add(localDay(new Date(now())), tool, event);
    } catch (error) {
      console.error('Daylight: could not count', event, error);
    }
  }

  const tabStateKey = (tabKey: string) => `${TAB_STATE_PREFIX}${tabKey}`;

  /** What the counting needs to remember about a tab between events (and worker lives). */
  async function tabState(tabKey: string): Promise<TabState> {
    const stored = (await browser.storage.session.get(tabStateKey(tabKey)))[tabStateKey(tabKey)] as
      TabState | undefined;
    return stored ?? { tool: null, redirect: null };
  }

  async function setTabState(tabKey: string, state: TabState): Promise<void> {
    if (state.tool === null && state.redirect === null) await browser.storage.session.remove(tabStateKey(tabKey));
    else await browser.storage.session.set({ [tabStateKey(tabKey)]: state });
  }

  /** A closed tab's state goes with it. */
  async function onTabRemoved(tabId: number): Promise<void> {
    const tabKey = String(tabId);
    await browser.storage.session.remove(tabStateKey(tabKey));
    await setContinuedTab(tabKey, null);
    await endPass(tabKey);
  }

  /**
   * One navigation of one tab to a URL that decide() allows but a broader DNR rule caught: an allow
   * for exactly that URL in that tab, removed when the tab commits its next page.
   */
  function passOnce(tabId: number, url: string): Promise<void> {
    return inSessionRulesOrder(async () => {
      const ruleIds = await addSessionRules(browser.declarativeNetRequest, (firstId) => [
        compilePassRule(url, tabId, firstId),
      ]);
      const passes = await passRules();
      await browser.storage.session.set({ [PASSES_KEY]: { ...passes, [String(tabId)]: ruleIds } });
    });
  }

  async function passRules(): Promise<Record<string, number[]>> {
    return ((await browser.storage.session.get(PASSES_KEY))[PASSES_KEY] as Record<string, number[]>) ?? {};
  }

  function endPass(tabKey: string): Promise<void> {
    return inSessionRulesOrder(async () => {
      const passes = await passRules();
      const ruleIds = passes[tabKey];
      if (ruleIds === undefined) return;
      await removeSessionRules(browser.declarativeNetRequest, ruleIds);
      await browser.storage.session.set({
        [PASSES_KEY]: Object.fromEntries(Object.entries(passes).filter(([key]) => key !== tabKey)),
      });
    });
  }

  /** Tabs let through once (snoozeMinutes 0), until they load a page of another tool. */
  async function continuedTabs(): Promise<Record<string, string>> {
    return (
      ((await browser.storage.session.get(CONTINUED_TABS_KEY))[CONTINUED_TABS_KEY] as Record<string, string>) ?? {}
    );
  }

  async function setContinuedTab(tabKey: string, tool: string | null): Promise<void> {
    const all = await continuedTabs();
    const rest = Object.fromEntries(Object.entries(all).filter(([key]) => key !== tabKey));
    await browser.storage.session.set({ [CONTINUED_TABS_KEY]: tool === null ? rest : { ...rest, [tabKey]: tool } });
  }

  /**
   * The banner on a tool the person continued to after a warning. The URL is the tab's, from the
   * browser; a page cannot make the banner speak for another site.
   */
  async function onBannerMessage(request: BannerRequest, sender: MessageSender): Promise<BannerResponse> {
    const url = sender.frameId === 0 ? sender.tab?.url : undefined;
    if (url === undefined) return { show: false };
    const { result } = await policy();
    const decision = tryDecide(result.index, url);
    const tool = decision?.tool ?? null;
    if (decision?.action !== 'warn' || tool === null) return { show: false };
    if (request.type === 'banner:dismiss') {
      await inSessionRulesOrder(async () => {
        const all = await snoozes();
        const snoozed = all[tool];
        if (snoozed !== undefined) {
          await browser.storage.session.set({
            [SNOOZES_KEY]: { ...all, [tool]: { ...snoozed, bannerDismissed: true } },
          });
        }
      });
      return { show: false };
    }
    const snoozed = (await snoozes())[tool];
    if (snoozed === undefined || snoozed.until <= now() || snoozed.bannerDismissed === true) return { show: false };
    const alternative = decision.alternatives[0];
    return {
      show: true,
      toolName: decision.toolName ?? tool,
      organizationName: result.policy.organization.name ?? null,
      alternative: alternative === undefined ? null : { name: alternative.name, url: alternative.url },
    };
  }

  /** The last fetch, when it was from the URL the policy is fetched from now; null otherwise. */
  function fetchInUse(state: PolicyState, config: ManagedConfig): FetchState | null {
    const url = policyUrlInUse(config);
    return url !== null && state.fetch?.url === url ? state.fetch : null;
  }

  /** The policy in force, as the popup and the options page describe it. */
  function policySummary(inForce: PolicyInForce, state: PolicyState, config: ManagedConfig): PolicySummary {
    const { policy: p } = inForce.result;
    const fetched = fetchInUse(state, config);
    return {
      source: inForce.source,
      revision: p.revision,
      organizationName: p.organization.name ?? null,
      supportUrl: p.organization.supportUrl ?? null,
      errors: state.status?.errors ?? inForce.errors,
      updateProblem: fetched !== null && fetched.error !== null ? (fetched.problem ?? null) : null,
    };
  }

  /** The decision about a web page, or null for any other URL (a new tab, the browser's own pages). */
  function decidePage(index: PolicyIndex, url: string): { decision: Decision; host: string } | null {
    if (!/^https?:/i.test(url)) return null;
    const decision = tryDecide(index, url);
    return decision === null ? null : { decision, host: new URL(url).hostname };
  }

  async function onSurfaceMessage(request: SurfaceRequest): Promise<SurfaceResponse> {
    if (request.type === 'options:send-now') return { ok: true, sent: await reporting.upload(true) };
    const inForce = await policy();
    const { policy: p, index } = inForce.result;
    const state = await store.read();
    const { config } = managedConfig(await cachedManaged());
    if (request.type === 'popup:get') {
      const page = request.url === null ? null : decidePage(index, request.url);
      const template = p.organization.requestAccessUrl;
      const tool = page?.decision.tool ?? null;
      // Asking for access makes sense for a tool the policy does not simply allow.
      const askable = page !== null && !page.decision.sanctioned && page.decision.action !== 'allow';
      const snoozed = tool === null || page?.decision.action !== 'warn' ? undefined : (await snoozes())[tool];
      return {
        ok: true,
        popup: {
          decision: page?.decision ?? null,
          host: page?.host ?? null,
          requestAccessUrl:
            askable && tool !== null && template !== undefined ? requestAccessLink(template, tool, page.host) : null,
          snoozedUntil: snoozed !== undefined && !snoozed.once && snoozed.until > now() ? snoozed.until : null,
          approved: p.sanctioned.map(({ id, name, url, description }) => ({
            id,
            name,
            url,
            description: description ?? null,
          })),
          training: p.training.map(({ title, url }) => ({ title, url })),
          policy: policySummary(inForce, state, config),
        },
      };
    }
    const fetchUrl = policyUrlInUse(config);
    const fetched = fetchInUse(state, config);
    const names = new Map(index.serialized.entries.map((entry) => [entry.id, entry.name]));
    const reportingUrl = config.disableReporting ? null : (p.reporting?.url ?? null);
    return {
      ok: true,
      options: {
        policy: policySummary(inForce, state, config),
        checkedAt: state.status?.checkedAt ?? null,
        fetch:
          fetchUrl === null
            ? null
            : {
                url: fetchUrl,
                answeredAt: fetched !== null && fetched.answeredAt > 0 ? fetched.answeredAt : null,
                nextAttemptAt: fetched?.nextAttemptAt ?? null,
                error: fetched?.error ?? null,
              },
        signed: config.policySigningKey !== null,
        reportingHost: reportingUrl === null ? null : new URL(reportingUrl).host,
        reportingIntervalMinutes: reportingUrl === null ? null : (p.reporting?.intervalMinutes ?? null),
        group: config.group,
        counts: sortCounts(await usage.list()).map((entry) => ({
          ...entry,
          toolName: names.get(entry.tool) ?? entry.tool,
        })),
        upload: await reporting.preview(),
      },
    };
  }

  async function onMessage(
    message: unknown,
    sender: MessageSender,
  ): Promise<NudgeResponse | BannerResponse | SurfaceResponse> {
    const senderUrl = sender.url;
    const banner = BannerRequestSchema.safeParse(message);
    if (banner.success && sender.tab !== undefined) return onBannerMessage(banner.data, sender);
    const surface = SurfaceRequestSchema.safeParse(message);
    // The popup and the options page: pages of this extension. A content script's sender URL is its page's.
    if (surface.success && senderUrl?.startsWith(extensionOrigin) === true) return onSurfaceMessage(surface.data);
    // Only the extension's own nudge page may ask the rest; content scripts and web pages may not.
    if (senderUrl === undefined || !senderUrl.startsWith(nudgePageUrl)) return { ok: false, error: 'not allowed' };
    const parsed = NudgeRequestSchema.safeParse(message);
    if (!parsed.success) return { ok: false, error: 'malformed message' };
    const request = parsed.data;
    const { result } = await policy();
    const decision = tryDecide(result.index, request.url);
    if (decision === null) return { ok: false, error: 'not a valid URL' };
    const host = new URL(request.url).hostname;
    const { policy: p } = result;
    if (request.type === 'nudge:get') {
      const template = p.organization.requestAccessUrl;
      return {
        ok: true,
        view: {
          decision,
          organizationName: p.organization.name ?? null,
          supportUrl: p.organization.supportUrl ?? null,
          requestAccessUrl:
            template === undefined || decision.tool === null ? null : requestAccessLink(template, decision.tool, host),
          requireReason: p.warn.requireReason,
          snoozeMinutes: p.warn.snoozeMinutes,
        },
      };
    }
    if (request.type === 'nudge:pass') {
      const tabId = sender.tab?.id;
      if (isNudge(decision) || decision.tool === null || tabId === undefined)
        return { ok: false, error: 'not allowed' };
      await passOnce(tabId, request.url);
      return { ok: true, passed: true };
    }
    // Continue is for warnings only: a blocked or redirected tool cannot be let through by a message.
    if (decision.action !== 'warn' || decision.tool === null) return { ok: false, error: 'nothing to continue to' };
    if (p.warn.requireReason && (request.reason ?? '').trim() === '')
      return { ok: false, error: 'a reason is required' };
    await snooze(decision.tool, p.warn.snoozeMinutes, result.index);
    await count(decision.tool, 'proceeded');
    return { ok: true, continued: true };
  }

  return { policy, refreshManaged, onAlarm, onNavigation, onTabRemoved, onMessage };
}
