/** What the dashboard computes from the API's answer: totals of what was shown, the trend, shares. */
import { describe, expect, it } from 'vitest';
import { busiestDay, continuedRate, everyDay, groupShare, totals, trend } from '../../../dashboard/model';
import { fakeDashboard } from '../../support/dashboard-fixture';

const day = (d: string, sanctioned: number | null, shadow: number | null) => ({
  day: d,
  sanctioned,
  shadow,
  sanctionedPeople: null,
  shadowPeople: null,
});

describe('totals', () => {
  it('adds the days and gives the approved share', () => {
    expect(totals([day('2026-11-25', 30, 10), day('2026-11-26', 15, 5)])).toEqual({
      approved: 45,
      shadow: 15,
      visits: 60,
      share: 0.75,
      allHidden: false,
    });
  });

  it('adds what was shown, a count not shown as nothing; with nothing shown at all, says nothing', () => {
    const result = totals([day('2026-11-25', 30, null), day('2026-11-26', null, null), day('2026-11-27', 5, 4)]);
    expect(result).toMatchObject({ approved: 35, shadow: 4, visits: 39, allHidden: false });
    expect(totals([day('2026-11-26', null, null)])).toMatchObject({ allHidden: true, share: null });
    expect(totals([day('2026-11-25', null, null), day('2026-11-26', null, null)])).toMatchObject({ allHidden: true });
  });

  it('has no share without visits', () => {
    expect(totals([day('2026-11-26', 0, 0)]).share).toBeNull();
    expect(totals([]).share).toBeNull();
  });
});

describe('everyDay', () => {
  it('fills the days the collector did not list with nothing shown, drops days outside', () => {
    expect(
      everyDay(
        [day('2026-11-24', null, null), day('2026-11-26', 3, 1), day('2026-12-01', 9, 9)],
        '2026-11-24',
        '2026-11-26',
      ),
    ).toEqual([day('2026-11-24', null, null), day('2026-11-25', null, null), day('2026-11-26', 3, 1)]);
  });
});

describe('busiestDay', () => {
  it('is the first day with the most shown visits', () => {
    expect(busiestDay([day('a', 1, 1), day('b', 3, null), day('c', null, null), day('d', 2, 1)])).toEqual({
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

  it("a group's share is of its shown visits, unknown when none was shown", () => {
    const [engineering, , legal] = fakeDashboard().byGroup;
    expect(groupShare(engineering!)).toBe(0.72);
    expect(groupShare(legal!)).toBeNull();
    expect(groupShare({ ...engineering!, visits: 40, sanctioned: null, shadow: 40 })).toBe(0);
  });
});
