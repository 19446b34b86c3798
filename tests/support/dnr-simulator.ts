/**
 * A model of Chrome's declarativeNetRequest matching for navigations of a tab or a frame,
 * for unit tests only (the e2e suite asks the real Chromium): the highest
 * priority matching rule wins, and on a tie allow beats redirect
 * (https://developer.chrome.com/docs/extensions/reference/api/declarativeNetRequest#matching-algorithm).
 */
import type { DnrRule, FrameType } from '../../lib/policy/dnr-rules';

export type DnrOutcome =
  { readonly type: 'none' } | { readonly type: 'allow' } | { readonly type: 'redirect'; readonly url: string };

function domainMatches(host: string, domains: readonly string[]): boolean {
  return domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

export function simulateDnr(rules: readonly DnrRule[], url: string, type: FrameType = 'main_frame'): DnrOutcome {
  const parsed = new URL(url);
  const href = parsed.href;
  let best: { rule: DnrRule; match: RegExpExecArray | null } | null = null;
  for (const rule of rules) {
    const { requestDomains, regexFilter, resourceTypes } = rule.condition;
    if (!resourceTypes.includes(type)) continue;
    if (requestDomains !== undefined && !domainMatches(parsed.hostname, requestDomains)) continue;
    const match = regexFilter === undefined ? null : new RegExp(regexFilter, 'i').exec(href);
    if (regexFilter !== undefined && match === null) continue;
    const better =
      best === null ||
      rule.priority > best.rule.priority ||
      (rule.priority === best.rule.priority && rule.action.type === 'allow' && best.rule.action.type !== 'allow');
    if (better) best = { rule, match };
  }
  if (best === null) return { type: 'none' };
  if (best.rule.action.type === 'allow') return { type: 'allow' };
  const whole = best.match?.[0] ?? '';
  return { type: 'redirect', url: best.rule.action.redirect.regexSubstitution.replace('\\0', whole) };
}
