/**
 * The policy as declarativeNetRequest rules, so that warn, redirect and block
 * happen before a request leaves the browser (ARCHITECTURE.md "Nudge before
 * the request leaves"). Pure: platform/ installs what this returns.
 *
 * - Specificity becomes priority: more host labels first, then the longer
 *   path (docs/spec/policy-format.md "Deciding a URL" step 4). Every pattern gets a rule
 *   at its level, allow or nudge, so a more specific allow (a sanctioned
 *   path, a monitored subdomain) beats a broader nudge.
 * - Whole-host patterns of one level and one outcome share a rule through
 *   `requestDomains`, so the redirect rules stay few (Chrome allows 5,000
 *   "unsafe" rules) whatever the catalog's size.
 * - Nudges redirect with `regexSubstitution`, carrying the exact URL to the
 *   nudge page in its fragment: an `extensionPath` redirect would lose it.
 * - Path patterns are regular expressions ending at `/`, `?`, `#` or the end,
 *   which is the spec's path boundary; `||host/path^` would also match
 *   `/path;x` and `/path=1`. Chrome allows 1,000 regex rules: patterns past
 *   the budget are left to the webNavigation check (returned as
 *   `secondLineOnly`).
 */
import { nudgeUrl } from '../protocol/nudge-url';
import type { Decision, PolicyIndex } from './compile';

/** The subset of chrome.declarativeNetRequest.Rule that Daylight writes. */
export interface DnrRule {
  readonly id: number;
  readonly priority: number;
  readonly action:
    | { readonly type: 'allow' }
    | { readonly type: 'redirect'; readonly redirect: { readonly regexSubstitution: string } };
  readonly condition: {
    /** Absent: every URL of requestDomains. */
    readonly regexFilter?: string;
    readonly requestDomains?: readonly string[];
    readonly tabIds?: readonly number[];
    readonly resourceTypes: readonly ['main_frame'];
    readonly isUrlFilterCaseSensitive: false;
  };
}

/** Bumped whenever the rules this file writes change shape, so installed rules are rebuilt. */
export const DNR_RULES_VERSION = 1;

/** Chrome's limit on regex rules (MAX_NUMBER_OF_REGEX_RULES), less a margin for session (snooze) rules. */
export const REGEX_RULE_BUDGET = 900;

const NUDGE_ACTIONS: ReadonlySet<Decision['action']> = new Set(['warn', 'redirect', 'block']);

export function isNudge(decision: Decision): boolean {
  return NUDGE_ACTIONS.has(decision.action);
}

/** One pattern of the index with the decision it wins, and its specificity level. */
interface IndexedPattern {
  readonly host: string;
  readonly path: string;
  readonly decision: Decision;
  readonly level: number;
}

/** More labels always beat a longer path; paths are far shorter than 4,096 characters. */
function specificity(host: string, path: string): number {
  return host.split('.').length * 4096 + Math.min(path.length, 4095);
}

