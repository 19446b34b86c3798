import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN } from '../../../../lib/policy/schema';
import {
  isCalendarDay,
  latestReportDay,
  MAX_COUNTS,
  parseReport,
  REPORT_BROWSERS,
  REPORT_EVENTS,
  type Report,
} from '../../../../lib/protocol/report-schema';
import { USAGE_EVENTS } from '../../../../lib/protocol/usage';

const TODAY = new Date('2026-11-26T12:00:00Z');

const valid = (): Record<string, unknown> => ({
  schemaVersion: 1,
  batchId: '0b6c1f8e-5d2a-4c3b-9e7f-1a2b3c4d5e6f',
  policyRevision: '2026-11-26.1',
  client: { browser: 'chrome' },
  group: 'marketing',
  counts: [
    { day: '2026-11-25', tool: 'chatgpt', event: 'visit', n: 12, person: 1 },
    { day: '2026-11-25', tool: 'corp-chat', event: 'visit', n: 3, sanctioned: true },
    { day: '2026-11-26', tool: 'claude', event: 'warned', n: 1, person: 1 },
  ],
  people: [
    { day: '2026-11-25', kind: 'any' },
    { day: '2026-11-25', kind: 'other' },
    { day: '2026-11-26', kind: 'warned' },
  ],
});

/** A valid report with `path` set to `value` (undefined deletes it). */
function withField(path: readonly (string | number)[], value: unknown): Record<string, unknown> {
  const report = valid();
  let target = report as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return report;
}

const errorOf = (input: unknown): string | null => {
  const result = parseReport(input, TODAY);
  return result.ok ? null : result.error;
};

