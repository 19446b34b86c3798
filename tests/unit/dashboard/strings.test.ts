/** The dashboard's words and numbers: the same whatever the browser's locale or time zone. */
import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDay,
  formatHidden,
  formatPercent,
  formatRange,
  formatShortDay,
  text,
} from '../../../dashboard/strings';

describe('formatting', () => {
  it('writes counts, percentages and days one way', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatPercent(0.654)).toBe('65%');
    expect(formatDay('2026-11-25')).toBe('25 Nov 2026');
    expect(formatShortDay('2026-01-01')).toBe('1 Jan');
    expect(formatRange('2026-10-28', '2026-11-26')).toBe('28 Oct 2026 – 26 Nov 2026');
    expect(formatRange('2026-11-26', '2026-11-26')).toBe('26 Nov 2026');
  });

  it('a count with nothing released reads "not shown", never 0', () => {
    expect(formatHidden(null)).toBe('not shown');
    expect(formatHidden(0)).toBe('0');
    expect(text.hiddenExplained(5)).toContain('fewer than 5 people of a group did on a day');
  });

  it('trends say up or down in words as well as arrows', () => {
    expect(text.trendPoints(5, 30)).toBe('▲ up 5 points from the 30 days before');
    expect(text.trendPoints(-1, 7)).toBe('▼ down 1 point from the 7 days before');
    expect(text.trendChange(-0.125, 30)).toBe('▼ down 13% from the 30 days before');
    expect(text.trendChange(0, 30)).toBe('no change from the 30 days before');
  });

  it('summaries give the numbers the charts draw', () => {
    expect(text.dailySummary('28 Oct – 26 Nov 2026', 3210, '65%', { day: '2026-11-25', visits: 180 })).toBe(
      '28 Oct – 26 Nov 2026: 3,210 visits to AI tools, 65% of them on approved tools. Busiest day: 25 Nov 2026, 180 visits.',
    );
    expect(text.outcomesSummary({ warned: 120, proceeded: 45, redirected: 30, blocked: 1 })).toBe(
      'Of 120 warnings, 45 (38%) were continued past. 30 visits were redirected to an approved tool and 1 blocked.',
    );
    expect(
      text.toolsSummary([
        { name: 'ChatGPT', sanctioned: false, visits: 321 },
        { name: 'Globex Chat', sanctioned: true, visits: 300 },
      ]),
    ).toBe('Most visited: ChatGPT (not approved), 321; Globex Chat (approved), 300.');
  });
});
