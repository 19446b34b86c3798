/**
 * The background's policy engine: which policy is in force, its
 * declarativeNetRequest rules, "Continue" snoozes, the webNavigation second
 * line and the nudge page's questions. Every browser API arrives as a
 * parameter (design.md "Shape"); the logic it applies lives in lib/.
 */
import type { browser as wxtBrowser } from 'wxt/browser';
import type { Catalog } from '../lib/catalog';
import { compileDnrRules, compileSnoozeRules, isNudge } from '../lib/dnr';
import { parseManagedConfig } from '../lib/managed-config';
import { NudgeRequestSchema, type NudgeResponse } from '../lib/messages';
import { choosePolicy, type PolicyInForce } from '../lib/policy-source';
import { decide, InvalidUrlError } from '../lib/policy/decide';
import { requestAccessLink } from '../lib/policy/request-access';
import { addSessionRules, removeSessionRules, replaceDynamicRules } from './dnr';

type Browser = typeof wxtBrowser;

/** storage.local keys: start-up never waits on storage.managed (browsers-here.md: its first call blocks ~3 s). */
const MANAGED_CACHE_KEY = 'managedConfigCache';
const LAST_GOOD_KEY = 'lastGoodPolicy';
const RULES_KEY = 'installedRulesKey';
/** storage.session key: tool id → snooze. */
const SNOOZES_KEY = 'snoozes';
const SNOOZE_ALARM_PREFIX = 'snooze:';
/** With snoozeMinutes 0 the allow lasts for the one navigation "Continue" starts. */
const ONE_NAVIGATION_MS = 60_000;

interface Snooze {
  readonly until: number;
  readonly ruleIds: readonly number[];
  readonly once: boolean;
}

export interface PolicyEngineDeps {
  readonly browser: Browser;
  readonly catalog: Catalog;
  readonly defaultPolicy: unknown;
  readonly now?: () => number;
}

export function createPolicyEngine({ browser, catalog, defaultPolicy, now = Date.now }: PolicyEngineDeps) {
  const nudgePageUrl = browser.runtime.getURL('/nudge.html');
  let current: Promise<PolicyInForce> | null = null;

  async function load(rawManaged: unknown): Promise<PolicyInForce> {
    const managed = parseManagedConfig(rawManaged);
    const stored = await browser.storage.local.get(LAST_GOOD_KEY);
    const lastGood = typeof stored[LAST_GOOD_KEY] === 'string' ? stored[LAST_GOOD_KEY] : null;
    const inForce = choosePolicy(managed.config, lastGood, catalog, defaultPolicy);
    const errors = [...managed.errors, ...inForce.errors];
    if (inForce.source === 'managed') await browser.storage.local.set({ [LAST_GOOD_KEY]: inForce.text });
    await installRules(inForce);
    return { ...inForce, errors };
  }

  /** Dynamic rules survive a stopped worker; they are replaced only when the policy changed. */
  async function installRules(inForce: PolicyInForce): Promise<void> {
    const key = `${inForce.source}:${inForce.result.policy.revision}:${inForce.text ?? ''}`.slice(0, 4096);
    const stored = await browser.storage.local.get(RULES_KEY);
    if (stored[RULES_KEY] === key) return;
    const { rules } = compileDnrRules(inForce.result.index, nudgePageUrl);
    await replaceDynamicRules(browser.declarativeNetRequest, rules);
    await browser.storage.local.set({ [RULES_KEY]: key });
  }

  /** The policy in force, from the cached managed configuration; a fresh read follows in refreshManaged(). */
  function policy(): Promise<PolicyInForce> {
    current ??= browser.storage.local.get(MANAGED_CACHE_KEY).then((stored) => load(stored[MANAGED_CACHE_KEY] ?? {}));
    return current;
  }

  async function refreshManaged(): Promise<void> {
    let raw: unknown = {};
    try {
      raw = await browser.storage.managed.get();
    } catch {
      // Firefox rejects when no enterprise policy configures the extension: nothing is managed.
    }
    const cached = (await browser.storage.local.get(MANAGED_CACHE_KEY))[MANAGED_CACHE_KEY];
    if (JSON.stringify(cached ?? {}) === JSON.stringify(raw)) return;
    await browser.storage.local.set({ [MANAGED_CACHE_KEY]: raw });
    current = load(raw);
    await current;
  }

  async function snoozes(): Promise<Record<string, Snooze>> {
    const stored = await browser.storage.session.get(SNOOZES_KEY);
    return (stored[SNOOZES_KEY] as Record<string, Snooze> | undefined) ?? {};
  }

  async function isSnoozed(tool: string): Promise<boolean> {
    const snooze = (await snoozes())[tool];
    return snooze !== undefined && snooze.until > now();
  }

  async function snooze(tool: string, minutes: number): Promise<void> {
    const { result } = await policy();
    const all = await snoozes();
    const previous = all[tool];
    if (previous !== undefined) await removeSessionRules(browser.declarativeNetRequest, previous.ruleIds);
    const ruleIds = await addSessionRules(browser.declarativeNetRequest, (firstId) =>
      compileSnoozeRules(result.index, tool, firstId),
    );
    const until = now() + (minutes === 0 ? ONE_NAVIGATION_MS : minutes * 60_000);
    await browser.storage.session.set({ [SNOOZES_KEY]: { ...all, [tool]: { until, ruleIds, once: minutes === 0 } } });
    await browser.alarms.create(`${SNOOZE_ALARM_PREFIX}${tool}`, { when: until });
  }

  async function endSnooze(tool: string): Promise<void> {
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
  }

  /**
   * The second line (design.md step 3): a top-level navigation DNR did not
   * redirect, such as a percent-encoded path or a pushState into a
   * path-scoped tool, is sent to the nudge page after the fact.
   */
  async function onNavigation(details: { tabId: number; frameId: number; url: string }): Promise<void> {
    if (details.frameId !== 0) return;
    const { result } = await policy();
    let decision;
    try {
      decision = decide(result.index, details.url);
    } catch (error) {
      if (error instanceof InvalidUrlError) return;
      throw error;
    }
    if (decision.tool === null) return;
    const all = await snoozes();
    const active = all[decision.tool];
    if (active !== undefined && active.until > now()) {
      if (active.once) await endSnooze(decision.tool);
      return;
    }
    if (!isNudge(decision)) return;
    await browser.tabs.update(details.tabId, { url: `${nudgePageUrl}#${details.url}` });
  }

  async function onMessage(message: unknown, senderUrl: string | undefined): Promise<NudgeResponse> {
    // Only the extension's own nudge page may ask; content scripts and web pages may not.
    if (senderUrl === undefined || !senderUrl.startsWith(nudgePageUrl)) return { ok: false, error: 'not allowed' };
    const parsed = NudgeRequestSchema.safeParse(message);
    if (!parsed.success) return { ok: false, error: 'malformed message' };
    const request = parsed.data;
    const { result } = await policy();
    let decision;
    let host: string;
    try {
      decision = decide(result.index, request.url);
      host = new URL(request.url).hostname;
    } catch {
      return { ok: false, error: 'not a valid URL' };
    }
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
    // Continue is for warnings only: a blocked or redirected tool cannot be let through by a message.
    if (decision.action !== 'warn' || decision.tool === null) return { ok: false, error: 'nothing to continue to' };
    if (p.warn.requireReason && (request.reason ?? '').trim() === '')
      return { ok: false, error: 'a reason is required' };
    await snooze(decision.tool, p.warn.snoozeMinutes);
    return { ok: true, continued: true };
  }

  return { policy, refreshManaged, onAlarm, onNavigation, onMessage, isSnoozed };
}