describe('parseReport', () => {
  it('accepts the example of docs/spec/report-protocol.md and keeps every field', () => {
    expect(parseReport(valid(), TODAY)).toEqual({ ok: true, report: valid() });
  });

  it('ignores the client.extensionVersion older extensions sent, like any field the protocol no longer has', () => {
    for (const version of ['0.1.0', '1'.repeat(65), 7]) {
      expect(parseReport(withField(['client', 'extensionVersion'], version), TODAY)).toEqual({
        ok: true,
        report: valid(),
      });
    }
  });

  it('reads sanctioned: false and a missing one alike, and a report without people marks', () => {
    const plain = withField(['people'], undefined);
    (plain.counts as Record<string, unknown>[])[0]!.sanctioned = false;
    const result = parseReport(plain, TODAY);
    expect(result.ok && result.report.counts[0]).toEqual({
      day: '2026-11-25',
      tool: 'chatgpt',
      event: 'visit',
      n: 12,
      person: 1,
    });
    expect(result.ok && result.report.people).toBeUndefined();
  });

  it('ignores unknown fields at every level (forward compatibility) and leaves them out', () => {
    const input = valid();
    input.futureField = { x: 1 };
    (input.client as Record<string, unknown>).os = 'linux';
    (input.counts as Record<string, unknown>[])[0]!.minutes = 3;
    expect(parseReport(input, TODAY)).toEqual({ ok: true, report: valid() });
  });

  it('takes group as optional, and the boundary values of every rule', () => {
    const edges = withField(['group'], undefined);
    delete edges.people;
    edges.policyRevision = 'r'.repeat(64);
    edges.counts = [
      { day: '2026-11-27', tool: 'a', event: 'sensitive-paste', n: 1 },
      { day: '2025-11-25', tool: `a${'-'.repeat(63)}`, event: 'blocked', n: 1_000_000 },
    ];
    expect(parseReport(edges, TODAY).ok).toBe(true);
    expect(parseReport(withField(['group'], 'g'.repeat(64)), TODAY).ok).toBe(true);
    expect(parseReport(withField(['group'], ''), TODAY).ok).toBe(true);
    for (const browser of REPORT_BROWSERS) {
      expect(parseReport(withField(['client', 'browser'], browser), TODAY).ok).toBe(true);
    }
    const many = Array.from({ length: MAX_COUNTS }, () => ({ day: '2026-11-25', tool: 'x', event: 'visit', n: 1 }));
    const manyCounts = withField(['counts'], many);
    delete manyCounts.people;
    expect(parseReport(manyCounts, TODAY).ok).toBe(true);
  });

  it.each<[string, readonly (string | number)[], unknown, string]>([
    ['schemaVersion 2', ['schemaVersion'], 2, 'schemaVersion: must be 1'],
    ['schemaVersion "1"', ['schemaVersion'], '1', 'schemaVersion: must be 1'],
    ['schemaVersion missing', ['schemaVersion'], undefined, 'schemaVersion: is required'],
    ['batchId not a UUID', ['batchId'], 'batch-1', 'batchId: must be a UUID'],
    ['batchId with a bad variant', ['batchId'], '0b6c1f8e-5d2a-4c3b-1e7f-1a2b3c4d5e6f', 'batchId: must be a UUID'],
    ['batchId missing', ['batchId'], undefined, 'batchId: is required'],
    ['batchId a number', ['batchId'], 7, 'batchId: must be a UUID'],
    ['policyRevision empty', ['policyRevision'], '', 'policyRevision: must be 1–64 characters'],
    ['policyRevision of 65', ['policyRevision'], 'r'.repeat(65), 'policyRevision: must be 1–64 characters'],
    ['policyRevision a number', ['policyRevision'], 3, 'policyRevision: must be text'],
    ['client missing', ['client'], undefined, 'client: is required'],
    ['client a list', ['client'], [], 'client: must be an object'],
    [
      'browser unknown',
      ['client', 'browser'],
      'opera',
      'client.browser: must be one of "chrome", "edge", "firefox", "safari", "other"',
    ],
    [
      'browser in capitals',
      ['client', 'browser'],
      'Chrome',
      'client.browser: must be one of "chrome", "edge", "firefox", "safari", "other"',
    ],
    ['sanctioned as text', ['counts', 0, 'sanctioned'], 'yes', 'counts[0].sanctioned: must be true or false'],
    ['person 2', ['counts', 0, 'person'], 2, 'counts[0].person: must be 1'],
    ['person true', ['counts', 1, 'person'], true, 'counts[1].person: must be 1'],
    ['people not a list', ['people'], {}, 'people: must be a list'],
    [
      'a people mark of an unknown kind',
      ['people'],
      [{ day: '2026-11-25', kind: 'everyone' }],
      'people[0].kind: must be one of "any", "sanctioned", "other", "warned", "proceeded", "redirected", "blocked", "sensitive-paste"',
    ],
    [
      'a people mark on no real day',
      ['people'],
      [{ day: '2026-02-30', kind: 'any' }],
      'people[0].day: must be a real calendar date written YYYY-MM-DD',
    ],
    [
      'a people mark of a kind the day has no count of',
      ['people'],
      [{ day: '2026-11-25', kind: 'warned' }],
      'people[0].kind: the batch has no count of this kind on 2026-11-25',
    ],
    [
      'a people mark of a day the batch has no count of',
      ['people'],
      [{ day: '2026-11-20', kind: 'any' }],
      'people[0].kind: the batch has no count of this kind on 2026-11-20',
    ],
    [
      "a sanctioned tool's visit marked on a day the batch has none",
      ['people'],
      [{ day: '2026-11-26', kind: 'sanctioned' }],
      'people[0].kind: the batch has no count of this kind on 2026-11-26',
    ],
    [
      'a kind marked twice',
      ['people'],
      [
        { day: '2026-11-25', kind: 'any' },
        { day: '2026-11-25', kind: 'other' },
        { day: '2026-11-25', kind: 'any' },
      ],
      "people[2]: a batch adds at most one person to a day's kind of use",
    ],
    [
      'one tool and event given two persons',
      ['counts'],
      [
        { day: '2026-11-25', tool: 'chatgpt', event: 'visit', n: 1, person: 1 },
        { day: '2026-11-25', tool: 'chatgpt', event: 'visit', n: 1, person: 1 },
      ],
      "counts[1].person: a batch adds at most one person to a day's tool and event",
    ],
    ['group of 65', ['group'], 'g'.repeat(65), 'group: must be at most 64 characters'],
    ['group null', ['group'], null, 'group: must be text'],
    ['counts empty', ['counts'], [], 'counts: must have 1 to 5,000 entries'],
    ['counts not a list', ['counts'], {}, 'counts: must be a list'],
    ['counts missing', ['counts'], undefined, 'counts: is required'],
    ['a count not an object', ['counts', 1], 'visit', 'counts[1]: must be an object'],
    ['day missing', ['counts', 1, 'day'], undefined, 'counts[1].day: is required'],
    ['day a number', ['counts', 1, 'day'], 20261125, 'counts[1].day: must be text'],
    ['day in another format', ['counts', 1, 'day'], '25.11.2026', 'counts[1].day: must be a date written YYYY-MM-DD'],
    ['day with a time', ['counts', 1, 'day'], '2026-11-25T00:00', 'counts[1].day: must be a date written YYYY-MM-DD'],
    ['day 30 February', ['counts', 1, 'day'], '2026-02-30', 'counts[1].day: not a real calendar date'],
    ['day 29 February of a common year', ['counts', 1, 'day'], '2026-02-29', 'counts[1].day: not a real calendar date'],
    ['day in month 13', ['counts', 1, 'day'], '2026-13-01', 'counts[1].day: not a real calendar date'],
    ['day 0', ['counts', 1, 'day'], '2026-11-00', 'counts[1].day: not a real calendar date'],
    ['day 31 November', ['counts', 1, 'day'], '2026-11-31', 'counts[1].day: not a real calendar date'],
    [
      'day after tomorrow',
      ['counts', 1, 'day'],
      '2026-11-28',
      'counts[1].day: is later than tomorrow (2026-11-27, UTC)',
    ],
    [
      'day more than 366 days ago',
      ['counts', 1, 'day'],
      '2025-11-24',
      'counts[1].day: is more than 366 days ago (before 2025-11-25, UTC)',
    ],
    ['tool missing', ['counts', 0, 'tool'], undefined, 'counts[0].tool: is required'],
    [
      'tool in capitals',
      ['counts', 0, 'tool'],
      'ChatGPT',
      'counts[0].tool: must be 1–64 lowercase letters, digits or "-", starting with a letter or digit',
    ],
    [
      'tool starting with "-"',
      ['counts', 0, 'tool'],
      '-gpt',
      'counts[0].tool: must be 1–64 lowercase letters, digits or "-", starting with a letter or digit',
    ],
    [
      'tool of 65',
      ['counts', 0, 'tool'],
      'a'.repeat(65),
      'counts[0].tool: must be 1–64 lowercase letters, digits or "-", starting with a letter or digit',
    ],
    [
      'tool a list',
      ['counts', 0, 'tool'],
      ['chatgpt'],
      'counts[0].tool: must be 1–64 lowercase letters, digits or "-", starting with a letter or digit',
    ],
    [
      'event unknown',
      ['counts', 0, 'event'],
      'clicked',
      'counts[0].event: must be one of "visit", "warned", "proceeded", "redirected", "blocked", "sensitive-paste"',
    ],
    ['event missing', ['counts', 0, 'event'], undefined, 'counts[0].event: is required'],
    ['n 0', ['counts', 0, 'n'], 0, 'counts[0].n: must be a whole number from 1 to 1,000,000'],
    ['n negative', ['counts', 0, 'n'], -3, 'counts[0].n: must be a whole number from 1 to 1,000,000'],
    ['n 1,000,001', ['counts', 0, 'n'], 1_000_001, 'counts[0].n: must be a whole number from 1 to 1,000,000'],
    ['n 1.5', ['counts', 0, 'n'], 1.5, 'counts[0].n: must be a whole number from 1 to 1,000,000'],
    ['n "12"', ['counts', 0, 'n'], '12', 'counts[0].n: must be a whole number from 1 to 1,000,000'],
    ['n missing', ['counts', 0, 'n'], undefined, 'counts[0].n: is required'],
  ])('refuses %s, naming the field', (_name, path, value, error) => {
    expect(errorOf(withField(path, value))).toBe(error);
  });

  it('refuses more than 5,000 counts', () => {
    const many = Array.from({ length: MAX_COUNTS + 1 }, () => ({ day: '2026-11-25', tool: 'x', event: 'visit', n: 1 }));
    expect(errorOf(withField(['counts'], many))).toBe('counts: must have 1 to 5,000 entries');
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'report', 42, true]) expect(errorOf(body)).toBe('(report): must be an object');
  });

  it('names the first broken field when several are', () => {
    const report = withField(['policyRevision'], '');
    (report.counts as Record<string, unknown>[])[1]!.n = 0;
    expect(errorOf(report)).toBe('policyRevision: must be 1–64 characters');
  });
});

