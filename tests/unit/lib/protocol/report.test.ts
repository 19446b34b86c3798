/** Usage report bodies (docs/spec/report-protocol.md "Upload"): limits, no count lost or added, nothing but counts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildBatches,
  reportBrowser,
  retryAfterMs,
  uploadRetryDelayMs,
  type ReportHeader,
} from '../../../../lib/protocol/report';
import {
  kindOfCount,
  MAX_COUNTS,
  MAX_REPORT_BYTES,
  parseReport,
  type Report,
  type ReportCount,
} from '../../../../lib/protocol/report-schema';
import { USAGE_EVENTS } from '../../../../lib/protocol/usage';

const HEADER: ReportHeader = {
  policyRevision: '2026-11-26.1',
  browser: 'chrome',
  group: 'marketing',
};
const TODAY = new Date('2026-11-26T12:00:00Z');

function uuids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

/** n per "day tool event", summed over every batch. */
function totals(bodies: readonly string[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const body of bodies) {
    for (const count of (JSON.parse(body) as { counts: ReportCount[] }).counts) {
      const key = `${count.day} ${count.tool} ${count.event}`;
      sums[key] = (sums[key] ?? 0) + count.n;
    }
  }
  return sums;
}

const countArbitrary = fc.record({
  day: fc.constantFrom('2026-11-24', '2026-11-25', '2026-11-26'),
  tool: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/),
  event: fc.constantFrom(...USAGE_EVENTS),
  n: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 3_500_000 })),
  sanctioned: fc.boolean(),
});

