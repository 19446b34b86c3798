/**
 * compile(policy, catalog) builds the matcher index once; decide() then answers
 * each URL with a few map lookups. The index serializes to JSON with a format
 * version, so a woken service worker loads it instead of recompiling
 * (ARCHITECTURE.md "Compile once"); an index of another version is rebuilt, never misread.
 */
import type { Catalog } from './catalog';
import { checkPattern } from './pattern';
import { isIpHost, stripTrailingDots } from './url';
import type { Action, Category, Policy, Rule, Sanctioned, Tool } from './schema';

export const INDEX_FORMAT_VERSION = 1;

export interface Alternative {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly description: string | null;
}

export interface TrainingLink {
  readonly title: string;
  readonly url: string;
}

export interface Decision {
  readonly action: Action;
  /** The matched tool or sanctioned entry, or null when no pattern matched. */
  readonly tool: string | null;
  readonly toolName: string | null;
  readonly category: Category | null;
  /** True when a sanctioned entry won. */
  readonly sanctioned: boolean;
  /** The redirect target exactly as the policy writes it; null unless action is `redirect`. */
  readonly redirectTo: string | null;
  readonly message: string | null;
  /** Sanctioned tools for the tool's category. */
  readonly alternatives: readonly Alternative[];
  /** Training links for the tool's category. */
  readonly training: readonly TrainingLink[];
}

/** Where a decision came from, for `daylight validate` warnings. */
export type DecisionOrigin =
  { readonly kind: 'sanctioned' } | { readonly kind: 'rule'; readonly index: number } | { readonly kind: 'default' };

export interface CompiledEntry {
  readonly id: string;
  readonly name: string;
  readonly category: Category | null;
  readonly sanctioned: boolean;
  readonly action: Action;
  readonly redirectTo: string | null;
  /** The rule (or default) that decided; the message is its rule's, kept once in ruleMessages. */
  readonly origin: DecisionOrigin;
  /** True when the rule asked for `redirect` and no target exists, so the entry warns instead. */
  readonly redirectFellBack: boolean;
}

/** A pattern of the index: the path prefix ('' for the whole host) and the entry it belongs to. */
export type HostRule = readonly [path: string, entry: number];

/** The JSON form. Hosts map to their rules, longest path first, then in entry order. */
export interface SerializedIndex {
  readonly formatVersion: number;
  readonly revision: string;
  readonly catalogVersion: string | null;
  readonly entries: readonly CompiledEntry[];
  /** The message of each policy rule, by rule index. */
  readonly ruleMessages: readonly (string | null)[];
  readonly hosts: Readonly<Record<string, readonly HostRule[]>>;
  readonly sanctioned: readonly (Alternative & { readonly categories: readonly Category[] })[];
  readonly training: readonly (TrainingLink & { readonly categories: readonly Category[] | null })[];
}

export interface PolicyIndex {
  readonly serialized: SerializedIndex;
  readonly hosts: ReadonlyMap<string, readonly (readonly [path: string, decision: Decision])[]>;
  /** One decision per entry, in entry order. */
  readonly decisions: readonly Decision[];
}

export function compile(policy: Policy, catalog: Catalog): PolicyIndex {
  return loadCompiled(compileToJson(policy, catalog));
}

function compileToJson(policy: Policy, catalog: Catalog): SerializedIndex {
  const useCatalog = policy.catalog === 'bundled';
  const policyToolIds = new Set(policy.tools.map((tool) => tool.id));
  const catalogTools = useCatalog ? catalog.tools.filter((tool) => !policyToolIds.has(tool.id)) : [];
  const tools: readonly Tool[] = [...policy.tools, ...catalogTools];

  const entries: CompiledEntry[] = [];
  const patternsByEntry: (readonly string[])[] = [];
  for (const entry of policy.sanctioned) {
    entries.push(compileSanctioned(entry));
    patternsByEntry.push(entry.match ?? defaultSanctionedMatch(entry.url));
  }
  for (const tool of tools) {
    entries.push(compileTool(tool, policy));
    patternsByEntry.push(tool.match);
  }

  const hosts = new Map<string, HostRule[]>();
  patternsByEntry.forEach((patterns, entry) => {
    for (const pattern of patterns) {
      const check = checkPattern(pattern);
      if (!check.ok) continue;
      const { host, path } = check.pattern;
      const rules = hosts.get(host) ?? [];
      if (!rules.some(([p, e]) => p === path && e === entry)) rules.push([path, entry]);
      hosts.set(host, rules);
    }
  });
  const sortedHosts: Record<string, readonly HostRule[]> = {};
  for (const host of [...hosts.keys()].sort()) {
    const rules = hosts.get(host) ?? [];
    sortedHosts[host] = rules.sort((a, b) => b[0].length - a[0].length || a[1] - b[1]);
  }

  return {
    formatVersion: INDEX_FORMAT_VERSION,
    revision: policy.revision,
    catalogVersion: useCatalog ? catalog.catalogVersion : null,
    entries,
    ruleMessages: policy.rules.map((rule) => rule.message ?? null),
    hosts: sortedHosts,
    sanctioned: policy.sanctioned.map((entry) => ({ ...toAlternative(entry), categories: entry.categories ?? [] })),
    training: policy.training.map((link) => ({
      title: link.title,
      url: link.url,
      categories: link.categories ?? null,
    })),
  };
}

