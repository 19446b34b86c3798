/**
 * decide(index, url): policy-format.md "Deciding a URL". The hot path is one
 * WHATWG parse and a map lookup per host label; the path is normalized only
 * when a host with path-scoped patterns is reached.
 */
import { normalizePath, isIpHost, stripTrailingDots } from '../url';
import { pathMatches } from '../pattern';
import type { Decision, PolicyIndex } from './compile';

/** A URL the WHATWG parser rejects: an error, never silently allowed (step 1). */
export class InvalidUrlError extends Error {
  constructor(readonly input: string) {
    super('not a valid URL');
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

export function decide(index: PolicyIndex, input: string): Decision {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidUrlError(input);
  }
  const protocol = url.protocol;
  if (protocol !== 'https:' && protocol !== 'http:') return NO_TOOL;
  return decideHost(index, stripTrailingDots(url.hostname), url);
}

/** Steps 2–4 on a parsed http(s) URL: the most specific pattern wins, walking from the full host to its parents. */
export function decideHost(index: PolicyIndex, host: string, url: URL): Decision {
  if (host === '' || isIpHost(host)) return NO_TOOL;
  let path: string | null = null;
  let suffix = host;
  for (;;) {
    const rules = index.hosts.get(suffix);
    if (rules !== undefined) {
      for (const [prefix, decision] of rules) {
        if (prefix === '') return decision;
        path ??= normalizePath(url.pathname);
        if (pathMatches(prefix, path)) return decision;
      }
    }
    const dot = suffix.indexOf('.');
    if (dot === -1) return NO_TOOL;
    suffix = suffix.slice(dot + 1);
  }
}
