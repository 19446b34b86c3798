/**
 * Daylight in Firefox ESR, as IT deploys it there: the policy comes from policies.json (managed
 * storage), and warn, redirect and block each reach the nudge page before a single request reaches
 * the tool. The build is .output/firefox-mv3 (`npm test` makes it), installed as a temporary add-on.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeSiteMarker, startFakeSites, type FakeSites } from './support/fake-sites';
import {
  FIREFOX_BUILD,
  EXTENSION_UUID,
  FIREFOX_NUDGE_PAGE,
  launchFirefox,
  loadedAt,
  nudgeHeading,
  onNudgePage,
  visit,
  waitForNudgeHeading,
  waitForPage,
  writeFirefoxPolicies,
  type LaunchedFirefox,
  type RestorePolicies,
} from './support/firefox';

const HOSTS = [
  'chatgpt.com',
  'claude.ai',
  'copilot.microsoft.com',
  'github.com',
  'chat.globex.example',
  'it.globex.example',
];

const POLICY = {
  schemaVersion: 1,
  revision: 'globex-firefox-1',
  organization: { name: 'Globex' },
  sanctioned: [{ id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/', categories: ['chat'] }],
  rules: [
    { tool: 'chatgpt', action: 'block', message: 'Customer data must stay in Globex Chat.' },
    { tool: 'claude', action: 'redirect' },
    { tool: 'copilot', action: 'warn' },
    { tool: 'github-copilot', action: 'block' },
  ],
};

let sites: FakeSites;
let firefox: LaunchedFirefox;
let restorePolicies: RestorePolicies | undefined;

beforeAll(async () => {
  sites = await startFakeSites(HOSTS);
  // claude.ai forbids every framing page, as many AI tools do; the intranet frames it and ChatGPT anyway.
  sites.route('claude.ai', '/', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': "frame-ancestors 'none'" });
    res.end('<title>claude</title>claude');
  });
  sites.route('it.globex.example', '/frames', (_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(
      '<title>frames</title><iframe src="https://chatgpt.com/c/44"></iframe><iframe src="https://claude.ai/"></iframe>',
    );
  });
  sites.route('it.globex.example', '/links', (_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<title>links</title><a id="to-chatgpt" href="https://chatgpt.com/c/42?ref=intranet">ChatGPT</a>');
  });
  // Before the launch: Firefox reads policies.json once, at start-up.
  restorePolicies = writeFirefoxPolicies({ policy: JSON.stringify(POLICY) });
  firefox = await launchFirefox({ extensionDir: FIREFOX_BUILD, sites });
  // In force once the nudge page says what only the managed policy says (the default policy warns).
  const page = await firefox.newPage();
  await waitForNudgeHeading(page, 'https://chatgpt.com/', 'ChatGPT is not available here');
  await page.close();
});

afterAll(async () => {
  try {
    await firefox?.close();
    await sites?.close();
  } finally {
    restorePolicies?.();
  }
});

beforeEach(() => sites.clear());

const requestsTo = (host: string) => sites.requests.filter((request) => request.host === host);

/** The tab, once `url` has sent it to the nudge page. */
async function visitNudge(page: Page, url: string): Promise<Page> {
  await page.goto('https://it.globex.example/');
  await visit(page, url, onNudgePage, `the nudge page for ${url}`);
  return page;
}

/** How many of `toolEvent` (`chatgpt blocked`) this device counted today, as its options page shows them. */
async function countOf(toolEvent: string): Promise<number> {
  const page = await firefox.newPage();
  // Extension pages cannot be opened by WebDriver; the nudge page, itself one, can go to another. Claude's
  // redirect page is the way there: it counts nothing until someone reaches the approved tool.
  await visit(page, 'https://claude.ai/to-options', onNudgePage, 'the nudge page');
  await page.evaluate((url) => void (location.href = url), `moz-extension://${EXTENSION_UUID}/options.html`);
  await waitForPage(page, (s) => s.href.endsWith('/options.html') && s.complete, 'the options page');
  const counts = await page.evaluate(async () => {
    interface Scope {
      browser: {
        runtime: {
          sendMessage(m: unknown): Promise<{ options: { counts: { tool: string; event: string; n: number }[] } }>;
        };
      };
    }
    const answer = await (globalThis as unknown as Scope).browser.runtime.sendMessage({ type: 'options:get' });
    return answer.options.counts.map((count) => [`${count.tool} ${count.event}`, count.n] as const);
  });
  await page.close();
  return counts.filter(([name]) => name === toolEvent).reduce((sum, [, n]) => sum + n, 0);
}

/** The text of every link and button the nudge page offers. */
const actions = (page: Page): Promise<string[]> =>
  page.$$eval('main a, main button', (elements) => elements.map((element) => element.textContent?.trim() ?? ''));