/** A sanctioned entry without `match` matches the host of its `url`. */
function defaultSanctionedMatch(url: string): readonly string[] {
  try {
    const host = stripTrailingDots(new URL(url).hostname);
    return host.includes('.') && !isIpHost(host) ? [host] : [];
  } catch {
    return [];
  }
}

function compileSanctioned(entry: Sanctioned): CompiledEntry {
  return {
    id: entry.id,
    name: entry.name,
    category: entry.categories?.[0] ?? null,
    sanctioned: true,
    action: 'allow',
    redirectTo: null,
    origin: { kind: 'sanctioned' },
    redirectFellBack: false,
  };
}

function ruleNamesTool(rule: Rule, id: string): boolean {
  return typeof rule.tool === 'string' ? rule.tool === id : rule.tool?.includes(id) === true;
}

/** "Deciding a URL" steps 6 and 7, once per tool. */
function compileTool(tool: Tool, policy: Policy): CompiledEntry {
  const { rules } = policy;
  let index = rules.findIndex((rule) => ruleNamesTool(rule, tool.id));
  if (index === -1) index = rules.findIndex((rule) => rule.category === tool.category);
  if (index === -1) index = rules.findIndex((rule) => rule.category === '*');
  const rule = rules[index];
  const requested: Action = rule?.action ?? policy.defaultAction;
  let redirectTo: string | null = null;
  if (requested === 'redirect') {
    const named = rule?.redirectTo === undefined ? undefined : policy.sanctioned.find((s) => s.id === rule.redirectTo);
    const byCategory = policy.sanctioned.find((s) => s.categories?.includes(tool.category) === true);
    redirectTo = (named ?? byCategory)?.url ?? null;
  }
  const fellBack = requested === 'redirect' && redirectTo === null;
  return {
    id: tool.id,
    name: tool.name,
    category: tool.category,
    sanctioned: false,
    action: fellBack ? 'warn' : requested,
    redirectTo,
    origin: rule === undefined ? { kind: 'default' } : { kind: 'rule', index },
    redirectFellBack: fellBack,
  };
}

function toAlternative(entry: Sanctioned): Alternative {
  return { id: entry.id, name: entry.name, url: entry.url, description: entry.description ?? null };
}

/** Rebuilds the runtime index from its JSON form; null when the format is not this build's. */
export function loadIndex(json: unknown): PolicyIndex | null {
  if (typeof json !== 'object' || json === null) return null;
  if ((json as { formatVersion?: unknown }).formatVersion !== INDEX_FORMAT_VERSION) return null;
  return loadCompiled(json as SerializedIndex);
}

export function serializeIndex(index: PolicyIndex): string {
  return JSON.stringify(index.serialized);
}

/** Builds each value once per key. */
function memoize<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    if (!made.has(key)) made.set(key, make(key));
    return made.get(key) as V;
  };
}

function loadCompiled(serialized: SerializedIndex): PolicyIndex {
  const alternativesFor = memoize((category: Category | null): readonly Alternative[] =>
    Object.freeze(
      serialized.sanctioned
        .filter((s) => category !== null && s.categories.includes(category))
        .map(({ id, name, url, description }) => Object.freeze({ id, name, url, description })),
    ),
  );
  // Training without categories is for every tool, including a sanctioned one without categories.
  const trainingFor = memoize((category: Category | null): readonly TrainingLink[] =>
    Object.freeze(
      serialized.training
        .filter((t) => t.categories === null || (category !== null && t.categories.includes(category)))
        .map(({ title, url }) => Object.freeze({ title, url })),
    ),
  );
  const decisions = serialized.entries.map((entry): Decision => {
    const category = entry.category;
    const alternatives = entry.sanctioned ? [] : alternativesFor(category);
    const training = trainingFor(category);
    return Object.freeze({
      action: entry.action,
      tool: entry.id,
      toolName: entry.name,
      category,
      sanctioned: entry.sanctioned,
      redirectTo: entry.redirectTo,
      message: entry.origin.kind === 'rule' ? (serialized.ruleMessages[entry.origin.index] ?? null) : null,
      alternatives,
      training,
    });
  });
  const hosts = new Map<string, readonly (readonly [string, Decision])[]>();
  for (const [host, rules] of Object.entries(serialized.hosts)) {
    hosts.set(
      host,
      rules.map(([path, entry]) => [path, decisions[entry] as Decision] as const),
    );
  }
  return { serialized, hosts, decisions };
}
