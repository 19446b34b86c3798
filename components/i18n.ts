/**
 * Every string a person sees comes from `_locales` (browser.i18n picks the
 * browser's language). Keys are typed from the English file, so a key used
 * here but missing there fails to compile; tests/unit/public/locales.test.ts checks
 * the other languages and finds unused keys.
 */
import type english from '../public/_locales/en/messages.json';

export type MessageKey = keyof typeof english;

/** browser.i18n.getMessage: $1, $2… in the message are replaced by the substitutions, in order. */
export type Translate = (key: MessageKey, substitutions?: string[]) => string;

/** Dates and times in the browser's language, as the options page shows them. */
export function formatTime(locale: string, ms: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** A protocol day (YYYY-MM-DD, local) in the browser's language. */
export function formatDay(locale: string, day: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(year, month - 1, date));
}

/** A moment as the popup says "asks again after …": the time alone today, with the date on another day. */
export function formatLater(locale: string, ms: number, nowMs: number): string {
  const sameDay = new Date(ms).toDateString() === new Date(nowMs).toDateString();
  return sameDay ? new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(ms) : formatTime(locale, ms);
}

/**
 * A duration in a whole unit ("1 hour", "24 hours", "2 days", "90 minutes"), in the browser's
 * language and with its plural rules, so that messages never hard-code a unit word.
 */
export function formatDuration(locale: string, minutes: number): string {
  // "24 hours" reads better than "1 day" for a daily upload; days from two on.
  const [value, unit] =
    minutes >= 2880 && minutes % 1440 === 0
      ? [minutes / 1440, 'day']
      : minutes % 60 === 0
        ? [minutes / 60, 'hour']
        : [minutes, 'minute'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}
