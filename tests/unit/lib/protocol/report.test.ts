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
import { MAX_COUNTS, MAX_REPORT_BYTES, parseReport } from '../../../../lib/protocol/report-schema';
import { USAGE_EVENTS, type UsageCount } from '../../../../lib/protocol/usage';

const HEADER: ReportHeader = {
  policyRevision: '2026-11-26.1',
  extensionVersion: '0.1.0',
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
    for (const count of (JSON.parse(body) as { counts: UsageCount[] }).counts) {
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
});

describe('buildBatches', () => {
  it('makes one body for a few counts, exactly the protocol fields and nothing else', () => {
    const [batch, ...rest] = buildBatches(
      [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 3 }],
      HEADER,
      uuids(),
    );
    expect(rest).toEqual([]);
    expect(JSON.parse(batch?.body ?? '')).toEqual({
      schemaVersion: 1,
      batchId: '00000000-0000-4000-8000-000000000001',
      policyRevision: '2026-11-26.1',
      client: { extensionVersion: '0.1.0', browser: 'chrome' },
      group: 'marketing',
      counts: [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 3 }],
    });
    expect(batch?.batchId).toBe('00000000-0000-4000-8000-000000000001');
  });

  it('leaves group out when IT set none', () => {
    const [batch] = buildBatches(
      [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 1 }],
      { ...HEADER, group: null },
      uuids(),
    );
    expect(JSON.parse(batch?.body ?? '{}')).not.toHaveProperty('group');
  });

  it('splits a counter over 1,000,000 into entries the collector accepts', () => {
    const batches = buildBatches(
      [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 2_500_001 }],
      HEADER,
      uuids(),
    );
    const counts = batches.flatMap((batch) => (JSON.parse(batch.body) as { counts: UsageCount[] }).counts);
    expect(counts.map((count) => count.n)).toEqual([1_000_000, 1_000_000, 500_001]);
  });

  it('cuts thousands of counts into bodies under 64 KiB that the collector accepts, losing and adding nothing', () => {
    fc.assert(
      fc.property(
        fc.array(countArbitrary, { maxLength: 3000 }),
        fc.option(fc.string({ maxLength: 64, unit: 'grapheme' }), { nil: null }),
        (counts, group) => {
          const batches = buildBatches(
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
    }));
    const batches = buildBatches(counts, HEADER, uuids());
    const sizes = batches.map((batch) => new TextEncoder().encode(batch.body).length);
    expect(batches.length).toBeGreaterThan(1);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(MAX_REPORT_BYTES - 200);
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
