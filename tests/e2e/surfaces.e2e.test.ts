/**
 * What an employee sees around the nudges, in the real Chromium with Globex's
 * managed policy: the popup's answer for the site in front of them, the
 * options page's account of what Daylight knows and sends, keyboard use,
 * axe-core in light and dark mode, and the browser's language.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { axeViolations } from './support/axe';
import { nudgeHeading, NUDGE_PAGE, waitForInstalledRules, waitForPolicyStatus } from './support/daylight';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, extensionUrl, popupUrlForTab } from './support/extension';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';

const HOSTS = [
  'claude.ai',
  'chatgpt.com',
  'www.perplexity.ai',
  'gemini.google.com',
  'github.com',
  'chat.globex.example',
  'code.globex.example',
  'it.globex.example',
  'learn.globex.example',
  'chat.deepseek.com',
];

const GLOBEX_POLICY = {
  schemaVersion: 1,
  revision: 'globex-7',
  organization: {
    name: 'Globex',
    supportUrl: 'https://it.globex.example/help',
    requestAccessUrl: 'https://it.globex.example/request?tool={tool}',
  },
  sanctioned: [
    {
      id: 'globex-chat',
      name: 'Globex Chat',
      url: 'https://chat.globex.example/',
      description: 'Chat for company and customer data.',
      categories: ['chat', 'search'],
    },
    { id: 'globex-code', name: 'Globex Code', url: 'https://code.globex.example/', categories: ['coding'] },
  ],
  training: [{ title: 'Using AI at Globex', url: 'https://learn.globex.example/ai' }],
  rules: [
    { tool: 'claude', action: 'warn', message: 'Customer data stays in Globex Chat.' },
    { tool: 'chatgpt', action: 'block' },
    { tool: 'perplexity', action: 'redirect', redirectTo: 'globex-chat' },
    { tool: 'gemini', action: 'monitor' },
  ],
};

let sites: FakeSites;
let chromium: LaunchedChromium;
let removePolicy: RemovePolicy | null = null;

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  sites = await startFakeSites(HOSTS);
  sites.route('chat.globex.example', '/spa', (_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<title>spa</title><script>history.replaceState(null, "", "/spa?session=1")</script>');
  });
  removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, { policy: JSON.stringify(GLOBEX_POLICY) });
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites });
  await waitForPolicyStatus(chromium, (status) => status.revision === 'globex-7');
  await waitForInstalledRules(chromium);
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
});

/** A page at `url`, and the popup opened as a page about its tab (headless Chromium has no toolbar). */
async function popupFor(url: string): Promise<{ site: Page; popup: Page }> {
  const site = await chromium.context.newPage();
  await site.goto(url);
  const popup = await chromium.context.newPage();
  await popup.goto(await popupUrlForTab(chromium, site.url()));
  await popup.locator('.site').waitFor();
  return { site, popup };
}

async function openOptions(): Promise<Page> {
  const page = await chromium.context.newPage();
  await page.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
  await page.locator('h2#usage-heading').waitFor();
  return page;
}

/** The options page's usage table as "day | tool | event" → count. */
async function usageTable(): Promise<Map<string, number>> {
  const page = await openOptions();
  const rows = await page
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  await page.close();
  return new Map(rows.map(([day, tool, event, n]) => [`${day} | ${tool} | ${event}`, Number(n?.replace(/\D/g, ''))]));
}

