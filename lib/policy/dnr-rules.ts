/**
 * The policy as declarativeNetRequest rules, so that warn, redirect and block
 * happen before a request leaves the browser (ARCHITECTURE.md "Nudge before
 * the request leaves"), in a tab or in a frame. Pure: platform/ installs what this returns.
 *
 * - Specificity becomes priority: more host labels first, then the longer
 *   path (docs/spec/policy-format.md "Deciding a URL" step 4). Every pattern gets a rule
 *   at its level, allow or nudge, so a more specific allow (a sanctioned
 *   path, a monitored subdomain) beats a broader nudge.
 * - Whole-host patterns of one level and one outcome share a rule through
 *   `requestDomains`, so the redirect rules stay few (Chrome allows 5,000
 *   "unsafe" rules) whatever the catalog's size.
 * - Nudges redirect with `regexSubstitution`, carrying the exact URL to the
 *   nudge page (a tab) or the framed page (a frame) in its fragment: an
 *   `extensionPath` redirect would lose it.
 * - Path patterns are regular expressions on the host's `requestDomains`, ending at `/`, `?`,
 *   `#`, `;` or the end, which is the spec's path boundary. A nudge also takes every other
 *   spelling decide() reads as its path (docs/spec/policy-format.md "A note on
 *   declarativeNetRequest"): runs of `/`, any case, `;` parameters, and a segment holding an
 *   escape (`/%63hat`), which the nudge page decides exactly. Chrome compiles each regex within
 *   2 KB, too little to spell out every escape of every character. Paths that a server may read
 *   another way (an encoded `/` or `\`, `..;`) and hosts with a trailing dot go to the nudge
 *   page above every policy rule. Chrome allows 1,000 regex rules: patterns past the budget are
 *   left to the webNavigation check (returned as `secondLineOnly`).
 */
import { nudgeUrl } from '../protocol/nudge-url';
import type { Decision, PolicyIndex } from './compile';

/** Where a nudge can show: a tab's own page, or a frame inside another page. */
export type FrameType = 'main_frame' | 'sub_frame';

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
    readonly resourceTypes: readonly FrameType[];
    readonly isUrlFilterCaseSensitive: false;
  };
}

/** Bumped whenever the rules this file writes change shape, so installed rules are rebuilt. */
export const DNR_RULES_VERSION = 2;

/** Chrome's limit on regex rules (MAX_NUMBER_OF_REGEX_RULES), less a margin for session (snooze) rules. */
export const REGEX_RULE_BUDGET = 900;

const NUDGE_ACTIONS: ReadonlySet<Decision['action']> = new Set(['warn', 'redirect', 'block']);

export function isNudge(decision: Decision): boolean {
  return NUDGE_ACTIONS.has(decision.action);
}

