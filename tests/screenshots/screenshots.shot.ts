/**
 * `npm run screenshots`: the pictures in the README, rendered by the real
 * extension in the real Chromium with an example organization's policy
 * (managed storage, as IT deploys it; writing it needs root, like the e2e
 * suite). Not part of `npm test`, which must not change tracked files.
 */
import { mkdir } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../e2e/support/browser';
import { nudgeHeading, waitForInstalledRules, waitForPolicyStatus } from '../e2e/support/daylight';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, extensionUrl, popupUrlForTab } from '../e2e/support/extension';
import { startFakeSites, type FakeSites } from '../e2e/support/fake-sites';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from '../e2e/support/managed-policy';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const POLICY = {
  schemaVersion: 1,
  revision: '2026-11-26.1',
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
      description: 'Our ChatGPT Enterprise workspace: safe for company and customer data.',
      categories: ['chat', 'search', 'writing'],
    },
    {
      id: 'globex-code',
      name: 'Globex Code',
      url: 'https://code.globex.example/',
      description: 'GitHub Copilot Business, set up for our repositories.',
      categories: ['coding'],
    },
  ],
  training: [
    { title: 'Using AI at Globex (15 min)', url: 'https://learn.globex.example/ai' },
    { title: 'What data may go into an AI tool', url: 'https://learn.globex.example/data' },
  ],
  // Never reached while the pictures are taken (the first upload comes at a random point of a day).
  reporting: { url: 'https://collect.globex.example/v1/reports', intervalMinutes: 1440 },
  rules: [
    { tool: 'claude', action: 'warn', message: 'Customer data stays in Globex Chat, which keeps it in the EU.' },
    { tool: 'perplexity', action: 'redirect', redirectTo: 'globex-chat' },
    { tool: 'deepseek', action: 'block', message: 'Tools hosted outside our approved regions are blocked.' },
  ],
};

const HOSTS = ['claude.ai', 'www.perplexity.ai', 'chat.deepseek.com', 'chat.globex.example'];

let sites: FakeSites;
let chromium: LaunchedChromium;
let removePolicy: RemovePolicy | null = null;

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  rmSync(MANAGED_POLICY_FILE, { force: true });
  sites = await startFakeSites(HOSTS);
  removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, {
    policy: JSON.stringify(POLICY),
    group: 'Sales EMEA',
  });
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites, language: 'en' });
  await waitForPolicyStatus(chromium, (status) => status.revision === POLICY.revision);
  await waitForInstalledRules(chromium);
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
});

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `${OUT}${name}-${colorScheme}.png`, fullPage, animations: 'disabled' });
  }
}

async function nudge(url: string, name: string): Promise<void> {
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 900, height: 760 });
  await page.goto(url);
  await nudgeHeading(page);
  await shoot(page, name, false);
  await page.close();
}

it('renders the nudge page for each action', async () => {
  await nudge('https://claude.ai/new', 'nudge-warn');
  await nudge('https://www.perplexity.ai/search', 'nudge-redirect');
  await nudge('https://chat.deepseek.com/', 'nudge-block');
});

it('renders the popup and the options page', async () => {
  const site = await chromium.context.newPage();
  await site.goto('https://claude.ai/new');
  await site.getByRole('button', { name: 'Continue to Claude' }).click();
  await site.waitForURL('https://claude.ai/new');
  const popup = await chromium.context.newPage();
  // The toolbar popup's size: Chromium fits it to the page, at most 800 × 600.
  await popup.setViewportSize({ width: 352, height: 600 });
  await popup.goto(await popupUrlForTab(chromium, 'https://claude.ai/new'));
  await popup.locator('.site').waitFor();
  await shoot(popup, 'popup');

  const options = await chromium.context.newPage();
  await options.setViewportSize({ width: 900, height: 1000 });
  await options.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
  await options.locator('h2#usage-heading').waitFor();
  await shoot(options, 'options');
});
