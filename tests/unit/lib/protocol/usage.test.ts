/** On-device counting (docs/spec/report-protocol.md "What is counted"): the day, the events, the store. */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../lib/policy/compile';
import { buildBatches } from '../../../../lib/protocol/report';
import type { Report } from '../../../../lib/protocol/report-schema';
import { localDay, nudgeShownEvent, sortCounts, type UsageCount } from '../../../../lib/protocol/usage';
import { openUsageStore } from '../../../../platform/usage-store';

describe('localDay', () => {
  it.each([
    [new Date(2026, 0, 1, 0, 0, 0), '2026-01-01'],
    [new Date(2026, 11, 31, 23, 59, 59), '2026-12-31'],
    [new Date(2028, 1, 29, 12), '2028-02-29'],
    [new Date(999, 4, 7), '0999-05-07'],
  ])('%s is %s, by the local calendar', (moment, day) => {
    expect(localDay(moment)).toBe(day);
  });

  it('is always a real calendar date of the protocol form', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(1970, 0, 1), max: new Date(9999, 11, 31), noInvalidDate: true }),
        (moment) => {
          const day = localDay(moment);
          expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          const [year, month, date] = day.split('-').map(Number);
          expect(new Date(year ?? 0, (month ?? 1) - 1, date).getDate()).toBe(date);
        },
      ),
    );
  });
});

describe('nudgeShownEvent', () => {
  const decision = (action: Decision['action'], tool: string | null = 'chatgpt'): Decision => ({
    action,
    tool,
    toolName: tool,
    category: 'chat',
    sanctioned: false,
    redirectTo: action === 'redirect' ? 'https://chat.corp.example/' : null,
    message: null,
    alternatives: [],
    training: [],
  });
  it.each([
    ['warn', 'warned'],
    ['block', 'blocked'],
    ['redirect', null],
    ['allow', null],
    ['monitor', null],
  ] as const)('%s → %s', (action, event) => {
    expect(nudgeShownEvent(decision(action))).toBe(event);
  });
  it('counts nothing without a tool', () => {
    expect(nudgeShownEvent(decision('warn', null))).toBeNull();
  });
});

describe('sortCounts', () => {
  it('puts the newest day first, then tools by id, then events in the protocol order', () => {
    const counts: UsageCount[] = [
      { day: '2026-11-24', tool: 'claude', event: 'visit', n: 1, sanctioned: false },
      { day: '2026-11-25', tool: 'claude', event: 'proceeded', n: 1, sanctioned: false },
      { day: '2026-11-25', tool: 'claude', event: 'warned', n: 2, sanctioned: false },
      { day: '2026-11-25', tool: 'chatgpt', event: 'blocked', n: 1, sanctioned: false },
    ];
    expect(sortCounts(counts).map((count) => `${count.day} ${count.tool} ${count.event}`)).toEqual([
      '2026-11-25 chatgpt blocked',
      '2026-11-25 claude warned',
      '2026-11-25 claude proceeded',
      '2026-11-24 claude visit',
    ]);
  });
});

describe('the IndexedDB usage store', () => {
  let database = 0;
  const freshName = () => `usage-test-${++database}`;

  it('counts every add, also when many run at once', async () => {
    const store = openUsageStore(freshName());
    await Promise.all(Array.from({ length: 50 }, () => store.add('2026-11-26', 'chatgpt', 'visit', false)));
    await store.add('2026-11-26', 'chatgpt', 'warned', false);
    await store.add('2026-11-25', 'chatgpt', 'visit', false);
    expect(sortCounts(await store.list())).toEqual([
      { day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 50, sanctioned: false },
      { day: '2026-11-26', tool: 'chatgpt', event: 'warned', n: 1, sanctioned: false },
      { day: '2026-11-25', tool: 'chatgpt', event: 'visit', n: 1, sanctioned: false },
    ]);
  });

  it('remembers the people marks of a cut in the same transaction, for the next cut and the next worker', async () => {
    const name = freshName();
    const header = { policyRevision: 'p1', browser: 'chrome', group: null } as const;
    let ids = 0;
    const cut = (counts: UsageCount[], promised: string | null, marked: ReadonlySet<string>) =>
      buildBatches(
        counts,
        header,
        () => promised ?? `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
        marked,
      );
    const first = openUsageStore(name);
    await first.add('2026-11-26', 'chatgpt', 'visit', false);
    await first.moveToOutbox(cut, Date.parse('2026-11-26T09:00:00Z'));
    const nextWorker = openUsageStore(name);
    await nextWorker.add('2026-11-26', 'chatgpt', 'visit', false);
    await nextWorker.add('2026-11-26', 'corp-chat', 'visit', true);
    await nextWorker.moveToOutbox(cut, Date.parse('2026-11-26T10:00:00Z'));
    const bodies = (await nextWorker.outbox()).map((batch) => JSON.parse(batch.body) as Report);
    expect(bodies.map((body) => [body.counts, body.people])).toEqual([
      [
        [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 1, person: 1 }],
        [
          { day: '2026-11-26', kind: 'any' },
          { day: '2026-11-26', kind: 'other' },
        ],
      ],
      [
        [
          { day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 1 },
          { day: '2026-11-26', tool: 'corp-chat', event: 'visit', n: 1, sanctioned: true, person: 1 },
        ],
        [{ day: '2026-11-26', kind: 'sanctioned' }],
      ],
    ]);
    expect(await nextWorker.marks()).toEqual(
      new Set([
        '2026-11-26 chatgpt visit',
        '2026-11-26 :any',
        '2026-11-26 :other',
        '2026-11-26 corp-chat visit',
        '2026-11-26 :sanctioned',
      ]),
    );
  });

  it('forgets marks after 400 days, at the next cut', async () => {
    const store = openUsageStore(freshName());
    const header = { policyRevision: 'p1', browser: 'chrome', group: null } as const;
    const cut = (counts: UsageCount[], _promised: string | null, marked: ReadonlySet<string>) =>
      buildBatches(counts, header, () => crypto.randomUUID(), marked);
    await store.add('2025-01-01', 'claude', 'blocked', false);
    await store.moveToOutbox(cut, Date.parse('2025-01-01T12:00:00Z'));
    expect((await store.marks()).size).toBe(3);
    await store.add('2026-02-06', 'claude', 'blocked', false);
    await store.moveToOutbox(cut, Date.parse('2026-02-06T12:00:00Z'));
    expect([...(await store.marks())].every((mark) => mark.startsWith('2026-02-06'))).toBe(true);
  });

  it('keeps the counts for the next worker, which opens the database anew', async () => {
    const name = freshName();
    await openUsageStore(name).add('2026-11-26', 'claude', 'blocked', false);
    const nextWorker = openUsageStore(name);
    await nextWorker.add('2026-11-26', 'claude', 'blocked', false);
    expect(await nextWorker.list()).toEqual([
      { day: '2026-11-26', tool: 'claude', event: 'blocked', n: 2, sanctioned: false },
    ]);
  });
});
