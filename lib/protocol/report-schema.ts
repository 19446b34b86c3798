/**
 * The usage report upload body, protocol version 1 (docs/spec/report-protocol.md "Upload"),
 * as zod: the extension builds bodies with these types and the collector
 * parses them with `parseReport` at its trust boundary. Unknown fields are
 * dropped, not refused, so a newer extension can talk to an older collector.
 */
import * as z from 'zod/mini';
import { ID_PATTERN } from '../policy/schema';
import { formatPath } from '../policy/validate';

/** A body over this many bytes is never sent, and the collector answers 413 to it. */
export const MAX_REPORT_BYTES = 65_536;
export const MAX_COUNTS = 5_000;
export const MAX_N = 1_000_000;
/** docs/spec/report-protocol.md "What is counted", in the protocol's order. */
export const REPORT_EVENTS = ['visit', 'warned', 'proceeded', 'redirected', 'blocked', 'sensitive-paste'] as const;
export const REPORT_BROWSERS = ['chrome', 'edge', 'firefox', 'safari', 'other'] as const;
export type ReportEvent = (typeof REPORT_EVENTS)[number];

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const THIRTY_DAY_MONTHS = new Set([4, 6, 9, 11]);

const quoted = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

const text = (min: number, max: number) =>
  z
    .string('must be text')
    .check(
      z.minLength(min, `must be ${min}–${max} characters`),
      z.maxLength(max, min === 0 ? `must be at most ${max} characters` : `must be ${min}–${max} characters`),
    );

/** YYYY-MM-DD naming a day of the Gregorian calendar: 2026-02-29 and 2026-13-01 are refused. */
export function isCalendarDay(value: string): boolean {
  const match = DAY_PATTERN.exec(value);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const isLeap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 ? (isLeap ? 29 : 28) : THIRTY_DAY_MONTHS.has(month) ? 30 : 31;
  return day <= daysInMonth;
}

/** The latest `day` a report may carry: tomorrow in UTC, since a device east of UTC is already a day ahead. */
export function latestReportDay(today: Date): string {
  const tomorrow = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1));
  return tomorrow.toISOString().slice(0, 10);
}

/**
 * How far back a report's `day` may go. Shorter than the 400 days a device remembers its people marks
 * (platform/usage-store.ts), so that no day a collector accepts can be marked twice by one device.
 */
export const REPORT_DAYS_BACK = 366;

/** The earliest `day` a report may carry: `daysBack` days before today in UTC. */
export function earliestReportDay(today: Date, daysBack = REPORT_DAYS_BACK): string {
  const earliest = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - daysBack));
  return earliest.toISOString().slice(0, 10);
}

const nMessage = `must be a whole number from 1 to ${MAX_N.toLocaleString('en-US')}`;
const toolMessage = 'must be 1–64 lowercase letters, digits or "-", starting with a letter or digit';
const eventMessage = `must be one of ${quoted(REPORT_EVENTS)}`;
const isReportEvent = (value: unknown): value is ReportEvent => (REPORT_EVENTS as readonly unknown[]).includes(value);

/**
 * The kinds of use a device marks once a day (docs/spec/report-protocol.md "People"): `any` for any count,
 * `sanctioned` and `other` for visits to a tool its policy sanctions or not, and the other events as they are.
 */
export const PEOPLE_KINDS = [
  'any',
  'sanctioned',
  'other',
  'warned',
  'proceeded',
  'redirected',
  'blocked',
  'sensitive-paste',
] as const;
export type PeopleKind = (typeof PEOPLE_KINDS)[number];

/** The kind of use a count is: a visit by whether the device's policy sanctions the tool, else its event. */
export function kindOfCount(event: ReportEvent, sanctioned: boolean): Exclude<PeopleKind, 'any'> {
  if (event !== 'visit') return event;
  return sanctioned ? 'sanctioned' : 'other';
}

export interface ReportCount {
  /** The device's local calendar day, YYYY-MM-DD. */
  readonly day: string;
  readonly tool: string;
  readonly event: ReportEvent;
  readonly n: number;
  /** The policy the device counted under sanctions the tool; absent is false. */
  readonly sanctioned?: boolean;
  /** 1: the first time this device reports the day's (tool, event); absent is 0. */
  readonly person?: 1;
}

/** A device's once-a-day mark of a kind of use: the collector adds them up to count people. */
export interface PeopleMark {
  readonly day: string;
  readonly kind: PeopleKind;
}

/** What is wrong with one entry of `counts`, first field first, or null. */
// Long: one check per field, in the order of the spec's table.
function countProblem(value: unknown): { readonly field?: keyof ReportCount; readonly message: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { message: 'must be an object' };
  const { day, tool, event, n } = value as Record<string, unknown>;
  if (day === undefined) return { field: 'day', message: 'is required' };
  if (typeof day !== 'string') return { field: 'day', message: 'must be text' };
  if (!DAY_PATTERN.test(day)) return { field: 'day', message: 'must be a date written YYYY-MM-DD' };
  if (!isCalendarDay(day)) return { field: 'day', message: 'not a real calendar date' };
  if (tool === undefined) return { field: 'tool', message: 'is required' };
  // A tool id as the policy format defines it.
  if (typeof tool !== 'string' || !ID_PATTERN.test(tool)) return { field: 'tool', message: toolMessage };
  if (event === undefined) return { field: 'event', message: 'is required' };
  if (!isReportEvent(event)) return { field: 'event', message: eventMessage };
  if (n === undefined) return { field: 'n', message: 'is required' };
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_N) return { field: 'n', message: nMessage };
  const { sanctioned, person } = value as Record<string, unknown>;
  if (sanctioned !== undefined && typeof sanctioned !== 'boolean') {
    return { field: 'sanctioned', message: 'must be true or false' };
  }
  if (person !== undefined && person !== 1) return { field: 'person', message: 'must be 1' };
  return null;
}

