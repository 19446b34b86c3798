/** Reaching into the loaded extension: its pages and its service worker. */
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Worker } from 'playwright-core';

/** The Chrome MV3 build that `npm test` makes (`wxt build`) before running vitest. */
export const CHROME_BUILD = fileURLToPath(new URL('../../../.output/chrome-mv3', import.meta.url));

/** The id the manifest `key` gives the Chrome build (wxt.config.ts); IT names it in policy files. */
export const DAYLIGHT_EXTENSION_ID = 'pjldjipjgdlklngggfgapcpfejoijdfe';

export function extensionUrl(extensionId: string, path: string): string {
  return `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
}

/**
 * Opens an extension page (`popup.html`, ...) in a new tab and waits for its load event. Opening an
 * extension page is also one way to wake a stopped service worker, as a person clicking the toolbar
 * button would (the popup is opened as a tab here: headless Chromium shows no toolbar).
 */
export async function openExtensionPage(context: BrowserContext, extensionId: string, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(extensionUrl(extensionId, path));
  return page;
}

/**
 * Runs `fn(arg)` inside the extension's service worker and returns its (JSON-like) result.
 * `fn` is sent as source text: it sees the worker's globals (`chrome`, `self`, storage), never the
 * test's variables, so pass what it needs through `arg`. `browser` is anything with the
 * `serviceWorker()` of browser.ts: the worker is looked up per call because a stopped and woken
 * worker is a new Worker object. Wake a stopped worker before calling this.
 */
export async function evaluateInServiceWorker<Result, Arg>(
  browser: { serviceWorker(): Promise<Worker> },
  fn: (arg: Arg) => Result | Promise<Result>,
  arg: Arg,
): Promise<Result> {
  const worker = await browser.serviceWorker();
  // Playwright types the argument as Unboxed<Arg> (handles unwrapped), which is Arg itself for the
  // plain JSON-like values these tests pass; a generic Arg cannot be proven so, hence the cast.
  return worker.evaluate<Result, Arg>(fn as never, arg);
}

/**
 * The extension's policy state from its IndexedDB (platform/policy-store.ts), read inside the worker.
 * Opening a database that does not exist yet would create it empty, so that upgrade is aborted: the
 * extension must create it itself.
 */
export async function readPolicyState(chromium: {
  serviceWorker(): Promise<Worker>;
}): Promise<Record<string, unknown> | undefined> {
  return evaluateInServiceWorker(
    chromium,
    () =>
      new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const request = indexedDB.open('daylight');
        request.onupgradeneeded = () => {
          request.transaction?.abort();
          resolve(undefined);
        };
        request.onerror = () =>
          request.error?.name === 'AbortError'
            ? resolve(undefined)
            : reject(request.error ?? new Error('indexedDB.open failed'));
        request.onsuccess = () => {
          const db = request.result;
          const get = db.transaction('policy').objectStore('policy').get('state');
          get.onsuccess = () => {
            db.close();
            resolve(get.result as Record<string, unknown> | undefined);
          };
          get.onerror = () => reject(get.error ?? new Error('reading the policy state failed'));
        };
      }),
    undefined,
  );
}

interface TabsScope {
  chrome: { tabs: { query(info: object): Promise<{ id?: number; url?: string }[]> } };
}

/**
 * The URL of the popup opened as a page about the tab showing `url` (`popup.html?tab=<id>`, which the popup
 * reads: headless Chromium has no toolbar to click). Throws when no tab shows it.
 */
export async function popupUrlForTab(browser: { serviceWorker(): Promise<Worker> }, url: string): Promise<string> {
  const tabId = await evaluateInServiceWorker(
    browser,
    async (wanted) =>
      (await (globalThis as unknown as TabsScope).chrome.tabs.query({})).find((tab) => tab.url === wanted)?.id,
    url,
  );
  if (tabId === undefined) throw new Error(`no tab shows ${url}`);
  return extensionUrl(DAYLIGHT_EXTENSION_ID, `popup.html?tab=${tabId}`);
}
