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

/**
 * `rules` less those whose regexFilter the browser cannot compile, and those regexes. Chrome compiles each
 * within 2 KB (docs/browsers.md "declarativeNetRequest") and refuses a whole update for one that does not
 * fit: a very long path pattern must not take every other rule down with it.
 */
export async function compilableRules(
  dnr: Dnr,
  rules: readonly DnrRule[],
): Promise<{ rules: readonly DnrRule[]; refused: readonly string[] }> {
  if (typeof dnr.isRegexSupported !== 'function') return { rules, refused: [] };
  const refused = new Set<string>();
  const checked = new Set<string>();
  // A redirect's regexSubstitution needs capturing, which Chrome compiles into a larger program.
  const keyOf = ({ condition, action }: DnrRule): string | null =>
    condition.regexFilter === undefined ? null : `${action.type === 'redirect'} ${condition.regexFilter}`;
  for (const rule of rules) {
    const key = keyOf(rule);
    const regex = rule.condition.regexFilter;
    if (key === null || regex === undefined || checked.has(key)) continue;
    checked.add(key);
    const requireCapturing = rule.action.type === 'redirect';
    if (!(await dnr.isRegexSupported({ regex, isCaseSensitive: false, requireCapturing })).isSupported)
      refused.add(key);
  }
  return {
    rules: rules.filter((rule) => !refused.has(keyOf(rule) ?? '')),
    refused: [...new Set([...refused].map((key) => key.slice(key.indexOf(' ') + 1)))],
  };
}

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
