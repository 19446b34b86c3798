/**
 * Match patterns: `host` or `host/path/prefix` in canonical form
 * (docs/spec/policy-format.md "Patterns"). A pattern's host matches itself and every
 * subdomain; its path matches the same path or one that continues after `/`.
 */
import { isIpHost, normalizePath, stripTrailingDots } from './url';

export interface ParsedPattern {
  /** Canonical host, without a leading `*.`. */
  readonly host: string;
  /** Canonical path prefix without a trailing `/`; `''` for a whole host. */
  readonly path: string;
}

export type PatternCheck =
  { readonly ok: true; readonly pattern: ParsedPattern } | { readonly ok: false; readonly reason: string };

/** Canonical paths are printable ASCII (docs/spec/policy-format.md "Patterns"), and hold no escape or backslash. */
const FORBIDDEN_IN_PATH = /[^\x21-\x7e]|[%\\]/u;

/**
 * Checks that a pattern is canonical. When it is not, the reason gives the
 * canonical spelling whenever one exists, so IT can fix it by copying.
 */
export function checkPattern(pattern: string): PatternCheck {
  const canonical = canonicalizePattern(pattern);
  if (!canonical.ok) return canonical;
  const written = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  const expected = formatPattern(canonical.pattern);
  if (written !== expected) {
    return { ok: false, reason: `"${pattern}" is not in canonical form; write "${expected}"` };
  }
  return canonical;
}

/** The canonical form of whatever a person might write: `https://Bing.com/Chat/` → `bing.com/chat`. */
export function canonicalizePattern(pattern: string): PatternCheck {
  if (pattern.trim() === '') return { ok: false, reason: 'a pattern cannot be empty' };
  const withoutScheme = pattern.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const withoutWildcard = withoutScheme.startsWith('*.') ? withoutScheme.slice(2) : withoutScheme;
  if (withoutWildcard.includes('*')) {
    return {
      ok: false,
      reason: `"${pattern}" has a "*" other than a leading "*."; a host already matches all its subdomains`,
    };
  }
  let url: URL;
  try {
    url = new URL(`https://${withoutWildcard}`);
  } catch {
    return { ok: false, reason: `"${pattern}" is not a host or host/path` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: `"${pattern}" holds user info; a pattern is a host or host/path` };
  }
  const host = stripTrailingDots(url.hostname);
  if (isIpHost(host)) return { ok: false, reason: `"${pattern}" is an IP address; patterns name hosts` };
  const labels = host.split('.');
  if (labels.length < 2 || labels.some((label) => label === '')) {
    return { ok: false, reason: `"${pattern}" needs a host of at least two labels, such as "example.com"` };
  }
  let path = normalizePath(url.pathname);
  if (path.endsWith('/')) path = path.slice(0, -1);
  if (FORBIDDEN_IN_PATH.test(path)) {
    return {
      ok: false,
      reason: `"${pattern}" has a space, "%", "\\" or a non-ASCII character in its path; patterns are printable ASCII`,
    };
  }
  return { ok: true, pattern: { host, path } };
}

export function formatPattern(pattern: ParsedPattern): string {
  return pattern.host + pattern.path;
}

/** A path prefix matches the same path, or one that continues after a `/`. */
export function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 0x2f;
}