/** A message as _locales/<locale>/messages.json has it. */
function messageOf(locale: string, key: string): string {
  const file = new URL(`../../public/_locales/${locale}/messages.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, { message: string }>)[key]?.message ?? '';
}

/** Focus moves in an effect, just after the page first paints: wait for it with expect.poll. */
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? null);

describe('the popup', () => {
  it('on an approved tool: says so, with the organization and its tools', async () => {
    const { site, popup } = await popupFor('https://chat.globex.example/');
    expect(await popup.locator('.site').textContent()).toBe('✓ Globex Chat is approved by Globex.');
    expect(await popup.locator('header').textContent()).toContain('Globex');
    expect(await popup.getByRole('link', { name: /Globex Chat/ }).getAttribute('href')).toBe(
      'https://chat.globex.example/',
    );
    expect(await popup.textContent('main')).toContain('Chat for company and customer data.');
    expect(await popup.getByRole('link', { name: 'Using AI at Globex' }).getAttribute('href')).toBe(
      'https://learn.globex.example/ai',
    );
    expect(await popup.textContent('footer')).toContain('Policy globex-7');
    expect(await popup.locator('.notice').count()).toBe(0);
    await Promise.all([site.close(), popup.close()]);
  });

  it('on a tool that is not approved: the approved one for the same job first, focused, a keypress away', async () => {
    const { site, popup } = await popupFor('https://gemini.google.com/app');
    expect(await popup.locator('.site .status').textContent()).toBe('! Gemini is not approved by Globex.');
    expect(await popup.getByRole('link', { name: 'Request access to Gemini' }).getAttribute('href')).toBe(
      'https://it.globex.example/request?tool=gemini',
    );
    await expect.poll(() => focusedText(popup)).toMatch(/^Globex Chat/);
    const [opened] = await Promise.all([chromium.context.waitForEvent('page'), popup.keyboard.press('Enter')]);
    await opened.waitForURL('https://chat.globex.example/');
    await Promise.all([site.close(), popup.close(), opened.close()]);
  });

  it('on a nudge page: speaks about the tool the person asked for', async () => {
    const { site, popup } = await popupFor('https://chatgpt.com/c/1');
    expect(site.url().startsWith(NUDGE_PAGE)).toBe(true);
    expect(await popup.locator('.site').textContent()).toContain('It cannot be opened in this browser.');
    expect(await popup.locator('.site .status').textContent()).toBe('! ChatGPT is not approved by Globex.');
    await Promise.all([site.close(), popup.close()]);
  });

  it('on another site: not an AI tool; by keyboard alone, opens the options page', async () => {
    const { site, popup } = await popupFor('https://github.com/daylight');
    expect(await popup.locator('.site').textContent()).toBe('github.com is not an AI tool Daylight knows.');
    const details = popup.getByRole('button', { name: 'Details and privacy' });
    for (
      let presses = 0;
      presses < 10 && !(await details.evaluate((node) => node === document.activeElement));
      presses++
    ) {
      await popup.keyboard.press('Tab');
    }
    const [options] = await Promise.all([
      chromium.context.waitForEvent('page'),
      // The popup closes itself once the options page opens, which may end the key press early.
      popup.keyboard.press('Enter').catch(() => undefined),
    ]);
    await options.waitForURL(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
    await Promise.all([site.close(), options.close()]);
  });
});

describe('the options page', () => {
  it('shows where the policy came from, and no problems', async () => {
    const page = await openOptions();
    const policy = await page.locator('section[aria-labelledby="policy-heading"]').textContent();
    expect(policy).toContain('Globex');
    expect(policy).toContain('globex-7');
    expect(policy).toContain("Set by your IT department in the browser's settings");
    expect(policy).toContain('No problems with the latest update.');
    expect(await page.textContent('section[aria-labelledby="privacy-heading"]')).toContain(
      'Nothing is sent: your organization has not turned on reporting. If it does, the counts above are sent then.',
    );
    await page.close();
  });

  it('counts each nudge and each visit, sanctioned tools included, and lists them', async () => {
    const before = await usageTable();
    const page = await chromium.context.newPage();
    await page.goto('https://claude.ai/new');
    expect(await nudgeHeading(page)).toBe('Before you use Claude');
    await page.reload();
    expect(await nudgeHeading(page)).toBe('Before you use Claude');
    await page.getByRole('button', { name: 'Continue to Claude' }).click();
    await page.waitForURL('https://claude.ai/new');
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    // A single-page app rewrites its address while it loads: still one visit.
    await page.goto('https://chat.globex.example/spa');
    await page.waitForURL('https://chat.globex.example/spa?session=1');
    await page.goto('https://www.perplexity.ai/search?q=1');
    expect(await nudgeHeading(page)).toBe('Globex has an approved tool for this');
    await page.getByRole('link', { name: 'Go now' }).click();
    await page.waitForURL('https://chat.globex.example/');
    await page.goto('https://github.com/');

    const today = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date());
    const added = (after: Map<string, number>, tool: string, event: string) =>
      (after.get(`${today} | ${tool} | ${event}`) ?? 0) - (before.get(`${today} | ${tool} | ${event}`) ?? 0);
    const expected = {
      claudeWarned: 1, // the reload showed the same warning again: not a second one
      claudeContinued: 1,
      claudeOpened: 1,
      chatgptBlocked: 1,
      perplexitySentToGlobex: 1,
      globexOpened: 2,
    };
    // Counting runs in the background, beside the pages: poll until it has caught up.
    await expect
      .poll(async () => {
        const after = await usageTable();
        return {
          claudeWarned: added(after, 'Claude', 'Warning shown'),
          claudeContinued: added(after, 'Claude', 'Continued after a warning'),
          claudeOpened: added(after, 'Claude', 'Opened'),
          chatgptBlocked: added(after, 'ChatGPT', 'Blocked'),
          perplexitySentToGlobex: added(after, 'Perplexity', 'Sent to an approved tool'),
          globexOpened: added(after, 'Globex Chat', 'Opened'),
        };
      })
      .toEqual(expected);
    // Nothing more arrives later, and a site that is no AI tool is not counted at all.
    await page.waitForTimeout(300);
    const after = await usageTable();
    expect(added(after, 'Globex Chat', 'Opened')).toBe(expected.globexOpened);
    expect([...after.keys()].some((key) => key.toLowerCase().includes('github.com'))).toBe(false);
    await page.close();
  });
});

describe('a web page that wants around the nudge', () => {
  it('sending its tab to the nudge page itself counts nothing, and Continue there is refused', async () => {
    const before = await usageTable();
    const page = await chromium.context.newPage();
    const sendTabTo = (url: string) =>
      page.evaluate((target) => {
        location.href = target;
      }, `${NUDGE_PAGE}#${url}`);
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.goto('https://github.com/forge');
      await sendTabTo('https://chatgpt.com/forged');
      expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    }
    // DeepSeek warns and was not continued to (Claude was, above: its snooze lets any spelling of it through).
    await page.goto('https://github.com/forge');
    await sendTabTo('https://chat.deepseek.com/forged');
    expect(await nudgeHeading(page)).toBe('Before you use DeepSeek');
    await page.getByRole('button', { name: 'Continue to DeepSeek' }).click();
    await page.getByRole('alert').waitFor();
    expect(page.url()).toBe(`${NUDGE_PAGE}#https://chat.deepseek.com/forged`);
    // A real navigation to a blocked tool, in the same tab, still counts: counting is caught up once it shows.
    await page.goto('https://chatgpt.com/real');
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');

    const today = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date());
    const added = (after: Map<string, number>, tool: string, event: string) =>
      (after.get(`${today} | ${tool} | ${event}`) ?? 0) - (before.get(`${today} | ${tool} | ${event}`) ?? 0);
    await expect.poll(async () => added(await usageTable(), 'ChatGPT', 'Blocked')).toBe(1);
    const after = await usageTable();
    expect({
      deepseekWarned: added(after, 'DeepSeek', 'Warning shown'),
      deepseekContinued: added(after, 'DeepSeek', 'Continued after a warning'),
    }).toEqual({ deepseekWarned: 0, deepseekContinued: 0 });
    await page.close();
  });
});