describe('calendar days', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2026-04-30', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-00-10', false],
    ['2026-1-10', false],
    ['２０２６-11-25', false],
  ])('%s is a calendar day: %s', (day, expected) => {
    expect(isCalendarDay(day)).toBe(expected);
  });

  it('agrees with the Gregorian calendar of Date on every day of 1999–2030 and the next day of each', () => {
    for (let time = Date.UTC(1999, 0, 1); time < Date.UTC(2031, 0, 1); time += 86_400_000) {
      const day = new Date(time).toISOString().slice(0, 10);
      expect(isCalendarDay(day)).toBe(true);
      // The day after the last of a month, written in that month, is never real.
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      if (new Date(time + 86_400_000).getUTCDate() === 1) {
        expect(isCalendarDay(`${y}-${String(m).padStart(2, '0')}-${String(d + 1).padStart(2, '0')}`)).toBe(false);
      }
    }
  });

  it('lets a report carry tomorrow in UTC, across month and year ends', () => {
    expect(latestReportDay(new Date('2026-12-31T23:59:59Z'))).toBe('2027-01-01');
    expect(latestReportDay(new Date('2028-02-28T00:00:00Z'))).toBe('2028-02-29');
  });
});

describe('report events', () => {
  it('include every event the extension counts', () => {
    expect(REPORT_EVENTS).toEqual(expect.arrayContaining([...USAGE_EVENTS]));
  });
});

