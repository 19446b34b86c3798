/**
 * Every string a person sees comes from `_locales` (browser.i18n picks the
 * browser's language). Keys are typed from the English file, so a key used
 * here but missing there fails to compile; tests/unit/locales.test.ts checks
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
