/**
 * The policy schema, version 1: docs/spec/policy-format.md as zod. The inferred types
 * are the types; `policies/policy.schema.json` is generated from here
 * (scripts/gen-schema.mjs). zod/mini keeps the extension's bundle small.
 */
import * as z from 'zod/mini';
import { checkPattern } from './pattern';
import { isLoopbackHost } from './url';

export const CATEGORIES = [
  'chat',
  'coding',
  'image',
  'video',
  'audio',
  'writing',
  'search',
  'meeting',
  'productivity',
  'agent',
  'companion',
  'developer-platform',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const ACTIONS = ['allow', 'monitor', 'warn', 'redirect', 'block'] as const;
export type Action = (typeof ACTIONS)[number];

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

const quoted = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

export const IdSchema = z
  .string()
  .check(z.regex(ID_PATTERN, 'must be 1–64 lowercase letters, digits or "-", starting with a letter or digit'));

export const CategorySchema = z.enum(CATEGORIES, `must be one of ${quoted(CATEGORIES)}`);
export const ActionSchema = z.enum(ACTIONS, `must be one of ${quoted(ACTIONS)}`);

const intRange = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.int(message).check(z.gte(min, message), z.lte(max, message));
};

/** Documentation for IT, carried into policies/policy.schema.json. */
const describe = <T extends z.ZodMiniType>(schema: T, description: string, extra: Record<string, unknown> = {}): T => {
  // A copy, so that shared schemas (ids, names) keep a description of their own at each use.
  const described = schema.clone();
  z.globalRegistry.add(described, { description, ...extra });
  return described;
};

/** https, or http for a loopback host (docs/spec/policy-format.md "Errors and warnings"). */
export function checkWebUrl(value: string, placeholders: readonly string[] = []): string | null {
  let text = value;
  for (const placeholder of placeholders) text = text.split(placeholder).join('x');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${value}" is not a valid URL`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  if (url.protocol === 'http:') return `"${value}" must use https (http only for a loopback host such as localhost)`;
  return `"${value}" must be an https URL`;
}

const webUrl = (description: string, placeholders: readonly string[] = []) =>
  describe(
    z.string().check(
      z.superRefine((value, ctx) => {
        const problem = checkWebUrl(value, placeholders);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: value });
      }),
    ),
    `${description} (https; http only for a loopback host)`,
    // {tool} and {host} make requestAccessUrl an RFC 6570 template rather than a plain URI.
    { format: placeholders.length > 0 ? 'uri-template' : 'uri' },
  );

export const PatternSchema = z
  .string()
  .check(
    z.superRefine((value, ctx) => {
      const check = checkPattern(value);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason, input: value });
    }),
  )
  .register(z.globalRegistry, {
    id: 'Pattern',
    description:
      'A host or host/path/prefix in canonical form: lowercase ASCII (IDN in punycode), at least two labels, no scheme, port, query, trailing dot or trailing "/". An optional leading "*." means the same as the bare host. The host matches itself and every subdomain; the path matches itself and what continues it after "/".',
    // Editors get this approximation; checkPattern() is the authority and names the canonical form.
    pattern: '^(\\*\\.)?[a-z0-9_-]+(\\.[a-z0-9_-]+)+(/[^/\\s?#%\\\\A-Z]+)*$',
  });

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 date-time, `Z` or an offset, and a real calendar date and time, without a leap second. */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetOk &&
    // What passes is compared as Date.parse reads it (source.ts): nothing that reads as NaN, which no comparison
    // would ever find older.
    Number.isFinite(Date.parse(value))
  );
}

/** A leap second (`:60`, which RFC 3339 allows): refused, since no JavaScript date can hold it. */
const isLeapSecond = (value: string): boolean => RFC3339.exec(value)?.[6] === '60';

const nonEmpty = z.string().check(z.minLength(1, 'must not be empty'));

export const ToolSchema = z.object({
  id: describe(IdSchema, "Stable id; a tool with a catalog tool's id replaces that catalog tool."),
  name: describe(nonEmpty, 'Name shown to people.'),
  vendor: z.optional(z.string()),
  category: CategorySchema,
  match: describe(
    z.array(PatternSchema).check(z.minLength(1, 'needs at least one pattern')),
    'Hosts and host/path prefixes of the tool.',
  ),
  homepage: z.optional(webUrl("The tool's homepage")),
  source: z.optional(describe(z.string(), 'Where the entry was verified.')),
});
export type Tool = z.infer<typeof ToolSchema>;

