/**
 * Parsing a policy at a trust boundary: structure by the zod schema, then the
 * cross-field rules of docs/spec/policy-format.md "Errors and warnings". Every problem
 * names its JSON path and says what is wrong in plain words.
 */
import type * as z from 'zod/mini';
import type { Catalog } from './catalog';
import { parseJsonText } from '../json-text';
import { checkPattern } from './pattern';
import { compile, type PolicyIndex } from './compile';
import { decide } from './decide';
import { PolicySchema, type Policy } from './schema';

export interface Problem {
  /** JSON path such as `rules[3].redirectTo`; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

export type PolicyResult =
  | { readonly ok: true; readonly policy: Policy; readonly index: PolicyIndex; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly errors: readonly Problem[]; readonly warnings: readonly Problem[] };

export function formatProblem(problem: Problem): string {
  return `${problem.path === '' ? '(policy)' : problem.path}: ${problem.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * The most a policy may be, in UTF-8 bytes: what the extension fetches at most (platform/policy-fetch.ts). A policy is
 * small; `daylight validate`, `sign` and `serve` refuse a bigger one rather than publish what no browser takes.
 */
export const MAX_POLICY_BYTES = 1 << 20;

const COUNT = new Intl.NumberFormat('en-US');

/** Parses policy JSON text (managed `policy`, a fetched file, a file on disk). */
export function parsePolicyText(text: string, catalog: Catalog): PolicyResult {
  // A UTF-16 code unit is at most 3 bytes in UTF-8: shorter texts need no count.
  const bytes = text.length * 3 > MAX_POLICY_BYTES ? new TextEncoder().encode(text).length : 0;
  if (bytes > MAX_POLICY_BYTES) {
    const message = `is ${COUNT.format(bytes)} bytes, over the ${COUNT.format(MAX_POLICY_BYTES)} (1 MiB) that the extension accepts`;
    return { ok: false, errors: [{ path: '', message }], warnings: [] };
  }
  const json = parseJsonText(text);
  if (!json.ok) return { ok: false, errors: [{ path: '', message: `not valid JSON: ${json.message}` }], warnings: [] };
  return parsePolicy(json.value, catalog);
}

export function parsePolicy(input: unknown, catalog: Catalog): PolicyResult {
  const warnings: Problem[] = [];
  collectUnknownFields(PolicySchema, input, [], warnings);
  const parsed = PolicySchema.safeParse(input, { reportInput: true });
  // Cross-field errors are looked for even when the structure is wrong, so IT sees every error in one run.
  const errors = [...(parsed.success ? [] : parsed.error.issues.map(issueToProblem)), ...crossFieldErrors(input)];
  if (!parsed.success || errors.length > 0) return { ok: false, errors, warnings };
  const policy = parsed.data;
  const index = compile(policy, catalog);
  warnings.push(...crossFieldWarnings(policy, catalog, index));
  return { ok: true, policy, index, warnings };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${JSON.stringify(value) ?? ''}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function issueToProblem(issue: z.core.$ZodIssue): Problem {
  const path = formatPath(issue.path);
  if (issue.input === undefined) return { path, message: 'is required' };
  if (issue.code === 'invalid_type' && issue.message === 'Invalid input') {
    const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
    return { path, message: `must be ${expected}, not ${describeValue(issue.input)}` };
  }
  // Saying what was found next to what is allowed makes a typo easy to spot.
  if (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') {
    return { path, message: `${issue.message}, not ${describeValue(issue.input)}` };
  }
  return { path, message: issue.message };
}

/** zod strips unknown keys silently; they are warnings so a newer policy still works on an older release. */
function collectUnknownFields(schema: z.core.$ZodType, value: unknown, path: PropertyKey[], out: Problem[]): void {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
      collectUnknownFields((def as z.core.$ZodOptionalDef).innerType, value, path, out);
      return;
    case 'array':
      if (Array.isArray(value)) {
        const element = (def as z.core.$ZodArrayDef).element;
        value.forEach((item, i) => collectUnknownFields(element, item, [...path, i], out));
      }
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      const shape = (def as z.core.$ZodObjectDef).shape;
      for (const [key, item] of Object.entries(value)) {
        // Own keys only: `constructor` or `toString` in a policy are unknown fields, not Object.prototype's.
        const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
        if (field === undefined) {
          out.push({
            path: formatPath([...path, key]),
            message: 'unknown field, ignored (a newer release may use it)',
          });
        } else {
          collectUnknownFields(field, item, [...path, key], out);
        }
      }
      return;
    }
    default:
      return;
  }
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

function duplicateIdErrors(list: readonly unknown[], name: string): Problem[] {
  const firstAt = new Map<string, number>();
  const errors: Problem[] = [];
  list.forEach((entry, i) => {
    const id = field(entry, 'id');
    if (typeof id !== 'string') return;
    const earlier = firstAt.get(id);
    if (earlier === undefined) firstAt.set(id, i);
    else errors.push({ path: `${name}[${i}].id`, message: `duplicate id "${id}" (also ${name}[${earlier}])` });
  });
  return errors;
}

/** The errors no single field can see; read from the raw document, so they show up beside structural errors. */
function crossFieldErrors(input: unknown): Problem[] {
  const tools = asList(field(input, 'tools'));
  const sanctioned = asList(field(input, 'sanctioned'));
  const errors = [...duplicateIdErrors(tools, 'tools'), ...duplicateIdErrors(sanctioned, 'sanctioned')];
  const sanctionedIds = new Set(sanctioned.map((entry) => field(entry, 'id')));
  asList(field(input, 'rules')).forEach((rule, i) => {
    // A rule of the wrong type, or a null tool or category, already has its structural error.
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return;
    const tool = field(rule, 'tool');
    const category = field(rule, 'category');
    if (tool != null && category != null) {
      errors.push({ path: `rules[${i}]`, message: 'has both "tool" and "category"; a rule names exactly one of them' });
    } else if (tool === undefined && category === undefined) {
      errors.push({ path: `rules[${i}]`, message: 'needs "tool" or "category" to say what it applies to' });
    }
    const redirectTo = field(rule, 'redirectTo');
    if (typeof redirectTo === 'string' && !sanctionedIds.has(redirectTo)) {
      errors.push({ path: `rules[${i}].redirectTo`, message: `no sanctioned tool with id "${redirectTo}"` });
    }
  });
  return errors;
}

// Long: one short check after another, in the order of the warnings table of docs/spec/policy-format.md.
function crossFieldWarnings(policy: Policy, catalog: Catalog, index: PolicyIndex): Problem[] {
  const warnings: Problem[] = [];
  const catalogIds = new Set(policy.catalog === 'bundled' ? catalog.tools.map((t) => t.id) : []);
  const policyToolIds = new Set(policy.tools.map((t) => t.id));
  const sanctionedIds = new Set(policy.sanctioned.map((s) => s.id));
  const catalogName =
    policy.catalog === 'bundled' ? 'the policy or the bundled catalog' : 'the policy (the catalog is off)';

  policy.rules.forEach((rule, i) => {
    const named =
      rule.tool === undefined
        ? []
        : typeof rule.tool === 'string'
          ? [[rule.tool, `rules[${i}].tool`]]
          : rule.tool.map((id, k) => [id, `rules[${i}].tool[${k}]`]);
    for (const [id, path] of named as [string, string][]) {
      if (sanctionedIds.has(id) && !policyToolIds.has(id) && !catalogIds.has(id)) {
        warnings.push({
          path,
          message: `"${id}" is a sanctioned tool, which is always allowed; this rule never applies to it`,
        });
      } else if (!policyToolIds.has(id) && !catalogIds.has(id)) {
        warnings.push({ path, message: `no tool with id "${id}" in ${catalogName}; the rule applies to nothing` });
      }
    }
    if (Array.isArray(rule.tool) && rule.tool.length === 0) {
      warnings.push({ path: `rules[${i}].tool`, message: 'is an empty list; the rule applies to nothing' });
    }
    if (rule.redirectTo !== undefined && rule.action !== 'redirect') {
      warnings.push({
        path: `rules[${i}].redirectTo`,
        message: `is ignored: the action is "${rule.action}", not "redirect"`,
      });
    }
  });

  const fellBack = new Map<string, string[]>();
  for (const entry of index.serialized.entries) {
    if (!entry.redirectFellBack) continue;
    const path = entry.origin.kind === 'rule' ? `rules[${entry.origin.index}]` : 'defaultAction';
    const ids = fellBack.get(path) ?? [];
    ids.push(entry.id);
    fellBack.set(path, ids);
  }
  for (const [path, ids] of fellBack) {
    const shown = ids
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(', ');
    const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
    warnings.push({
      path,
      message: `redirect has no target for ${shown}${more} (no redirectTo, and no sanctioned tool lists that category); it warns instead`,
    });
  }

  const knownToolIds = new Set([...policyToolIds, ...catalogIds]);
  policy.sanctioned.forEach((entry, i) => {
    if (knownToolIds.has(entry.id)) {
      const where = policyToolIds.has(entry.id) ? 'a tool of the policy' : 'a tool of the bundled catalog';
      warnings.push({
        path: `sanctioned[${i}].id`,
        message: `"${entry.id}" is also the id of ${where}; use distinct ids`,
      });
    }
  });

  const claimedBy = new Map<string, string>();
  policy.tools.forEach((tool, i) => {
    tool.match.forEach((pattern, k) => {
      const check = checkPattern(pattern);
      if (!check.ok) return;
      const key = check.pattern.host + check.pattern.path;
      const earlier = claimedBy.get(key);
      if (earlier === undefined) claimedBy.set(key, `tools[${i}] ("${tool.id}")`);
      else if (!earlier.endsWith(`("${tool.id}")`)) {
        warnings.push({
          path: `tools[${i}].match[${k}]`,
          message: `"${pattern}" is also claimed by ${earlier}; the earlier wins`,
        });
      }
    });
  });

  const targets = new Set(
    index.serialized.entries.flatMap((entry) => (entry.redirectTo === null ? [] : [entry.redirectTo])),
  );
  policy.sanctioned.forEach((entry, i) => {
    if (!targets.has(entry.url)) return;
    const decision = decide(index, entry.url);
    if (decision.action !== 'allow') {
      warnings.push({
        path: `sanctioned[${i}].url`,
        message: `is a redirect target that itself decides "${decision.action}" (tool "${decision.tool ?? ''}"); people would be sent in a loop`,
      });
    }
  });
  return warnings;
}
