/**
 * The nudge page's address carries the exact URL the person asked for, after `#`: the DNR redirect
 * writes it (a regexSubstitution), the background writes it when the second line sends a tab there,
 * and the nudge page and the popup read it back (ARCHITECTURE.md "Nudge before the request leaves").
 * The fragment never reaches a server, and a DNR redirect to an extension path would drop the URL
 * otherwise.
 */

/** The nudge page, as `runtime.getURL` takes it. */
export const NUDGE_PAGE_PATH = '/nudge.html';

/** The page a nudged tool in a frame shows instead (its address carries the URL the same way). */
export const FRAMED_PAGE_PATH = '/framed.html';

/** The nudge page about `originalUrl`; `nudgePageUrl` is the page's own address (runtime.getURL). */
export function nudgeUrl(nudgePageUrl: string, originalUrl: string): string {
  return `${nudgePageUrl}#${originalUrl}`;
}

/** The fragment is anyone's to write (the pages are web-accessible): only an http(s) URL is linked or gone to. */
export function isWebUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The URL a nudge page's address carries, or null when `url` is not the nudge page about a URL. */
export function originalUrl(nudgePageUrl: string, url: string): string | null {
  const prefix = nudgeUrl(nudgePageUrl, '');
  return url.startsWith(prefix) ? url.slice(prefix.length) : null;
}
