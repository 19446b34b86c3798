/**
 * The policy IT sets through Chromium's enterprise policy: an inline policy
 * with block and redirect, a live change, a broken change that keeps the last
 * good policy, and a policyUrl whose broken answer does the same. The tests
 * of this file run in order on one browser, as one administrator's day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, evaluateInServiceWorker } from './support/extension';
import { nudgeHeading, waitForPolicyStatus, type PolicyStatus } from './support/daylight';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import { closedShadowContent } from './support/pages';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';
import { rmSync } from 'node:fs';

const HOSTS = ['chatgpt.com', 'claude.ai', 'chat.mistral.ai', 'chat.globex.example', 'it.globex.example'];

interface AlarmScope {
  chrome: { alarms: { get(name: string): Promise<{ scheduledTime: number } | undefined> } };
}

function globexPolicy(revision: string, chatgptAction: string): string {
  return JSON.stringify({
    schemaVersion: 1,
    revision,
    organization: { name: 'Globex', requestAccessUrl: 'https://it.globex.example/request?tool={tool}&host={host}' },
    sanctioned: [{ id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/', categories: ['chat'] }],
    rules: [
      { tool: 'chatgpt', action: chatgptAction, message: 'Customer data must stay in Globex Chat.' },
      { tool: 'claude', action: 'redirect' },
    ],
  });
}

let sites: FakeSites;
let chromium: LaunchedChromium;
let removePolicy: RemovePolicy | null = null;

async function setManaged(config: Record<string, unknown>): Promise<void> {
  removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, config);
}

const waitForStatus = (matches: (status: PolicyStatus) => boolean) => waitForPolicyStatus(chromium, matches);

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  sites = await startFakeSites(HOSTS);
  await setManaged({ policy: globexPolicy('globex-1', 'block') });
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites });
  await chromium.serviceWorker();
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
});

describe('an inline managed policy', () => {
  it('is in force once Chromium hands it over', async () => {
    expect(await waitForStatus((status) => status.revision === 'globex-1')).toMatchObject({
      source: 'managed',
      errors: [],
    });
  });

  it('blocks: no way on, the approved tool one click away, and request access', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/c/42');
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    expect(await page.textContent('main')).toContain('Globex has a policy for AI tools');
    expect(await page.textContent('main')).toContain('Customer data must stay in Globex Chat.');
    expect(await page.getByRole('button', { name: /Continue/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /Open Globex Chat/ }).getAttribute('href')).toBe(
      'https://chat.globex.example/',
    );
    expect(await page.getByRole('link', { name: 'Request access to ChatGPT' }).getAttribute('href')).toBe(
      'https://it.globex.example/request?tool=chatgpt&host=chatgpt.com',
    );
    expect(sites.requests.filter((request) => request.host === 'chatgpt.com')).toEqual([]);
    await page.close();
  });

  it('redirects: says where, counts down, and lands on the approved tool', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://claude.ai/new');
    expect(await nudgeHeading(page)).toBe('Globex has an approved tool for this');
    expect(await page.textContent('main')).toMatch(/Taking you to Globex Chat in \d s\./);
    await page.waitForURL('https://chat.globex.example/', { timeout: 10_000 });
    expect(sites.requests.filter((request) => request.host === 'claude.ai')).toEqual([]);
    expect(sites.requests.some((request) => request.host === 'chat.globex.example')).toBe(true);
    await page.close();
  });

  it('changes live when IT pushes a new one', async () => {
    await setManaged({ policy: globexPolicy('globex-2', 'warn') });
    await waitForStatus((status) => status.revision === 'globex-2');
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page)).toBe('Before you use ChatGPT');
    await page.close();
  });

  it('names the approved tool in the banner after Continue', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://chat.mistral.ai/chat');
    expect(await nudgeHeading(page)).toBe('Before you use Le Chat');
    await page.getByRole('button', { name: 'Continue to Le Chat' }).click();
    await page.waitForURL('https://chat.mistral.ai/chat');
    await page.waitForSelector('daylight-banner', { state: 'attached' });
    expect((await closedShadowContent(page, 'daylight-banner')).text).toBe(
      'Globex has approved Globex Chat for this. Open Globex Chat✕',
    );
    await page.close();
  });

  it('keeps the last good policy when the pushed one is broken, and says why', async () => {
    await setManaged({ policy: '{"schemaVersion": 1, "revision": "globex-3", "defaultAction": "deny"}' });
    const status = await waitForStatus((s) => s.errors.length > 0);
    expect(status.revision).toBe('globex-2');
    expect(status.errors[0]).toMatch(/^managed policy: defaultAction: must be one of/);
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page)).toBe('Before you use ChatGPT');
    await page.close();
  });
});

describe('a policy from policyUrl', () => {
  it('is fetched with the extension; a broken answer keeps the last good policy', async () => {
    sites.route('it.globex.example', '/daylight.json', (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"schemaVersion": 1, "revision": "from-url"');
    });
    await setManaged({ policyUrl: 'https://it.globex.example/daylight.json' });
    const status = await waitForStatus((s) => s.errors.some((error) => error.startsWith('fetched policy:')));
    expect(status).toMatchObject({ source: 'managed', revision: 'globex-2' });
    expect(
      sites.requests.some((request) => request.host === 'it.globex.example' && request.path === '/daylight.json'),
    ).toBe(true);
  });

  it('is in force once a valid one is fetched', async () => {
    sites.route('it.globex.example', '/daylight.json', (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('ETag', '"u1"');
      res.end(globexPolicy('from-url-1', 'block'));
    });
    // A changed managed value makes the extension read its configuration again, and fetch.
    await setManaged({ policyUrl: 'https://it.globex.example/daylight.json', group: 'sales' });
    expect(await waitForStatus((s) => s.revision === 'from-url-1')).toMatchObject({ source: 'url', errors: [] });
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page)).toBe('ChatGPT is not available here');
    await page.close();
  });
  it('refuses a fetched policy older than the fetched one in force (rollback protection)', async () => {
    const serve = (path: string, revision: string, issuedAt: string) =>
      sites.route('it.globex.example', path, (_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ...JSON.parse(globexPolicy(revision, 'warn')), issuedAt }));
      });
    serve('/v2.json', 'issued-v2', '2026-11-26T10:00:00Z');
    await setManaged({ policyUrl: 'https://it.globex.example/v2.json' });
    expect(await waitForStatus((s) => s.revision === 'issued-v2')).toMatchObject({ source: 'url', errors: [] });

    // An attacker on the network path, or a stale mirror, answers with an older policy.
    serve('/v1.json', 'issued-v1', '2026-11-26T09:00:00Z');
    await setManaged({ policyUrl: 'https://it.globex.example/v1.json' });
    const status = await waitForStatus((s) => s.errors.length > 0);
    expect(status.revision).toBe('issued-v2');
    expect(status.errors).toEqual([
      'fetched policy: issuedAt 2026-11-26T09:00:00Z is older than the policy in force (2026-11-26T10:00:00Z); refused as a possible rollback',
    ]);
  });
  it('retries with backoff when the policy server is down, keeping the policy in force', async () => {
    await setManaged({ policyUrl: 'https://down.globex.example/daylight.json' });
    const status = await waitForStatus((s) => s.errors.some((error) => error.startsWith('could not reach')));
    expect(status.revision).toBe('issued-v2');
    const retry = await evaluateInServiceWorker(
      chromium,
      async () => (await (globalThis as unknown as AlarmScope).chrome.alarms.get('policy-retry'))?.scheduledTime,
      undefined,
    );
    // The first retry comes after 30 to 60 seconds (1 minute with jitter, never under Chrome's 30 s floor).
    expect(retry).toBeGreaterThan(Date.now() + 20_000);
    expect(retry).toBeLessThan(Date.now() + 61_000);
  });
});
