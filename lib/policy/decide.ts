/**
 * decide(index, url): docs/spec/policy-format.md "Deciding a URL". Most URLs name no AI
 * tool and are answered from their host alone, without a full parse (see
 * simple-url.ts); the path is normalized only when a host with path-scoped
 * patterns is reached.
 */
import { isNudge } from './dnr-rules';
import { pathMatches } from './pattern';
import { scanSimpleWebUrl, simpleRawPath } from './simple-url';
import { isIpHost, literalPath, normalizePath, stripTrailingDots } from './url';
import type { Decision, PolicyIndex } from './compile';

/** A URL the WHATWG parser rejects: an error, never silently allowed (step 1). */
/** What is said of a string the WHATWG URL parser rejects (docs/spec/policy-format.md "daylight check output"). */
export const INVALID_URL = 'not a valid URL';

export class InvalidUrlError extends Error {
  constructor(readonly input: string) {
    super(INVALID_URL);
    this.name = 'InvalidUrlError';
  }
}

/** Steps 1 and 8: no tool, nothing to do. */
export const NO_TOOL: Decision = Object.freeze({
  action: 'allow',
  tool: null,
  toolName: null,
  category: null,
  sanctioned: false,
  redirectTo: null,
  message: null,
  alternatives: Object.freeze([]),
  training: Object.freeze([]),
});

/** Returned by decideByHost when the path has a say. */
const NEEDS_PATH = null;

/**
 * decide(), or null for a string the WHATWG URL parser rejects: callers that meet any string a
 * browser hands them (a tab's URL, a message) ask this, and nothing else is caught.
 */
export function tryDecide(index: PolicyIndex, input: string): Decision | null {
  try {
    return decide(index, input);
  } catch (error) {
    if (error instanceof InvalidUrlError) return null;
    throw error;
  }
}

export function decide(index: PolicyIndex, input: string): Decision {
  const simple = scanSimpleWebUrl(input);
  if (simple !== null) {
    const byHost = decideByHost(index, simple.host);
    if (byHost !== NEEDS_PATH) return byHost;
    const rawPath = simpleRawPath(input, simple.pathStart);
    if (rawPath !== null) return decideByRawPath(index, simple.host, rawPath);
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidUrlError(input);
  }
  return decideUrl(index, url);
}

/** The same decision for a URL the caller has already parsed (steps 1–8). */
export function decideUrl(index: PolicyIndex, url: URL): Decision {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return NO_TOOL;
  const host = stripTrailingDots(url.hostname);
  if (host === '' || isIpHost(host)) return NO_TOOL;
  return decideByHost(index, host) ?? decideByRawPath(index, host, url.pathname);
}

/**
 * Step 4 when the host alone is enough: the most specific host level that has
 * patterns decides, if all its patterns are whole-host ones. NEEDS_PATH when
 * that level has path-scoped patterns.
 */
function decideByHost(index: PolicyIndex, host: string): Decision | typeof NEEDS_PATH {
  let suffix = host;
  for (;;) {
    const rules = index.hosts.get(suffix);
    if (rules !== undefined) {
      const [first] = rules;
      // Rules are sorted longest path first: a whole-host first rule means there is no path rule here.
      return first !== undefined && first[0] === '' ? first[1] : NEEDS_PATH;
    }
    const dot = suffix.indexOf('.');
    if (dot === -1) return NO_TOOL;
    suffix = suffix.slice(dot + 1);
  }
}

/** How strict a decision is: a nudge over none, then block over redirect over warn. */
const STRICTNESS: Readonly<Record<Decision['action'], number>> = {
  allow: 0,
  monitor: 0,
  warn: 1,
  redirect: 2,
  block: 3,
};

/**
 * Step 4 on both readings of a path (step 3): a path that a server may read another way than the
 * normalized one (`/blocked/..%2fok`) never earns an allow, or a milder nudge, over what its literal
 * reading gets.
 */
function decideByRawPath(index: PolicyIndex, host: string, rawPath: string): Decision {
  const normalized = decideByPath(index, host, normalizePath(rawPath));
  const literal = literalPath(rawPath);
  if (literal === null) return normalized;
  const asWritten = decideByPath(index, host, literal);
  return isNudge(asWritten) && STRICTNESS[asWritten.action] >= STRICTNESS[normalized.action] ? asWritten : normalized;
}

/** Step 4 in full: walking from the full host to its parents, the first level with a matching pattern wins. */
function decideByPath(index: PolicyIndex, host: string, path: string): Decision {
  let suffix = host;
  for (;;) {
    const rules = index.hosts.get(suffix);
    if (rules !== undefined) {
      for (const [prefix, decision] of rules) if (pathMatches(prefix, path)) return decision;
    }
    const dot = suffix.indexOf('.');
    if (dot === -1) return NO_TOOL;
    suffix = suffix.slice(dot + 1);
  }
}