// ---------------------------------------------------------------------------
// Properties.

const dayArb = fc
  .integer({ min: Date.UTC(2025, 10, 25), max: Date.UTC(2026, 10, 27) })
  .map((time) => new Date(time).toISOString().slice(0, 10));
const textArb = (min: number, max: number) =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max }).filter((s) => s.length >= min && s.length <= max);

const reportArb: fc.Arbitrary<Report> = fc.record(
  {
    schemaVersion: fc.constant(1 as const),
    batchId: fc.uuid({ version: 4 }),
    policyRevision: textArb(1, 64),
    client: fc.record({ browser: fc.constantFrom(...REPORT_BROWSERS) }),
    group: textArb(0, 64),
    counts: fc.array(
      fc.record(
        {
          day: dayArb,
          tool: fc.stringMatching(ID_PATTERN),
          event: fc.constantFrom(...REPORT_EVENTS),
          n: fc.integer({ min: 1, max: 1_000_000 }),
          sanctioned: fc.constant(true as const),
        },
        { requiredKeys: ['day', 'tool', 'event', 'n'] },
      ),
      { minLength: 1, maxLength: 20 },
    ),
  },
  { requiredKeys: ['schemaVersion', 'batchId', 'policyRevision', 'client', 'counts'] },
);

describe('parseReport properties', () => {
  it('accepts every report within the rules and returns it unchanged, after a JSON round trip', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        expect(parseReport(JSON.parse(JSON.stringify(report)), TODAY)).toEqual({ ok: true, report });
      }),
    );
  });

  it('never throws, and every refusal starts with a field path', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          reportArb.map((r) => ({ ...r, counts: [...r.counts, {}] })),
        ),
        (value) => {
          const result = parseReport(value, TODAY);
          if (!result.ok) expect(result.error).toMatch(/^(\(report\)|[a-zA-Z]+(\[\d+\])?(\.[a-zA-Z]+)?): \S/);
        },
      ),
    );
  });

  it('names a removed required field as required, wherever it is', () => {
    const requiredPaths: readonly (readonly (string | number)[])[] = [
      ['schemaVersion'],
      ['batchId'],
      ['policyRevision'],
      ['client'],
      ['client', 'browser'],
      ['counts'],
      ['counts', 0, 'day'],
      ['counts', 0, 'tool'],
      ['counts', 0, 'event'],
      ['counts', 0, 'n'],
    ];
    fc.assert(
      fc.property(reportArb, fc.constantFrom(...requiredPaths), (report, path) => {
        const copy = JSON.parse(JSON.stringify(report)) as Record<string | number, unknown>;
        let target = copy;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
        delete target[path.at(-1) as string | number];
        const name = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
        expect(errorOf(copy)).toBe(`${name}: is required`);
      }),
    );
  });
});