describe('buildBatches', () => {
  it('makes one body for a few counts, exactly the protocol fields and nothing else', () => {
    const {
      batches: [batch, ...rest],
    } = buildBatches(
      [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 3, sanctioned: false }],
      HEADER,
      uuids(),
    );
    expect(rest).toEqual([]);
    expect(JSON.parse(batch?.body ?? '')).toEqual({
      schemaVersion: 1,
      batchId: '00000000-0000-4000-8000-000000000001',
      policyRevision: '2026-11-26.1',
      client: { browser: 'chrome' },
      group: 'marketing',
      counts: [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 3, person: 1 }],
      people: [
        { day: '2026-11-26', kind: 'any' },
        { day: '2026-11-26', kind: 'other' },
      ],
    });
    expect(batch?.batchId).toBe('00000000-0000-4000-8000-000000000001');
  });

  it('leaves group out when IT set none', () => {
    const {
      batches: [batch],
    } = buildBatches(
      [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 1, sanctioned: false }],
      { ...HEADER, group: null },
      uuids(),
    );
    expect(JSON.parse(batch?.body ?? '{}')).not.toHaveProperty('group');
  });

  it('splits a counter over 1,000,000 into entries the collector accepts', () => {
    const { batches } = buildBatches(
      [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 2_500_001, sanctioned: true }],
      HEADER,
      uuids(),
    );
    const counts = batches.flatMap((batch) => (JSON.parse(batch.body) as { counts: ReportCount[] }).counts);
    expect(counts.map((count) => count.n)).toEqual([1_000_000, 1_000_000, 500_001]);
    // One device is one person, however many entries its counter takes.
    expect(counts.map((count) => count.person ?? 0)).toEqual([1, 0, 0]);
    expect(counts.every((count) => count.sanctioned === true)).toBe(true);
  });

  it('cuts thousands of counts into bodies under 64 KiB that the collector accepts, losing and adding nothing', () => {
    fc.assert(
      fc.property(
        fc.array(countArbitrary, { maxLength: 3000 }),
        fc.option(fc.string({ maxLength: 64, unit: 'grapheme' }), { nil: null }),
        (counts, group) => {
          const { batches } = buildBatches(
            counts,
            { ...HEADER, group: group === null ? null : group.slice(0, 64) },
            uuids(),
          );
          for (const batch of batches) {
            expect(new TextEncoder().encode(batch.body).length).toBeLessThanOrEqual(MAX_REPORT_BYTES);
            const parsed = parseReport(JSON.parse(batch.body), TODAY);
            expect(parsed.ok ? parsed.report.counts.length : parsed.error).toBeLessThanOrEqual(MAX_COUNTS);
            expect(parsed.ok && parsed.report.batchId).toBe(batch.batchId);
          }
          expect(new Set(batches.map((batch) => batch.batchId)).size).toBe(batches.length);
          const expected: Record<string, number> = {};
          for (const count of counts) {
            const key = `${count.day} ${count.tool} ${count.event}`;
            expected[key] = (expected[key] ?? 0) + count.n;
          }
          expect(totals(batches.map((batch) => batch.body))).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fills a batch close to the limit before starting the next', () => {
    const counts = Array.from({ length: 4000 }, (_, i) => ({
      day: '2026-11-26',
      tool: `tool-${String(i).padStart(40, '0')}`,
      event: 'visit' as const,
      n: 1,
      sanctioned: false,
    }));
    const { batches } = buildBatches(counts, HEADER, uuids());
    const sizes = batches.map((batch) => new TextEncoder().encode(batch.body).length);
    expect(batches.length).toBeGreaterThan(1);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(MAX_REPORT_BYTES - 200);
  });
});

describe('people marks', () => {
  /** Per mark, how many times the bodies carry it: "day tool event" for a person, "day :kind" for a kind. */
  function markCounts(bodies: readonly string[]): Map<string, number> {
    const seen = new Map<string, number>();
    const add = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    for (const body of bodies) {
      const report = JSON.parse(body) as Report;
      for (const count of report.counts) if (count.person === 1) add(`${count.day} ${count.tool} ${count.event}`);
      for (const mark of report.people ?? []) add(`${mark.day} :${mark.kind}`);
    }
    return seen;
  }

  it("mark each day's tool, event and kind of use once across cuts, as the device remembers them", () => {
    fc.assert(
      fc.property(
        fc.array(countArbitrary, { maxLength: 400 }),
        fc.array(countArbitrary, { maxLength: 400 }),
        (a, b) => {
          const first = buildBatches(a, HEADER, uuids());
          const second = buildBatches(b, HEADER, uuids(), new Set(first.marks));
          const bodies = [...first.batches, ...second.batches].map((batch) => batch.body);
          const expected = new Set<string>();
          for (const { day, tool, event, sanctioned } of [...a, ...b]) {
            expected
              .add(`${day} ${tool} ${event}`)
              .add(`${day} :any`)
              .add(`${day} :${kindOfCount(event, sanctioned)}`);
          }
          const seen = markCounts(bodies);
          expect(new Set(seen.keys())).toEqual(expected);
          expect([...seen.values()].every((times) => times === 1)).toBe(true);
          expect(new Set([...first.marks, ...second.marks])).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('send nothing marked again after a crash-free cut: a later upload of the same day adds no person', () => {
    const count = { day: '2026-11-26', tool: 'claude', event: 'warned' as const, n: 2, sanctioned: false };
    const first = buildBatches([count], HEADER, uuids());
    const later = buildBatches([{ ...count, n: 5 }], HEADER, uuids(), new Set(first.marks));
    expect(JSON.parse(later.batches[0]?.body ?? '{}')).toMatchObject({
      counts: [{ day: '2026-11-26', tool: 'claude', event: 'warned', n: 5 }],
      people: [],
    });
    expect(later.marks).toEqual([]);
  });
});

describe('reportBrowser', () => {
  it.each([
    ['chrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0.0.0 Safari/537.36', 'chrome'],
    ['chrome', 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/156.0.0.0 Safari/537.36 Edg/156.0.0.0', 'edge'],
    ['firefox', 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0', 'firefox'],
    ['safari', 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/19.0 Safari/605.1.15', 'safari'],
    [undefined, 'anything', 'other'],
  ])('build %s, %s → %s', (target, userAgent, browser) => {
    expect(reportBrowser(target, userAgent)).toBe(browser);
  });
});

describe('retries', () => {
  it('back off 1, 2, 4 … minutes with ±50% jitter, up to a ceiling', () => {
    expect(uploadRetryDelayMs(1, 0.5)).toBe(60_000);
    expect(uploadRetryDelayMs(3, 0.5)).toBe(4 * 60_000);
    expect(uploadRetryDelayMs(3, 0)).toBe(2 * 60_000);
    expect(uploadRetryDelayMs(3, 0.999)).toBeCloseTo(6 * 60_000, -3);
    expect(uploadRetryDelayMs(30, 0.5)).toBe(360 * 60_000);
  });

  it.each([
    ['120', 120_000],
    [' 5 ', 5_000],
    ['Thu, 26 Nov 2026 12:01:00 GMT', 60_000],
    ['999999999', 86_400_000],
    ['soon', null],
    ['', null],
    [null, null],
  ])("follow the collector's Retry-After %j → %j ms", (header, ms) => {
    expect(retryAfterMs(header, Date.parse('2026-11-26T12:00:00Z'))).toBe(ms);
  });
});