describe('keyboard alone', () => {
  it('the nudge page starts on the approved tool; Enter opens it', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/c/keyboard');
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    await expect.poll(() => focusedText(page)).toMatch(/^Open Globex Chat/);
    await page.keyboard.press('Enter');
    await page.waitForURL('https://chat.globex.example/');
    await page.close();
  });

  it('a redirect starts on "Go now", and Tab then Enter stops the countdown', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://www.perplexity.ai/search?q=1');
    expect(await nudgeHeading(page)).toBe('Globex has an approved tool for this');
    await expect.poll(() => focusedText(page)).toBe('Go now');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Stay on this page');
    await page.keyboard.press('Enter');
    await page.getByText('Countdown stopped.').waitFor();
    expect(page.url().startsWith(NUDGE_PAGE)).toBe(true);
    await page.close();
  });
});

/** The computed size of every paragraph, list item and table cell of the page's text, in px. */
const textSizes = (page: Page): Promise<number[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('main p, main li, main td, .popup p')]
      .filter((element) => (element.textContent ?? '').trim() !== '')
      .map((element) => parseFloat(getComputedStyle(element).fontSize)),
  );

describe('text people read', () => {
  // Chromium's own style for extension pages sets body to 75% (12 px); Daylight's text is 16 px, as in Firefox.
  it.each([
    ['the nudge page', () => nudgePage('https://chat.deepseek.com/size', 'Before you use DeepSeek')],
    ['the popup', async () => (await popupFor('https://gemini.google.com/size')).popup],
    ['the options page', openOptions],
  ] as const)('is 16 px on %s', async (_name, open) => {
    const page = await open();
    const sizes = await textSizes(page);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(16);
    await page.close();
  });
});