/**
 * One entry of `counts`, checked by hand inside the schema: a report has up to
 * 5,000 of them, and zod's object machinery, run once per entry, took three
 * times as long (bench/collector-bench.ts, 30 counts: about 31 µs against 11).
 * The output keeps the four fields only, as a zod object would.
 */
const ReportCountSchema = z.pipe(
  z.custom<unknown>().check(
    z.superRefine((value, ctx) => {
      const problem = countProblem(value);
      if (problem === null) return;
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        input: problem.field === undefined ? value : (value as Record<string, unknown>)[problem.field],
        path: problem.field === undefined ? [] : [problem.field],
      });
    }),
  ),
  z.transform((value): ReportCount => {
    const { day, tool, event, n, sanctioned, person } = value as ReportCount;
    return { day, tool, event, n, ...(sanctioned === true && { sanctioned }), ...(person === 1 && { person }) };
  }),
);

const PeopleMarkSchema = z.object(
  {
    day: z
      .string('must be text')
      .check(z.refine((day) => isCalendarDay(day), 'must be a real calendar date written YYYY-MM-DD')),
    kind: z.enum(PEOPLE_KINDS, `must be one of ${quoted(PEOPLE_KINDS)}`),
  },
  'must be an object',
);

const countsMessage = `must have 1 to ${MAX_COUNTS.toLocaleString('en-US')} entries`;

const ReportSchema = z.object(
  {
    schemaVersion: z.literal(1, 'must be 1'),
    batchId: z.uuid('must be a UUID'),
    policyRevision: text(1, 64),
    client: z.object(
      {
        browser: z.enum(REPORT_BROWSERS, `must be one of ${quoted(REPORT_BROWSERS)}`),
      },
      'must be an object',
    ),
    group: z.optional(text(0, 64)),
    counts: z
      .array(ReportCountSchema, 'must be a list')
      .check(z.minLength(1, countsMessage), z.maxLength(MAX_COUNTS, countsMessage)),
    people: z.optional(z.array(PeopleMarkSchema, 'must be a list')),
  },
  'must be an object',
);

export type Report = z.infer<typeof ReportSchema>;
export type ReportBrowser = (typeof REPORT_BROWSERS)[number];

export type ParsedReport =
  { readonly ok: true; readonly report: Report } | { readonly ok: false; readonly error: string };

/**
 * Checks a decoded JSON body against the field rules. The error names the first
 * field that breaks one, as a JSON path: `counts[3].day: not a real calendar date`.
 * `daysBack`: how far back a day may go, at most REPORT_DAYS_BACK (a collector that keeps less takes less).
 */
export function parseReport(json: unknown, today: Date, daysBack = REPORT_DAYS_BACK): ParsedReport {
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) {
    // Again with each issue's input, which tells a missing field from a wrong one: a third slower, so only here.
    // The same input fails the same way, with at least one issue.
    const issue = ReportSchema.safeParse(json, { reportInput: true }).error?.issues[0] as z.core.$ZodIssue;
    const path = issue.path.length === 0 ? '(report)' : formatPath(issue.path);
    const missing = issue.input === undefined && issue.code !== 'custom';
    return { ok: false, error: `${path}: ${missing ? 'is required' : issue.message}` };
  }
  const latest = latestReportDay(today);
  const back = Math.min(daysBack, REPORT_DAYS_BACK);
  const earliest = earliestReportDay(today, back);
  const { counts } = parsed.data;
  for (let i = 0; i < counts.length; i++) {
    // Strings of one fixed format compare like the days they name.
    const { day } = counts[i] as ReportCount;
    if (day > latest) return { ok: false, error: `counts[${i}].day: is later than tomorrow (${latest}, UTC)` };
    if (day < earliest) {
      return {
        ok: false,
        error: `counts[${i}].day: is more than ${back} days ago (before ${earliest}, UTC)`,
      };
    }
  }
  const marks = marksProblem(parsed.data);
  return marks === null ? { ok: true, report: parsed.data } : { ok: false, error: marks };
}

/**
 * The bounds on people marks (docs/spec/report-protocol.md "People"): a batch adds at most one person to a
 * day's (tool, event) and to a day's kind of use, and marks only a kind its counts hold that day. So a
 * report cannot add several people at once: padding a cell by k people takes k accepted batches.
 */
function marksProblem({ counts, people = [] }: Report): string | null {
  const persons = new Set<string>();
  const kinds = new Set<string>();
  for (let i = 0; i < counts.length; i++) {
    const { day, tool, event, sanctioned = false, person } = counts[i] as ReportCount;
    kinds.add(`${day} any`).add(`${day} ${kindOfCount(event, sanctioned)}`);
    if (person === undefined) continue;
    const key = `${day} ${tool} ${event}`;
    if (persons.has(key)) return `counts[${i}].person: a batch adds at most one person to a day's tool and event`;
    persons.add(key);
  }
  const marked = new Set<string>();
  for (let i = 0; i < people.length; i++) {
    const { day, kind } = people[i] as PeopleMark;
    const key = `${day} ${kind}`;
    if (marked.has(key)) return `people[${i}]: a batch adds at most one person to a day's kind of use`;
    if (!kinds.has(key)) return `people[${i}].kind: the batch has no count of this kind on ${day}`;
    marked.add(key);
  }
  return null;
}
