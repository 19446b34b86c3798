/** The dashboard's filters in the URL, the API and CSV addresses, and the period before for the trend. */
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../../lib/protocol/day';
import { apiUrl, csvUrl, filtersQuery, pageUrl, parseFilters, previousPeriod } from '../../../dashboard/query';

describe('parseFilters', () => {
  it.each([
    ['', {}],
    ['?from=2026-11-01&to=2026-11-26', { from: '2026-11-01', to: '2026-11-26' }],
    ['?group=Sales%20EMEA&revision=2026-11-26.1', { group: 'Sales EMEA', revision: '2026-11-26.1' }],
    ['?group=Sales+EMEA', { group: 'Sales EMEA' }],
    // Malformed, empty or overlong values are dropped, not sent on to the collector.
    ['?from=yesterday&to=2026-11-26', { to: '2026-11-26' }],
    // `group=` asks for the reports without a group, as the API has it; an empty revision is none.
    ['?group=&revision=', { group: '' }],
    [`?group=${'x'.repeat(65)}`, {}],
    ['?tool=chatgpt&event=visit', {}],
    // A reversed period is put the right way round.
    ['?from=2026-11-26&to=2026-11-01', { from: '2026-11-01', to: '2026-11-26' }],
  ])('%s', (search, filters) => {
    expect(parseFilters(search)).toEqual(filters);
  });
});

describe('addresses', () => {
  const filters = { group: 'Sales & Marketing', revision: 'r1', to: '2026-11-26', from: '2026-11-01' };

  it('always name the filters in one order, encoded, and leave out the ones not set', () => {
    expect(filtersQuery(filters)).toBe('from=2026-11-01&to=2026-11-26&group=Sales+%26+Marketing&revision=r1');
    expect(filtersQuery({ group: '' })).toBe('group=');
    expect(filtersQuery({ revision: '' })).toBe('');
    expect(pageUrl({})).toBe('/');
    expect(apiUrl({ group: 'Legal' })).toBe('/api/v1/dashboard?group=Legal');
    expect(csvUrl(filters)).toBe(
      '/api/v1/dashboard.csv?from=2026-11-01&to=2026-11-26&group=Sales+%26+Marketing&revision=r1',
    );
  });

  it('round-trip: what the page writes it reads back', () => {
    expect(parseFilters(pageUrl(filters).slice(1))).toEqual(filters);
    expect(parseFilters(pageUrl({ group: '' }).slice(1))).toEqual({ group: '' });
  });
});

describe('days', () => {
  it('count and move in UTC, across months, leap days and daylight-saving changes', () => {
    expect(addDays('2026-11-01', -1)).toBe('2026-10-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(daysBetween('2026-10-28', '2026-11-26')).toBe(30);
    expect(daysBetween('2026-11-26', '2026-11-26')).toBe(1);
  });

  it('the period before has the same length, ends the day before, and keeps group and revision', () => {
    expect(previousPeriod({ group: 'Legal', revision: 'r1' }, '2026-10-28', '2026-11-26')).toEqual({
      group: 'Legal',
      revision: 'r1',
      from: '2026-09-28',
      to: '2026-10-27',
    });
  });
});