/** The extension's pages a nudge redirects to (runtime.getURL of each); the original URL follows `#`. */
export interface NudgePages {
  /** nudge.html: the whole nudge, in a tab. */
  readonly tab: string;
  /** framed.html: what fits a frame, and a way to open the nudge in a tab. */
  readonly frame: string;
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

/**
 * One character of a path segment in a canonical URL: printable ASCII but `/`, `?` and `#`. Named
 * as ranges, not `[^/?#]`, which compiles to far more of Chrome's 2 KB (every UTF-8 length).
 */
const SEGMENT_CHAR = '[!-"$-.0->@-~]';

/** Scheme, user info, host and port of a canonical URL: its host is left to `requestDomains`. */
const AUTHORITY = '^https?://[^/]*';

/** Segments a path pattern holds at most for its nudge to take escaped spellings segment by segment. */
const SEGMENTS_SPELLED = 2;

/**
 * A segment character other than `%`: an allow's `;` parameters must hold no escape, or `/a;x%2fy/b`,
 * which decide() reads as `/a/y/b`, would pass for `/a/b`.
 */
const PLAIN_SEGMENT_CHAR = '[!-"$&-.0->@-~]';

/** The path's segments as written: each may be followed by `;` parameters, and `/` may repeat. */
function literalSegments(path: string, parameterChar = SEGMENT_CHAR): string {
  return path
    .slice(1)
    .split('/')
    .map((segment) => `/+${escapeRegex(segment)}(?:;${parameterChar}*)?`)
    .join('');
}

/**
 * An allowed path (a sanctioned path, a snoozed tool) in the spellings that need no decoding: an
 * escaped spelling of it meets the nudge page, which decides it exactly and lets it through.
 */
function allowPathRegex(path: string): string {
  return `${AUTHORITY}${literalSegments(path, PLAIN_SEGMENT_CHAR)}(?:[/?#]|$)`;
}

/**
 * A nudged path in every spelling decide() reads as it: literal segments, or, where a segment of the
 * pattern stands, a segment holding an escape, after which anything may follow (an escaped `/` may
 * join it to the next). Past SEGMENTS_SPELLED segments, an escape anywhere in the first as many
 * segments as the pattern has. The whole URL is matched: the redirect carries it.
 */
function nudgePathRegex(path: string): string {
  const segments = path.slice(1).split('/');
  const escaped = `${SEGMENT_CHAR}*%.*`;
  if (segments.length <= SEGMENTS_SPELLED) {
    const spelled = segments.reduceRight(
      (rest, segment) => `/+(?:${escapeRegex(segment)}(?:;${SEGMENT_CHAR}*)?${rest}|${escaped})`,
      '(?:[/?#].*)?',
    );
    return `${AUTHORITY}${spelled}$`;
  }
  const before = `(?:/+${SEGMENT_CHAR}*){0,${segments.length - 1}}`;
  return `${AUTHORITY}(?:${literalSegments(path)}(?:[/?#].*)?|${before}/+${escaped})$`;
}

/**
 * A dot segment that decide()'s first reading resolves and the browser did not (lib/policy/url.ts
 * literalPath): one next to an encoded `/` or `\`, or one that `;` leaves (`..;`, and `;` alone,
 * which leaves an empty segment). The browser resolved every other `.` and `..` itself.
 */
const AMBIGUOUS_PATH_URL =
  `${AUTHORITY}(?:/[^?#]*)?(?:(?:/|%2f|%5c)(?:\\.|%2e){0,2}(?:;|%3b)|(?:/|%2f|%5c)(?:\\.|%2e){1,2}(?:%2f|%5c)` +
  `|(?:%2f|%5c)(?:\\.|%2e){1,2}(?:[/?#]|$)).*$`;

/** A host with a trailing dot, which `requestDomains` never matches (spec step 2 strips it). */
const TRAILING_DOT_URL = '^https?://[^/]*\\.(?::[0-9]*)?/.*$';

/** Priorities: twice the level, so that a snooze (level × 2 + 1) beats its own pattern's nudge and nothing more specific. */
const priorityOf = (level: number, snooze: boolean): number => level * 2 + (snooze ? 1 : 0);

/** Above every pattern's level and its snooze: a host of at most 253 characters has at most 127 labels. */
const PASS_PRIORITY = priorityOf(128 * 4096, true) + 1;

/** Spellings the nudge page decides (ambiguous paths, trailing dots): above every policy and snooze rule, below a pass. */
const SPELLING_PRIORITY = PASS_PRIORITY - 1;

export interface CompiledDnr {
  readonly rules: readonly DnrRule[];
  /** Path patterns past the regex budget, which only the webNavigation check enforces. */
  readonly secondLineOnly: readonly string[];
}

type RuleWithoutId = Omit<DnrRule, 'id'>;

/** An allow for tabs and frames alike. */
function allowRule(priority: number, condition: { regexFilter?: string; requestDomains?: readonly string[] }) {
  const rule: RuleWithoutId = {
    priority,
    action: { type: 'allow' },
    condition: { ...condition, resourceTypes: ['main_frame', 'sub_frame'], isUrlFilterCaseSensitive: false },
  };
  return [rule];
}

/** A nudge: a tab goes to the nudge page, a frame to the framed page. */
function nudgeRules(
  pages: NudgePages,
  priority: number,
  condition: { regexFilter: string; requestDomains?: readonly string[] },
): RuleWithoutId[] {
  return (['main_frame', 'sub_frame'] as const).map((type) => ({
    priority,
    action: {
      type: 'redirect',
      redirect: { regexSubstitution: nudgeUrl(type === 'main_frame' ? pages.tab : pages.frame, '\\0') },
    },
    condition: { ...condition, resourceTypes: [type], isUrlFilterCaseSensitive: false },
  }));
}

const isRegexRule = (rule: RuleWithoutId): boolean => rule.condition.regexFilter !== undefined;

/** The dynamic rules for an index. */
export function compileDnrRules(index: PolicyIndex, pages: NudgePages): CompiledDnr {
  const patterns = indexedPatterns(index);
  const rules: RuleWithoutId[] = [];

  const wholeHostGroups = new Map<string, { level: number; nudge: boolean; hosts: string[] }>();
  for (const pattern of patterns) {
    if (pattern.path !== '') continue;
    const nudge = isNudge(pattern.decision);
    const key = `${pattern.level}:${nudge}`;
    const group = wholeHostGroups.get(key) ?? { level: pattern.level, nudge, hosts: [] };
    group.hosts.push(pattern.host);
    wholeHostGroups.set(key, group);
  }
  for (const { level, nudge, hosts } of wholeHostGroups.values()) {
    const requestDomains = hosts.sort();
    const priority = priorityOf(level, false);
    // A redirect needs a regex to substitute into; an allow does not, and so spends no regex budget.
    rules.push(
      ...(nudge
        ? nudgeRules(pages, priority, { regexFilter: '^.*$', requestDomains })
        : allowRule(priority, { requestDomains })),
    );
  }

  const pathPatterns = patterns.filter((p) => p.path !== '').sort((a, b) => b.level - a.level);
  const pathHosts = [...new Set(pathPatterns.map((p) => p.host))].sort();
  rules.push(...nudgeRules(pages, SPELLING_PRIORITY, { regexFilter: TRAILING_DOT_URL }));
  if (pathHosts.length > 0) {
    rules.push(...nudgeRules(pages, SPELLING_PRIORITY, { regexFilter: AMBIGUOUS_PATH_URL, requestDomains: pathHosts }));
  }

  const secondLineOnly: string[] = [];
  let regexRules = rules.filter(isRegexRule).length;
  for (const pattern of pathPatterns) {
    const nudge = isNudge(pattern.decision);
    const requestDomains = [pattern.host];
    const priority = priorityOf(pattern.level, false);
    const added = nudge
      ? nudgeRules(pages, priority, { regexFilter: nudgePathRegex(pattern.path), requestDomains })
      : allowRule(priority, { regexFilter: allowPathRegex(pattern.path), requestDomains });
    if (regexRules + added.length > REGEX_RULE_BUDGET) {
      secondLineOnly.push(pattern.host + pattern.path);
      continue;
    }
    regexRules += added.length;
    rules.push(...added);
  }
  return { rules: rules.map((rule, i) => ({ ...rule, id: i + 1 })), secondLineOnly };
}

/**
 * Session rules that let one tool through after "Continue" (ARCHITECTURE.md "Continue, remembered"):
 * an allow one step above each of the tool's own patterns, so a more specific
 * pattern of another tool still applies. A path's escaped spellings still meet the nudge page: an
 * allow that took them would also take other tools' paths on the same host.
 */
export function compileSnoozeRules(index: PolicyIndex, toolId: string, firstId: number): DnrRule[] {
  return indexedPatterns(index)
    .filter((pattern) => pattern.decision.tool === toolId)
    .flatMap((pattern) =>
      allowRule(
        priorityOf(pattern.level, true),
        pattern.path === ''
          ? { requestDomains: [pattern.host] }
          : { regexFilter: allowPathRegex(pattern.path), requestDomains: [pattern.host] },
      ),
    )
    .map((rule, i) => ({ ...rule, id: firstId + i }));
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

/**
 * A one-time pass for one tab to exactly one URL that decide() allows but a
 * broader rule caught (DNR matches the path undecoded): above every policy
 * and snooze rule.
 */
export function compilePassRule(url: string, tabId: number, id: number, type: FrameType = 'main_frame'): DnrRule {
  return {
    id,
    priority: PASS_PRIORITY,
    action: { type: 'allow' },
    condition: {
      regexFilter: `^${escapeRegex(url)}$`,
      tabIds: [tabId],
      resourceTypes: [type],
      isUrlFilterCaseSensitive: false,
    },
  };
}
