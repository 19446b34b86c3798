/**
 * An AI tool inside another site's frame, with the default policy (every known tool warns): the frame
 * shows the small framed page before any request reaches the tool, also for a tool that forbids framing
 * (`frame-ancestors`), "Open in a new tab" gives the whole nudge where Continue works, the second line
 * reaches a frame that pushState took into a tool, and framed visits and nudges are counted.
 */
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OptionsView, SurfaceRequest } from '../../lib/protocol/messages';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, extensionUrl, openExtensionPage } from './support/extension';
import { NUDGE_PAGE, nudgeHeading, waitForInstalledRules } from './support/daylight';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import { axeViolations } from './support/axe';

const FRAMED_PAGE = extensionUrl(DAYLIGHT_EXTENSION_ID, 'framed.html');
const HOSTS = ['wrapper.example', 'chatgpt.com', 'claude.ai', 'github.com'];

interface ExtensionPageScope {
  chrome: { runtime: { sendMessage(request: SurfaceRequest): Promise<{ options: OptionsView }> } };
}

let sites: FakeSites;
let chromium: LaunchedChromium;

/** A page of wrapper.example that frames `src`. */
function framing(path: string, src: string): void {
  sites.route('wrapper.example', path, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(
      `<!doctype html><title>wrapper</title><h1>Wrapper</h1><iframe width="400" height="200" src="${src}"></iframe>`,
    );
  });
}

beforeAll(async () => {
  sites = await startFakeSites(HOSTS);
  // claude.ai forbids every framing page, as many AI tools do.
  sites.route('claude.ai', '/', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': "frame-ancestors 'none'" });
    res.end('<title>claude</title>claude');
  });
  // A page of github.com (no tool) whose own script takes it into github.com/copilot, which no request shows DNR.
  sites.route('github.com', '/start', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<title>start</title><script>setTimeout(() => history.pushState({}, '', '/copilot'), 200)</script>`);
  });
  framing('/chatgpt', 'https://chatgpt.com/c/1?q=memo');
  framing('/claude', 'https://claude.ai/');
  framing('/github', 'https://github.com/start');
  framing('/nudge-page', `${NUDGE_PAGE}#https://chatgpt.com/`);
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites });
  await waitForInstalledRules(chromium);
});

afterAll(async () => {
  await chromium?.close();
  await sites?.close();
});

beforeEach(() => sites.clear());

const requestsTo = (host: string) => sites.requests.filter((request) => request.host === host);

/** The page's one iframe, once it shows the framed page (DNR's redirect, or the second line's). */
async function framedPage(page: Page): Promise<Frame> {
  await expect.poll(() => page.frames().some((f) => f.url().startsWith(FRAMED_PAGE)), { timeout: 10_000 }).toBe(true);
  const frame = page.frames().find((f) => f.url().startsWith(FRAMED_PAGE));
  if (frame === undefined) throw new Error('no framed page');
  await frame.locator('h1').waitFor();
  return frame;
}

/** The counts on this device, as the options page shows them. */
async function counts(): Promise<string[]> {
  const page = await openExtensionPage(chromium.context, DAYLIGHT_EXTENSION_ID, 'options.html');
  const view = await page.evaluate(
    (request: SurfaceRequest) => (globalThis as unknown as ExtensionPageScope).chrome.runtime.sendMessage(request),
    { type: 'options:get' } as SurfaceRequest,
  );
  await page.close();
  return view.options.counts.map((count) => `${count.tool} ${count.event} ${count.n}`).sort();
}

describe('a tool in a frame of another site', () => {
  it('shows the framed page before any request reaches the tool, and counts the nudge once', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://wrapper.example/chatgpt');
    const frame = await framedPage(page);
    expect(await frame.locator('h1').textContent()).toBe('Before you use ChatGPT');
    expect(frame.url()).toBe(`${FRAMED_PAGE}#https://chatgpt.com/c/1?q=memo`);
    expect(await frame.getByRole('button', { name: 'Open in a new tab' }).isVisible()).toBe(true);
    // No Continue in a frame: the page around it could dress it up as its own button.
    expect(await frame.getByRole('button', { name: /Continue/ }).count()).toBe(0);
    expect(requestsTo('chatgpt.com')).toEqual([]);
    await expect.poll(counts).toContain('chatgpt warned 1');
    // The framed page reloading itself is not another nudge (the wrapper reloading would be: the tool is asked for again).
    await frame.evaluate(() => location.reload());
    await framedPage(page);
    expect(await counts()).toContain('chatgpt warned 1');
    await page.close();
  });

  it('shows the framed page for a tool that forbids framing (frame-ancestors), still with no request', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://wrapper.example/claude');
    const frame = await framedPage(page);
    expect(await frame.locator('h1').textContent()).toBe('Before you use Claude');
    expect(requestsTo('claude.ai')).toEqual([]);
    await page.close();
  });

  it('opens the whole nudge in a new tab, where Continue reaches the exact page', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://wrapper.example/chatgpt');
    const frame = await framedPage(page);
    const opened = chromium.context.waitForEvent('page');
    await frame.getByRole('button', { name: 'Open in a new tab' }).click();
    const tab = await opened;
    expect(await nudgeHeading(tab)).toBe('Before you use ChatGPT');
    await tab.getByRole('button', { name: 'Continue to ChatGPT' }).click();
    await tab.waitForURL('https://chatgpt.com/c/1?q=memo');
    expect(requestsTo('chatgpt.com').map((request) => request.path)).toEqual(['/c/1?q=memo']);
    await expect.poll(counts).toContain('chatgpt proceeded 1');
    // ChatGPT is continued to now: the frame shows it, and that framed visit counts as the tab's did.
    await page.reload();
    await expect.poll(() => page.frames().some((f) => f.url() === 'https://chatgpt.com/c/1?q=memo')).toBe(true);
    await expect.poll(counts).toContain('chatgpt visit 2');
    await tab.close();
    await page.close();
  });

  it('sends a frame that its own pushState took into a tool to the framed page (the second line)', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://wrapper.example/github');
    const frame = await framedPage(page);
    expect(frame.url()).toBe(`${FRAMED_PAGE}#https://github.com/copilot`);
    expect(await frame.locator('h1').textContent()).toBe('Before you use GitHub Copilot');
    await page.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has a framed page that axe-core finds no violation on, ${colorScheme}`, async () => {
      const page = await chromium.context.newPage();
      await page.emulateMedia({ colorScheme });
      await page.goto(`${FRAMED_PAGE}#https://claude.ai/`);
      await page.locator('h1').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    });
  }

  it('never renders the whole nudge page in a frame', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://wrapper.example/nudge-page');
    await expect.poll(() => page.frames().some((f) => f.url().startsWith(NUDGE_PAGE)), { timeout: 10_000 }).toBe(true);
    const frame = page.frames().find((f) => f.url().startsWith(NUDGE_PAGE));
    await frame?.waitForLoadState();
    expect(await frame?.locator('h1').count()).toBe(0);
    await page.close();
  });
});