describe('Daylight in Firefox ESR, with the policy from policies.json', () => {
  it('warns before any request reaches the tool; Continue goes on to the exact URL', async () => {
    const url = 'https://copilot.microsoft.com/chats/7?q=draft%20a%20memo#top';
    const page = await firefox.newPage();
    await visit(page, url, onNudgePage, 'the nudge page');
    expect(await nudgeHeading(page)).toBe('Before you use Microsoft Copilot');
    expect(requestsTo('copilot.microsoft.com')).toEqual([]);

    await page.locator('button::-p-text(Continue to Microsoft Copilot)').click();
    const landed = await waitForPage(page, loadedAt(url), `the tab to load ${url}`);
    expect(landed.title).toBe(fakeSiteMarker('copilot.microsoft.com', '/chats/7?q=draft%20a%20memo'));
    expect(requestsTo('copilot.microsoft.com').map((request) => request.path)).toEqual(['/chats/7?q=draft%20a%20memo']);
  });

  it('redirects to the approved tool, and the tool asked for receives nothing', async () => {
    const page = await firefox.newPage();
    await visit(page, 'https://claude.ai/new', onNudgePage, 'the nudge page');
    expect(await nudgeHeading(page)).toBe('Globex has an approved tool for this');
    const landed = await waitForPage(page, loadedAt('https://chat.globex.example/'), 'Globex Chat');
    expect(landed.title).toBe(fakeSiteMarker('chat.globex.example', '/'));
    expect(requestsTo('claude.ai')).toEqual([]);
  });

  it('blocks a tool a link leads to, with no way through', async () => {
    const page = await firefox.newPage();
    await page.goto('https://it.globex.example/links');
    // A navigation started by a page: it reaches the nudge page only because that page is web-accessible.
    await page.click('#to-chatgpt');
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    const offered = await actions(page);
    expect(offered.some((text) => text.startsWith('Open Globex Chat'))).toBe(true);
    expect(offered.filter((text) => /continue/i.test(text))).toEqual([]);
    expect(requestsTo('chatgpt.com')).toEqual([]);

    // Typing the address does not get through either.
    await page.goto('https://it.globex.example/');
    const typed = await visit(page, 'https://chatgpt.com/c/43', onNudgePage, 'the nudge page again');
    expect(typed.href).toBe(`${FIREFOX_NUDGE_PAGE}#https://chatgpt.com/c/43`);
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    expect(requestsTo('chatgpt.com')).toEqual([]);
  });

  it('shows text at 16 px on the nudge page, the options page and the popup', async () => {
    const page = await firefox.newPage();
    const sizes = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('main p, main li, main td, .popup p')]
          .filter((element) => (element.textContent ?? '').trim() !== '')
          .map((element) => parseFloat(getComputedStyle(element).fontSize)),
      );
    expect(await nudgeHeading(await visitNudge(page, 'https://chatgpt.com/size'))).toBe(
      'ChatGPT is not available here',
    );
    const measured: Record<string, number[]> = { nudge: await sizes() };
    for (const name of ['options', 'popup']) {
      // Extension pages cannot be opened by WebDriver; an extension page can go to another.
      await page.evaluate((url) => void (location.href = url), `moz-extension://${EXTENSION_UUID}/${name}.html`);
      await waitForPage(page, (s) => s.href.endsWith(`/${name}.html`) && s.complete, `the ${name} page`);
      await page.waitForFunction(() => document.querySelector('main p, .popup p') !== null);
      measured[name] = await sizes();
    }
    for (const [name, values] of Object.entries(measured)) {
      expect({ name, some: values.length > 0, smallest: Math.min(...values) }).toEqual({
        name,
        some: true,
        smallest: 16,
      });
    }
    await page.close();
  });

  it('blocks every spelling of a path-scoped tool before its request, as Chromium does', async () => {
    const page = await firefox.newPage();
    for (const path of [
      '/copilot',
      '/%63opilot',
      '//copilot',
      '/COPILOT/x',
      '/copilot;x=1',
      '/copilot%3bx',
      '/x/..%2fcopilot',
      '/copilot%2f',
      '/x/..;/copilot',
    ]) {
      const url = `https://github.com${path}`;
      await page.goto('https://it.globex.example/');
      const shown = await visit(page, url, onNudgePage, `the nudge page for ${path}`);
      expect(shown.href).toBe(`${FIREFOX_NUDGE_PAGE}#${url}`);
      expect(await nudgeHeading(page)).toBe('GitHub Copilot is not available here');
    }
    expect(requestsTo('github.com')).toEqual([]);
    // The same server answers what the policy allows: the silence above is the nudge's.
    await visit(page, 'https://github.com/explore', loadedAt('https://github.com/explore'), 'github.com/explore');
    expect(requestsTo('github.com').map((request) => request.path)).toContain('/explore');
  });

  it('shows the framed page for a tool in a frame of another site, also one that forbids framing, with no request', async () => {
    const blockedBefore = await countOf('chatgpt blocked');
    const page = await firefox.newPage();
    await page.goto('https://it.globex.example/frames');
    // WebDriver BiDi does not name an extension page's frame: the framed nudge shows in the counts, which only
    // its commit in a frame the extension sent there adds to.
    await expect.poll(() => countOf('chatgpt blocked'), { timeout: 20_000 }).toBe(blockedBefore + 1);
    expect(requestsTo('chatgpt.com')).toEqual([]);
    expect(requestsTo('claude.ai')).toEqual([]);
    // The frames left the intranet's origin, and no tool answered them: they show the extension's framed page.
    const origins = await page.evaluate(() =>
      [...document.querySelectorAll('iframe')].map((frame) => {
        try {
          return frame.contentWindow?.location.href ?? null;
        } catch {
          return 'another origin';
        }
      }),
    );
    expect(origins).toEqual(['another origin', 'another origin']);
  });
});
