/**
 * Installs the policy's declarativeNetRequest rules and the session rules of
 * "Continue" snoozes. Takes the declarativeNetRequest API as a parameter.
 */
import type { Browser, browser } from 'wxt/browser';
import type { DnrRule } from '../lib/policy/dnr-rules';

export type Dnr = typeof browser.declarativeNetRequest;

/** lib/policy/dnr-rules.ts writes the string values that Chrome's rule enums stand for. */
const asChromeRules = (rules: readonly DnrRule[]): Browser.declarativeNetRequest.Rule[] =>
  rules as unknown as Browser.declarativeNetRequest.Rule[];

/** Replaces every dynamic rule with `rules`, in one update so no navigation sees a half-installed policy. */
export async function replaceDynamicRules(dnr: Dnr, rules: readonly DnrRule[]): Promise<void> {
  const existing = await dnr.getDynamicRules();
  await dnr.updateDynamicRules({
    removeRuleIds: existing.map((rule) => rule.id),
    addRules: asChromeRules(rules),
  });
}

/** Adds session rules after the highest id in use; returns their ids. */
export async function addSessionRules(dnr: Dnr, build: (firstId: number) => readonly DnrRule[]): Promise<number[]> {
  const existing = await dnr.getSessionRules();
  const firstId = existing.reduce((max, rule) => Math.max(max, rule.id), 0) + 1;
  const rules = build(firstId);
  await dnr.updateSessionRules({ addRules: asChromeRules(rules) });
  return rules.map((rule) => rule.id);
}

export async function removeSessionRules(dnr: Dnr, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await dnr.updateSessionRules({ removeRuleIds: [...ids] });
}
