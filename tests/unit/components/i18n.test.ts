/** Durations and moments in the browser's language, with its plural rules: no unit word is hard-coded in a message. */
import { describe, expect, it } from 'vitest';
import { formatDuration, formatLater } from '../../../components/i18n';

describe('formatDuration', () => {
  it.each([
    ['en', 1, '1 minute'],
    ['en', 90, '90 minutes'],
    ['en', 60, '1 hour'],
    ['en', 1440, '24 hours'],
    ['en', 2880, '2 days'],
    ['en', 10080, '7 days'],
    ['de', 60, '1 Stunde'],
    ['de', 1440, '24 Stunden'],
    ['fr', 120, '2\u00a0heures'], // French puts a no-break space between number and unit
    ['es', 1, '1 minuto'],
    ['ja', 60, '1 時間'],
  ])('%s, %i minutes: %s', (locale, minutes, text) => {
    expect(formatDuration(locale, minutes)).toBe(text);
  });
});

describe('formatLater', () => {
  const now = new Date(2026, 10, 26, 10, 0).getTime();
  it('gives the time alone today, and the date too on another day', () => {
    expect(formatLater('en-US', new Date(2026, 10, 26, 23, 59).getTime(), now)).toBe('11:59 PM');
    expect(formatLater('en-US', new Date(2026, 10, 27, 0, 1).getTime(), now)).toBe('Nov 27, 2026, 12:01 AM');
  });
});
