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

/**
 * The text inside a closed shadow root and where its close button is, through CDP (DOM.getDocument
 * with pierce reaches closed roots, which page scripts and Playwright selectors cannot).
 */
export async function closedShadowContent(
  page: Page,
  hostTag: string,
): Promise<{ text: string; closeButton: { x: number; y: number } }> {
  interface DomNode {
    nodeId: number;
    nodeName: string;
    nodeValue: string;
    children?: DomNode[];
    shadowRoots?: DomNode[];
    attributes?: string[];
  }
  const cdp = await page.context().newCDPSession(page);
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  const all = (node: DomNode): DomNode[] => [
    node,
    ...[...(node.children ?? []), ...(node.shadowRoots ?? [])].flatMap(all),
  ];
  const host = all(root).find((node) => node.nodeName.toLowerCase() === hostTag);
  if (host === undefined) throw new Error(`no <${hostTag}>`);
  const inside = (host.shadowRoots ?? []).flatMap(all);
  const text = inside
    .filter(
      (node) => node.nodeName === '#text' && !inside.some((p) => p.nodeName === 'STYLE' && p.children?.includes(node)),
    )
    .map((node) => node.nodeValue)
    .join('');
  const button = inside.find((node) => node.nodeName === 'BUTTON');
  if (button === undefined) throw new Error('no close button');
  const { model } = (await cdp.send('DOM.getBoxModel', { nodeId: button.nodeId })) as { model: { content: number[] } };
  const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = model.content;
  await cdp.detach();
  return { text, closeButton: { x: (x1 + x3) / 2, y: (y1 + y3) / 2 } };
}
