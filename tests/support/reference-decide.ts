/**
 * A deliberately naive decide(), written straight from docs/spec/policy-format.md
 * "Deciding a URL": a linear scan of every pattern of every entry, no index,
 * no shared code with lib/ beyond the parsed policy. The property tests check
 * that the real decide() agrees with it on random policies and URLs.
 */
import type { Catalog } from '../../lib/policy/catalog';
import type { Policy } from '../../lib/policy/schema';

export interface ReferenceDecision {
  action: string;
  tool: string | null;
  category: string | null;
  redirectTo: string | null;
}

const NONE: ReferenceDecision = { action: 'allow', tool: null, category: null, redirectTo: null };

function decodeOnce(path: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const escape = path.slice(i + 1, i + 3);
    if (path[i] === '%' && /^[0-9a-fA-F]{2}$/.test(escape)) {
      bytes.push(parseInt(escape, 16));
      i += 2;
    } else {
      const cp = path.codePointAt(i) as number;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      if (cp > 0xffff) i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Step 3's first reading: decoded, lowercased, split at `/` and `\\`, each segment cut at `;`, dots resolved. */
function normalize(path: string): string {
  const segments = decodeOnce(path)
    .toLowerCase()
    .split(/[/\\]/)
    .slice(1)
    .map((segment) => segment.split(';')[0] as string);
  const out: string[] = [];
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '' && !last) return;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else out.push(segment);
  });
  return '/' + out.join('/');
}

/** Step 3's second reading, for a path with an encoded `/` or `\\`, or a segment that is `;`, `.;` or `..;` before its parameters. */
function literalReading(path: string): string | null {
  const ambiguous = /%2f|%5c/i.test(path) || path.split('/').some((segment) => /^(\.|%2e){0,2}(;|%3b)/i.test(segment));
  if (!ambiguous) return null;
  const segments = path
    .split('/')
    .map((segment) => decodeOnce(segment).toLowerCase().split(';')[0] as string)
    .filter((segment) => segment !== '');
  return '/' + segments.join('/');
}

export function referenceDecide(policy: Policy, catalog: Catalog, input: string): ReferenceDecision | 'error' {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return 'error';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return NONE;
  const host = url.hostname.replace(/\.+$/, '');
  if (host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return NONE;
  const first = decideOnPath(policy, catalog, host, normalize(url.pathname));
  const literal = literalReading(url.pathname);
  if (literal === null) return first;
  const second = decideOnPath(policy, catalog, host, literal);
  const rank = (action: string): number => RANK[action] ?? 0;
  return rank(second.action) > 0 && rank(second.action) >= rank(first.action) ? second : first;
}

/** allow and monitor are no nudge; then warn, redirect, block. */
const RANK: Readonly<Record<string, number>> = { allow: 0, monitor: 0, warn: 1, redirect: 2, block: 3 };

/** Steps 4 to 8 for one reading of the path. */
function decideOnPath(policy: Policy, catalog: Catalog, host: string, path: string): ReferenceDecision {
  type Entry = { kind: 'sanctioned' | 'tool'; id: string; category: string | null; patterns: string[] };
  const entries: Entry[] = [];
  for (const s of policy.sanctioned) {
    const patterns = s.match ?? [new URL(s.url).hostname.replace(/\.+$/, '')];
    entries.push({ kind: 'sanctioned', id: s.id, category: s.categories?.[0] ?? null, patterns });
  }
  const tools = [...policy.tools];
  if (policy.catalog === 'bundled') {
    for (const t of catalog.tools) if (!policy.tools.some((p) => p.id === t.id)) tools.push(t);
  }
  for (const t of tools) entries.push({ kind: 'tool', id: t.id, category: t.category, patterns: t.match });

  let best: { entry: Entry; labels: number; pathLength: number; position: number } | null = null;
  entries.forEach((entry, position) => {
    for (const pattern of entry.patterns) {
      const bare = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
      const slash = bare.indexOf('/');
      const patternHost = slash === -1 ? bare : bare.slice(0, slash);
      const patternPath = slash === -1 ? '' : bare.slice(slash);
      const hostMatches = host === patternHost || host.endsWith('.' + patternHost);
      const pathMatches = patternPath === '' || path === patternPath || path.startsWith(patternPath + '/');
      if (!hostMatches || !pathMatches) continue;
      const candidate = { entry, labels: patternHost.split('.').length, pathLength: patternPath.length, position };
      const better =
        best === null ||
        candidate.labels > best.labels ||
        (candidate.labels === best.labels && candidate.pathLength > best.pathLength) ||
        (candidate.labels === best.labels &&
          candidate.pathLength === best.pathLength &&
          entry.kind === 'sanctioned' &&
          best.entry.kind === 'tool') ||
        (candidate.labels === best.labels &&
          candidate.pathLength === best.pathLength &&
          entry.kind === best.entry.kind &&
          position < best.position);
      if (better) best = candidate;
    }
  });
  if (best === null) return NONE;
  const winner = (best as { entry: Entry }).entry;
  if (winner.kind === 'sanctioned')
    return { action: 'allow', tool: winner.id, category: winner.category, redirectTo: null };

  const rule =
    policy.rules.find((r) => r.tool === winner.id || (Array.isArray(r.tool) && r.tool.includes(winner.id))) ??
    policy.rules.find((r) => r.category === winner.category) ??
    policy.rules.find((r) => r.category === '*');
  const action = rule?.action ?? policy.defaultAction;
  if (action !== 'redirect') return { action, tool: winner.id, category: winner.category, redirectTo: null };
  const target =
    policy.sanctioned.find((s) => rule?.redirectTo !== undefined && s.id === rule.redirectTo) ??
    policy.sanctioned.find((s) => s.categories?.includes(winner.category as never) === true);
  if (target === undefined) return { action: 'warn', tool: winner.id, category: winner.category, redirectTo: null };
  return { action: 'redirect', tool: winner.id, category: winner.category, redirectTo: target.url };
}