/** Every distinct (host, path) of the index with the decision that wins it (the first in index order). */
function indexedPatterns(index: PolicyIndex): IndexedPattern[] {
  const patterns: IndexedPattern[] = [];
  for (const [host, rules] of index.hosts) {
    const seen = new Set<string>();
    for (const [path, decision] of rules) {
      if (seen.has(path)) continue;
      seen.add(path);
      patterns.push({ host, path, decision, level: specificity(host, path) });
    }
  }
  return patterns;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Any http(s) URL on the host or a subdomain whose path is `path` or continues it after `/`. */
function pathRegex(host: string, path: string): string {
  return `^https?://([^/?#@]*@)?([^/?#@]*\\.)?${escapeRegex(host)}(:[0-9]*)?${escapeRegex(path)}([/?#].*)?$`;
}

/** Priorities: twice the level, so that a snooze (level × 2 + 1) beats its own pattern's nudge and nothing more specific. */
const priorityOf = (level: number, snooze: boolean): number => level * 2 + (snooze ? 1 : 0);

export interface CompiledDnr {
  readonly rules: readonly DnrRule[];
  /** Path patterns past the regex budget, which only the webNavigation check enforces. */
  readonly secondLineOnly: readonly string[];
}

/**
 * The dynamic rules for an index. `nudgePageUrl` is the extension's nudge
 * page (chrome-extension://<id>/nudge.html); the original URL follows `#`.
 */
export function compileDnrRules(index: PolicyIndex, nudgePageUrl: string): CompiledDnr {
  const patterns = indexedPatterns(index);
  const rules: DnrRule[] = [];
  const nextId = (): number => rules.length + 1;
  const redirect = { type: 'redirect', redirect: { regexSubstitution: nudgeUrl(nudgePageUrl, '\\0') } } as const;

  const wholeHostGroups = new Map<string, { level: number; nudge: boolean; hosts: string[] }>();
  for (const pattern of patterns) {
    if (pattern.path !== '') continue;
    const nudge = isNudge(pattern.decision);
    const key = `${pattern.level}:${nudge}`;
    const group = wholeHostGroups.get(key) ?? { level: pattern.level, nudge, hosts: [] };
    group.hosts.push(pattern.host);
    wholeHostGroups.set(key, group);
  }
  for (const group of wholeHostGroups.values()) {
    rules.push({
      id: nextId(),
      priority: priorityOf(group.level, false),
      action: group.nudge ? redirect : { type: 'allow' },
      // A redirect needs a regex to substitute into; an allow does not, and so spends no regex budget.
      condition: {
        ...(group.nudge && { regexFilter: '^.*$' }),
        requestDomains: group.hosts.sort(),
        resourceTypes: ['main_frame'],
        isUrlFilterCaseSensitive: false,
      },
    });
  }

  const secondLineOnly: string[] = [];
  let regexRules = rules.filter((rule) => rule.condition.regexFilter !== undefined).length;
  const pathPatterns = patterns.filter((p) => p.path !== '').sort((a, b) => b.level - a.level);
  for (const pattern of pathPatterns) {
    if (regexRules >= REGEX_RULE_BUDGET) {
      secondLineOnly.push(pattern.host + pattern.path);
      continue;
    }
    regexRules++;
    rules.push({
      id: nextId(),
      priority: priorityOf(pattern.level, false),
      action: isNudge(pattern.decision) ? redirect : { type: 'allow' },
      condition: {
        regexFilter: pathRegex(pattern.host, pattern.path),
        resourceTypes: ['main_frame'],
        isUrlFilterCaseSensitive: false,
      },
    });
  }
  return { rules, secondLineOnly };
}

/**
 * Session rules that let one tool through after "Continue" (ARCHITECTURE.md "Continue, remembered"):
 * an allow one step above each of the tool's own patterns, so a more specific
 * pattern of another tool still applies.
 */
export function compileSnoozeRules(index: PolicyIndex, toolId: string, firstId: number): DnrRule[] {
  return indexedPatterns(index)
    .filter((pattern) => pattern.decision.tool === toolId)
    .map((pattern, i) => ({
      id: firstId + i,
      priority: priorityOf(pattern.level, true),
      action: { type: 'allow' } as const,
      condition:
        pattern.path === ''
          ? {
              requestDomains: [pattern.host],
              resourceTypes: ['main_frame'] as const,
              isUrlFilterCaseSensitive: false as const,
            }
          : {
              regexFilter: pathRegex(pattern.host, pattern.path),
              resourceTypes: ['main_frame'] as const,
              isUrlFilterCaseSensitive: false as const,
            },
    }));
}

/**
 * Match patterns for the banner content script: the hosts (and paths) of the
 * tools that warn, and nothing else of the web (`*://*.host/…` also matches
 * the host itself).
 */
export function bannerMatchPatterns(index: PolicyIndex): string[] {
  const patterns = new Set<string>();
  for (const pattern of indexedPatterns(index)) {
    // A path-scoped tool gets its path only: the banner has no business on the rest of github.com.
    if (pattern.decision.action === 'warn')
      patterns.add(`*://*.${pattern.host}${pattern.path === '' ? '/' : pattern.path}*`);
  }
  return [...patterns].sort();
}

/** Above every pattern's level and its snooze: a host of at most 253 characters has at most 127 labels. */
const PASS_PRIORITY = priorityOf(128 * 4096, true) + 1;

/**
 * A one-time pass for one tab to exactly one URL that decide() allows but a
 * broader rule caught (DNR matches the path undecoded): above every policy
 * and snooze rule.
 */
export function compilePassRule(url: string, tabId: number, id: number): DnrRule {
  return {
    id,
    priority: PASS_PRIORITY,
    action: { type: 'allow' },
    condition: {
      regexFilter: `^${escapeRegex(url)}$`,
      tabIds: [tabId],
      resourceTypes: ['main_frame'],
      isUrlFilterCaseSensitive: false,
    },
  };
}
