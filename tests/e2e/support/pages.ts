/** Page helpers for what Playwright makes easy to get subtly wrong with Chromium. */
import type { Frame, Page } from 'playwright-core';

/**
 * Navigates to a URL that must fail and returns Chromium's error (`net::ERR_NAME_NOT_RESOLVED`, ...),
 * or throws if the page loaded. It then waits for Chromium's error page to commit: `goto` rejects
 * ~100-200 ms before that, and a `goto` on the same page meanwhile is reported as "interrupted by
 * another navigation to chrome-error://chromewebdata/" (Chromium 156, Playwright 1.65).
 */
export async function gotoExpectingError(page: Page, url: string, timeoutMs = 10_000): Promise<string> {
  // Subscribed before the navigation starts: the page may already show an earlier error page, so
  // only a new commit of one counts.
  let onNavigated: (frame: Frame) => void = () => undefined;
  const errorPage = new Promise<void>((resolve) => {
    onNavigated = (frame) => {
      if (frame === page.mainFrame() && frame.url().startsWith('chrome-error:')) resolve();
    };
    page.on('framenavigated', onNavigated);
  });
  try {
    const error = await page.goto(url, { timeout: timeoutMs }).then(
      () => undefined,
      (failure: unknown) => (failure instanceof Error ? failure.message : String(failure)),
    );
    if (error === undefined) throw new Error(`${url} loaded ("${await page.title()}") but was expected to fail`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      errorPage,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no error page committed for ${url}: ${error}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    await page.waitForLoadState();
    return /net::ERR_[A-Z_]+/.exec(error)?.[0] ?? error;
  } finally {
    page.off('framenavigated', onNavigated);
  }
}