describe('axe-core finds no violation', () => {
  const pages: [name: string, open: () => Promise<Page>][] = [
    // DeepSeek warns by the default action; Claude was continued to above, and that snooze still holds.
    ['the warning', () => nudgePage('https://chat.deepseek.com/axe', 'Before you use DeepSeek')],
    ['the redirect', () => nudgePage('https://www.perplexity.ai/axe', 'Globex has an approved tool for this')],
    ['the block', () => nudgePage('https://chatgpt.com/axe', 'ChatGPT is not available here')],
    ['the popup', async () => (await popupFor('https://gemini.google.com/axe')).popup],
    ['the options page', openOptions],
  ];
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [name, open] of pages) {
      it(`on ${name}, ${colorScheme}`, async () => {
        const page = await open();
        await page.emulateMedia({ colorScheme });
        expect(await axeViolations(page)).toEqual([]);
        await page.close();
      });
    }
  }
});

async function nudgePage(url: string, heading: string): Promise<Page> {
  const page = await chromium.context.newPage();
  await page.goto(url);
  expect(await nudgeHeading(page)).toBe(heading);
  return page;
}

describe('a policy update that fails', () => {
  it('leaves the last good policy in force; the popup says so and the options page shows why, verbatim', async () => {
    const broken = { ...GLOBEX_POLICY, revision: 'globex-8', rules: [{ tool: 'claude', action: 'forbid' }] };
    removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, { policy: JSON.stringify(broken) });
    const status = await waitForPolicyStatus(chromium, (current) => current.errors.length > 0);
    expect(status.revision).toBe('globex-7');

    const { site, popup } = await popupFor('https://chat.globex.example/notice');
    expect(await popup.locator('.notice').textContent()).toContain(
      "Daylight could not update your organization's policy. The last good one (revision globex-7) still applies.",
    );
    const [options] = await Promise.all([
      chromium.context.waitForEvent('page'),
      popup.getByRole('button', { name: 'Show details' }).click(),
    ]);
    await options.locator('.problems').waitFor();
    expect(await options.locator('.problems pre').allTextContents()).toEqual(status.errors);
    expect(await options.locator('.problems pre').first().textContent()).toContain('rules[0].action');
    await Promise.all([site.close(), options.close()]);
  });
});

describe("in the browser's language", () => {
  it('German: the nudge page and the options page speak German', async () => {
    // Without a managed policy: the bundled default warns about every known AI tool.
    await removePolicy?.();
    const german = await launchChromium({ extensionDir: CHROME_BUILD, sites, language: 'de' });
    try {
      await waitForInstalledRules(german);
      const page = await german.context.newPage();
      await page.goto('https://chat.deepseek.com/');
      await page.waitForURL((url) => url.href.startsWith(NUDGE_PAGE));
      await page.locator('h1').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toMatch(/^de/);
      expect(await page.locator('h1').textContent()).toContain('DeepSeek');
      expect(await page.getByRole('button', { name: /DeepSeek/ }).textContent()).toBe(
        messageOf('de', 'nudgeContinue').replace('$1', 'DeepSeek'),
      );
      const options = await german.context.newPage();
      await options.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
      await options.locator('h2#usage-heading').waitFor();
      expect(await options.locator('h1').textContent()).toBe(messageOf('de', 'optionsTitle'));
      expect(await options.locator('h2#usage-heading').textContent()).toBe(messageOf('de', 'optionsUsageHeading'));
    } finally {
      await german.close();
    }
  });
});
