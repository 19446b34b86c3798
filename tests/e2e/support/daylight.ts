/** What the e2e files wait for and look at in Daylight itself: its rules, its policy status, its nudge page. */
import type { Page, Worker } from 'playwright-core';
import { DAYLIGHT_EXTENSION_ID, evaluateInServiceWorker, extensionUrl, readPolicyState } from './extension';

export const NUDGE_PAGE = extensionUrl(DAYLIGHT_EXTENSION_ID, 'nudge.html');

type WithWorker = { serviceWorker(): Promise<Worker> };

/** The status the extension keeps in IndexedDB (platform/policy-store.ts). */
export interface PolicyStatus {
  source: string;
  revision: string;
  errors: string[];
  /** When the extension last loaded or checked the policy (ms since the epoch). */
  checkedAt: number;
  index: string;
}

interface RulesScope {
  chrome: { declarativeNetRequest: { getDynamicRules(): Promise<unknown[]> } };
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ready once the policy's rules are installed: a fresh install compiles them in its first moments. */
export async function waitForInstalledRules(chromium: WithWorker): Promise<void> {
  await until(
    () =>
      evaluateInServiceWorker(
        chromium,
        async () => (await (globalThis as unknown as RulesScope).chrome.declarativeNetRequest.getDynamicRules()).length,
        undefined,
      ),
    (count) => count > 0,
    15_000,
    'the extension installed no rules',
  );
}

/** Chromium reads policy files at start and re-reads them every few seconds; the extension applies what arrives. */
export async function waitForPolicyStatus(
  chromium: WithWorker,
  matches: (status: PolicyStatus) => boolean,
): Promise<PolicyStatus> {
  const status = await until(
    async () => (await readPolicyState(chromium))?.status as PolicyStatus | null | undefined,
    (value) => value != null && matches(value),
    40_000,
    'the policy status never matched',
  );
  return status as PolicyStatus;
}

/**
 * The nudge page's heading, once the tab is on the nudge page and it has rendered. `extensionId`: for a
 * build installed under another id (a CRX packed with another key).
 */
export async function nudgeHeading(page: Page, extensionId = DAYLIGHT_EXTENSION_ID): Promise<string | null> {
  const nudgePage = extensionUrl(extensionId, 'nudge.html');
  await page.waitForURL((url) => url.href.startsWith(nudgePage), { timeout: 10_000 });
  await page.locator('h1').waitFor();
  return page.locator('h1').textContent();
}
