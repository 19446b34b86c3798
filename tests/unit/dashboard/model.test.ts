/** What the dashboard computes from the API's answer: totals with hidden days left out, the trend, shares. */
import { describe, expect, it } from 'vitest';
import {
  busiestDay,
  continuedRate,
  everyDay,
  groupShare,
  hasHiddenNumbers,
  totals,
  trend,
} from '../../../dashboard/model';
import { fakeDashboard } from '../../support/dashboard-fixture';

const day = (d: string, sanctioned: number | null, shadow: number | null) => ({ day: d, sanctioned, shadow });

describe('totals', () => {
  it('adds the days and gives the approved share', () => {
    expect(totals([day('2026-11-25', 30, 10), day('2026-11-26', 15, 5)])).toEqual({
      approved: 45,
      shadow: 15,
      visits: 60,
      share: 0.75,
      hiddenDays: 0,
      allHidden: false,
    });
  });

  it('leaves hidden days out and counts them; a hidden day is never a zero', () => {
    const result = totals([day('2026-11-25', 30, 10), day('2026-11-26', null, null)]);
    expect(result).toMatchObject({ approved: 30, shadow: 10, hiddenDays: 1, allHidden: false });
    expect(totals([day('2026-11-26', null, null)])).toMatchObject({ allHidden: true, share: null });
    // The other days had nothing: the totals would only say 0, which is not what happened.
    expect(totals([day('2026-11-25', 0, 0), day('2026-11-26', null, null)])).toMatchObject({ allHidden: true });
  });

  it('has no share without visits', () => {
    expect(totals([day('2026-11-26', 0, 0)]).share).toBeNull();
    expect(totals([]).share).toBeNull();
  });
});

describe('everyDay', () => {
  it('fills the days the collector did not list with zeros, keeps hidden days hidden, drops days outside', () => {
    expect(
      everyDay(
        [day('2026-11-24', null, null), day('2026-11-26', 3, 1), day('2026-12-01', 9, 9)],
        '2026-11-24',
        '2026-11-26',
      ),
    ).toEqual([day('2026-11-24', null, null), day('2026-11-25', 0, 0), day('2026-11-26', 3, 1)]);
  });
});

describe('busiestDay', () => {
  it('is the first day with the most visits, hidden days aside', () => {
    expect(busiestDay([day('a', 1, 1), day('b', 3, 0), day('c', null, null), day('d', 2, 1)])).toEqual({
      day: 'b',
      visits: 3,
    });
    expect(busiestDay([day('a', 0, 0)])).toBeNull();
  });
});

describe('trend', () => {
  const t = (approved: number, shadow: number) => totals([day('2026-11-26', approved, shadow)]);

  it('compares the share in points and shadow visits relatively', () => {
    expect(trend(t(65, 35), t(60, 40))).toEqual({ sharePoints: 5, shadowChange: -0.125 });
    expect(trend(t(50, 10), t(50, 0))).toEqual({ sharePoints: -17, shadowChange: 'new' });
    expect(trend(t(5, 0), t(5, 0))).toEqual({ sharePoints: 0, shadowChange: 0 });
  });

  it('says nothing when either period is hidden or missing', () => {
    const hidden = totals([day('2026-11-26', null, null)]);
    expect(trend(t(1, 1), hidden)).toEqual({ sharePoints: null, shadowChange: null });
    expect(trend(hidden, t(1, 1))).toEqual({ sharePoints: null, shadowChange: null });
    expect(trend(t(1, 1), null)).toEqual({ sharePoints: null, shadowChange: null });
  });
});

describe('outcomes and groups', () => {
  it('continued rate is proceeded over warned', () => {
    expect(continuedRate({ warned: 80, proceeded: 20, redirected: 0, blocked: 0 })).toBe(0.25);
    expect(continuedRate({ warned: 0, proceeded: 0, redirected: 3, blocked: 1 })).toBeNull();
  });

  it("a group's share is unknown when a part of it is hidden", () => {
    const [engineering, , legal] = fakeDashboard().byGroup;
    expect(groupShare(engineering!)).toBe(0.72);
    expect(groupShare(legal!)).toBeNull();
  });

  it('knows when something on the page is hidden, to explain "< k"', () => {
    expect(hasHiddenNumbers(fakeDashboard())).toBe(true);
    expect(hasHiddenNumbers(fakeDashboard({ byGroup: [] }))).toBe(false);
    expect(hasHiddenNumbers(fakeDashboard({ byGroup: [], outcomes: null }))).toBe(true);
    expect(hasHiddenNumbers(fakeDashboard({ byGroup: [], daily: [day('2026-11-26', null, null)] }))).toBe(true);
  });
});
