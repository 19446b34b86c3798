/**
 * What an employee meets with the default policy (every known AI tool gets a
 * friendly warning): the nudge appears before a single request reaches the
 * tool, Continue goes to the exact page asked for and holds in other tabs,
 * and navigations DNR cannot see are caught by the webNavigation check.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { CHROME_BUILD, evaluateInServiceWorker, readPolicyState } from './support/extension';
import { NUDGE_PAGE, nudgeHeading, waitForInstalledRules } from './support/daylight';
import { fakeSiteMarker, startFakeSites, type FakeSites } from './support/fake-sites';
import { closedShadowContent } from './support/pages';

// chatgpt.com and claude.ai are AI tools of the catalog; www.bing.com has one AI path (/chat);
// github.com is a page people link from.
const HOSTS = ['chatgpt.com', 'claude.ai', 'www.perplexity.ai', 'www.bing.com', 'github.com'];

interface WorkerScope {
  chrome: {
    scripting: { getRegisteredContentScripts(): Promise<{ matches?: string[] }[]> };
  };
}

let sites: FakeSites;
let chromium: LaunchedChromium;

beforeAll(async () => {
  sites = await startFakeSites(HOSTS);
  sites.route('github.com', '/links', (_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(
      '<title>links</title><a id="to-chatgpt" href="https://chatgpt.com/c/abc?ref=link">ChatGPT</a>' +
        '<button id="go" onclick="location.href=\'https://www.perplexity.ai/search?q=1\'">go</button>',
    );
  });
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites });
  await waitForInstalledRules(chromium);
});

afterAll(async () => {
  await chromium?.close();
  await sites?.close();
});

beforeEach(() => sites.clear());

const requestsTo = (host: string) => sites.requests.filter((request) => request.host === host);

async function expectNudge(page: Page, heading: string): Promise<void> {
  expect(await nudgeHeading(page)).toBe(heading);
}

describe('a warning', () => {
  it('appears before any request reaches the tool; Continue delivers the exact URL', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://claude.ai/new?q=draft%20a%20memo#top');
    await expectNudge(page, 'Before you use Claude');
    expect(requestsTo('claude.ai')).toEqual([]);
    expect(await page.textContent('main')).toContain('Your organization has a policy for AI tools');

    await page.getByRole('button', { name: 'Continue to Claude' }).click();
    await page.waitForURL('https://claude.ai/new?q=draft%20a%20memo#top');
    expect(requestsTo('claude.ai').map((request) => request.path)).toEqual(['/new?q=draft%20a%20memo']);
    expect(await page.title()).toBe(fakeSiteMarker('claude.ai', '/new?q=draft%20a%20memo'));
    await page.close();
  });

  it('after Continue, shows a small dismissible banner in a closed shadow root, which stays dismissed', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://claude.ai/banner');
    await page.waitForSelector('daylight-banner', { state: 'attached' });
    // A closed shadow root: the page's own scripts cannot reach into it.
    expect(await page.evaluate(() => document.querySelector('daylight-banner')?.shadowRoot ?? null)).toBeNull();
    const banner = await closedShadowContent(page, 'daylight-banner');
    expect(banner.text).toContain('Your organization has not reviewed Claude. Think before sharing company data.');
    await page.mouse.click(banner.closeButton.x, banner.closeButton.y);
    await page.waitForSelector('daylight-banner', { state: 'detached' });
    await page.reload();
    await page.waitForTimeout(500);
    expect(await page.$('daylight-banner')).toBeNull();
    await page.close();
  });

  it('stays continued in another tab, for the snooze', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://claude.ai/chat/2');
    expect(page.url()).toBe('https://claude.ai/chat/2');
    expect(requestsTo('claude.ai').map((request) => request.path)).toEqual(['/chat/2']);
    await page.close();
  });

  it('appears for a link click and for location.href, not only typed addresses', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://github.com/links');
    // The banner script runs only on the hosts (and paths) the policy names, never on the rest of the web.
    const matches = await evaluateInServiceWorker(
      chromium,
      async () =>
        (await (globalThis as unknown as WorkerScope).chrome.scripting.getRegisteredContentScripts()).flatMap(
          (script) => script.matches ?? [],
        ),
      undefined,
    );
    expect(matches).toEqual(expect.arrayContaining(['*://*.claude.ai/*', '*://*.github.com/copilot*']));
    expect(matches).not.toContain('*://*.github.com/*');
    await page.click('#to-chatgpt');
    await expectNudge(page, 'Before you use ChatGPT');
    expect(page.url()).toBe(`${NUDGE_PAGE}#https://chatgpt.com/c/abc?ref=link`);

    await page.goto('https://github.com/links');
    await page.click('#go');
    await expectNudge(page, 'Before you use Perplexity');
    expect(requestsTo('chatgpt.com')).toEqual([]);
    expect(requestsTo('www.perplexity.ai')).toEqual([]);
    await page.close();
  });
});

describe('the second line, for what DNR cannot express', () => {
  it('catches a pushState into a path-scoped tool (bing.com/search → bing.com/chat)', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://www.bing.com/search?q=weather');
    expect(await page.title()).toBe(fakeSiteMarker('www.bing.com', '/search?q=weather'));
    await page.evaluate(() => history.pushState({}, '', '/chat?form=1'));
    await expectNudge(page, 'Before you use Microsoft Copilot');
    expect(page.url()).toBe(`${NUDGE_PAGE}#https://www.bing.com/chat?form=1`);
    await page.close();
  });

  it('catches a percent-encoded path (/%63hat is /chat)', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://www.bing.com/%63hat');
    await expectNudge(page, 'Before you use Microsoft Copilot');
    await page.close();
  });

  it('leaves the rest of a mixed host alone', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://www.bing.com/chatter');
    await page.waitForTimeout(500);
    expect(page.url()).toBe('https://www.bing.com/chatter');
    await page.close();
  });
});

describe('a stopped service worker', () => {
  it('still nudges, and the nudge page still explains, after Chromium stops the worker', async () => {
    await chromium.stopServiceWorker();
    expect(await chromium.serviceWorkerStatus()).toBe('stopped');
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    await expectNudge(page, 'Before you use ChatGPT');
    expect(requestsTo('chatgpt.com')).toEqual([]);
    // The woken worker took the compiled index from IndexedDB instead of compiling the policy again.
    expect(((await readPolicyState(chromium))?.status as { index?: string } | undefined)?.index).toBe('stored');
    // Claude was continued before the stop: the snooze lives in session rules, not in the worker's memory.
    await page.goto('https://claude.ai/after-stop');
    expect(page.url()).toBe('https://claude.ai/after-stop');
    await page.close();
  });
});