export const SanctionedSchema = z.object({
  id: IdSchema,
  name: describe(nonEmpty, 'Name shown to people on nudges and in the popup.'),
  url: webUrl('Where people open the approved tool; also the redirect target'),
  description: z.optional(describe(z.string(), 'One line on what it is approved for.')),
  categories: z.optional(describe(z.array(CategorySchema), 'Categories it is the approved alternative for.')),
  match: z.optional(describe(z.array(PatternSchema), 'Patterns that count as this tool; default: the host of url.')),
});
export type Sanctioned = z.infer<typeof SanctionedSchema>;

export const RuleSchema = describe(
  z.object({
    tool: z.optional(z.union([IdSchema, z.array(IdSchema)], 'must be a tool id or a list of tool ids')),
    category: z.optional(z.union([CategorySchema, z.literal('*')], `must be "*" or one of ${quoted(CATEGORIES)}`)),
    action: ActionSchema,
    message: z.optional(
      describe(z.string().check(z.maxLength(500, 'must be at most 500 characters')), 'Plain text shown on the nudge.'),
    ),
    redirectTo: z.optional(describe(IdSchema, 'The id of a sanctioned entry to send people to.')),
  }),
  'Exactly one of tool or category. A tool rule beats a category rule, which beats "*"; the first match wins.',
);
export type Rule = z.infer<typeof RuleSchema>;

export const TrainingSchema = z.object({
  title: nonEmpty,
  url: webUrl('The training page'),
  categories: z.optional(describe(z.array(CategorySchema), 'Categories it is shown for; default: all.')),
});
export type Training = z.infer<typeof TrainingSchema>;

export const OrganizationSchema = z.object({
  name: z.optional(describe(z.string(), 'Shown as who set the policy.')),
  supportUrl: z.optional(webUrl('Where people get help')),
  requestAccessUrl: z.optional(
    webUrl('Where people ask for a tool to be approved; {tool} and {host} are replaced, URL-encoded', [
      '{tool}',
      '{host}',
    ]),
  ),
});
export type Organization = z.infer<typeof OrganizationSchema>;

export const WarnSchema = z.object({
  snoozeMinutes: z._default(
    describe(intRange(0, 10080), 'How long "continue" lasts for that tool; 0 asks every time.'),
    60,
  ),
  requireReason: z._default(describe(z.boolean(), 'Whether people must give a reason to continue.'), false),
});

export const ReportingSchema = z.object({
  url: webUrl('Where usage counts are uploaded (docs/spec/report-protocol.md)'),
  intervalMinutes: z._default(intRange(60, 10080), 1440),
});

export const PolicySchema = z
  .object({
    schemaVersion: z.literal(1, 'must be 1 (this release reads schema version 1)'),
    revision: describe(
      z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(64, 'must be at most 64 characters')),
      'Shown in the popup, the options page and usage reports.',
    ),
    issuedAt: z.optional(
      describe(
        z.string().check(
          z.refine((value) => !isLeapSecond(value), 'must not be a leap second (:60); write :59'),
          z.refine(
            (value) => isLeapSecond(value) || isRfc3339(value),
            'must be an RFC 3339 date-time such as "2026-11-26T09:00:00Z"',
          ),
        ),
        'Rollback protection: a fetched policy older than the fetched policy in force is refused.',
        { format: 'date-time' },
      ),
    ),
    audience: z.optional(
      describe(
        webUrl('The policyUrl this policy is meant for'),
        'Replay protection: a browser whose managed policyUrl is another URL refuses the policy.',
      ),
    ),
    organization: z.prefault(OrganizationSchema, {}),
    catalog: z._default(
      describe(
        z.enum(['bundled', 'none'], 'must be "bundled" or "none"'),
        'Whether the bundled catalog of AI tools is in effect.',
      ),
      'bundled',
    ),
    tools: z._default(z.array(ToolSchema), []),
    sanctioned: z._default(z.array(SanctionedSchema), []),
    rules: z._default(z.array(RuleSchema), []),
    defaultAction: z._default(describe(ActionSchema, 'For a known tool that no rule covers.'), 'warn'),
    training: z._default(z.array(TrainingSchema), []),
    warn: z.prefault(WarnSchema, {}),
    reporting: z.optional(ReportingSchema),
    refreshMinutes: z._default(describe(intRange(15, 10080), 'How often a fetched policy is refreshed.'), 60),
  })
  .register(z.globalRegistry, {
    title: 'Daylight policy',
    description: 'What Daylight does when people open AI tools. See docs/spec/policy-format.md.',
  });

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
