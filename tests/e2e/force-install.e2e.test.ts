/**
 * IT's whole path, for real, in Debian's Chromium: `daylight keygen` makes the signing key, `daylight
 * sign` signs the policy, `daylight serve` serves it with its signature, `daylight deploy` writes the
 * Linux policy file, which goes to /etc/chromium/policies/managed. Chromium then force-installs a
 * CRX (packed with a throwaway key) from a local update server; the extension fetches the policy,
 * verifies it against the managed policySigningKey, and nudges. A tampered policy, a signature by
 * another key and a rolled-back issuedAt are each refused with the reason on the popup and the
 * options page. The tests run in order on one browser, as one administrator's day.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { startTestCollector, type TestCollector } from '../support/collector';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { nudgeHeading, waitForPolicyStatus } from './support/daylight';
import { CHROME_BUILD, evaluateInServiceWorker, openExtensionPage } from './support/extension';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import {
  packWithThrowawayKey,
  startUpdateServer,
  type PackedExtension,
  type UpdateServer,
} from './support/force-install';
import { writePolicyFile, type RemovePolicy } from './support/managed-policy';

/** Where Chromium reads machine-wide policy; the generated file goes here as IT would copy it. */
const DEPLOYED_FILE = '/etc/chromium/policies/managed/daylight-e2e-deploy.json';
/**
 * Test-only: Playwright attaches to the extension's worker through the developer tools, which
 * Chromium denies for force-installed extensions by default (docs/browsers.md "Force-install"). IT's hardening file
 * keeps that default; this lifts it for the test browser alone.
 */
const DEVTOOLS_FILE = '/etc/chromium/policies/managed/daylight-e2e-devtools.json';

interface ManagementScope {
  chrome: {
    management: { getSelf(): Promise<{ installType: string; mayDisable: boolean; enabled: boolean }> };
    storage: { managed: { get(): Promise<Record<string, unknown>> } };
  };
}

let work: string;
let packed: PackedExtension;
let updates: UpdateServer;
let collector: TestCollector;
let sites: FakeSites;
let chromium: LaunchedChromium;
const removals: RemovePolicy[] = [];

let signingPublicKey: string;
const policyFile = () => join(work, 'policy', 'policy.json');
const keyDir = (name: string) => join(work, name);

function cli(args: readonly string[]): string {
  const run = runCli(args);
  if (run.status !== 0) throw new Error(`daylight ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

function globexPolicy(revision: string, issuedAt: string, chatgptAction: string): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      revision,
      issuedAt,
      organization: { name: 'Globex' },
      sanctioned: [
        { id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/', categories: ['chat'] },
      ],
      rules: [{ tool: 'chatgpt', action: chatgptAction }],
    },
    null,
    2,
  )}\n`;
}

/** What IT puts on the policy server: the policy, and its signature by the key in `keys`. */
function publishSigned(text: string, keys: string): void {
  writeFileSync(policyFile(), text);
  // As they are: the tests give each policy the issuedAt its case needs (a rollback, a later one).
  cli(['sign', policyFile(), '--key', join(keys, 'daylight-signing-key.pem'), '--as-is']);
}

/** Waits until the collector serves `text` (it reloads an edited file within moments). */
async function served(text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await (await fetch(`${collector.url}/v1/policy`)).text()) !== text) {
    if (Date.now() > deadline) throw new Error('the collector never served the new policy');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `daylight deploy` for Linux Chromium, copied where Chromium reads it; a new group makes the extension fetch again. */
async function deploy(group: string): Promise<void> {
  const out = mkdtempSync(join(work, 'deploy-'));
  cli([
    'deploy',
    '--browser',
    'chrome',
    '--os',
    'linux',
    '--policy-url',
    `${collector.url}/v1/policy`,
    '--signing-key-file',
    join(keyDir('keys'), 'daylight-signing-key.pub'),
    '--group',
    group,
    '--update-url',
    updates.updateUrl,
    '--extension-id',
    packed.extensionId,
    '--out',
    out,
  ]);
  removals.push(await writePolicyFile(DEPLOYED_FILE, readFileSync(join(out, 'daylight.json'), 'utf8')));
}

beforeAll(async () => {
  rmSync(DEPLOYED_FILE, { force: true });
  rmSync(DEVTOOLS_FILE, { force: true });
  work = mkdtempSync(join(tmpdir(), 'daylight-deploy-e2e-'));
  signingPublicKey = cli(['keygen', '--out', keyDir('keys')]).trim();
  cli(['keygen', '--out', keyDir('other-keys')]);
  mkdirSync(join(work, 'policy'));
  publishSigned(globexPolicy('signed-1', '2026-11-26T10:00:00Z', 'block'), keyDir('keys'));
  collector = await startTestCollector({ policyFile: policyFile() });
  packed = packWithThrowawayKey(CHROME_BUILD);
  updates = await startUpdateServer(packed);
  sites = await startFakeSites(['chatgpt.com', 'chat.globex.example']);
  await deploy('sales');
  removals.push(await writePolicyFile(DEVTOOLS_FILE, '{ "DeveloperToolsAvailability": 1 }\n'));
  chromium = await launchChromium({ extensionDir: null, sites });
}, 90_000);

afterAll(async () => {
  await Promise.all(removals.map((remove) => remove()));
  rmSync(DEPLOYED_FILE, { force: true });
  rmSync(DEVTOOLS_FILE, { force: true });
  await chromium?.close();
  await Promise.all([sites?.close(), updates?.close(), collector?.dispose()]);
  packed?.dispose();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('force-installed by the generated policy file', () => {
  it('installs itself from the update URL, as an admin install nobody can disable', async () => {
    expect(chromium.extensionId).toBe(packed.extensionId);
    expect(updates.requests).toContain('/update.xml');
    expect(updates.requests).toContain('/daylight.crx');
    const self = await evaluateInServiceWorker(
      chromium,
      () => (globalThis as unknown as ManagementScope).chrome.management.getSelf(),
      undefined,
    );
    expect(self).toMatchObject({ installType: 'admin', mayDisable: false, enabled: true });
  });

  it('reads its configuration from the same file', async () => {
    // Chromium hands an extension its policy once the extension is installed and its schema known.
    const managed = () =>
      evaluateInServiceWorker(
        chromium,
        () => (globalThis as unknown as ManagementScope).chrome.storage.managed.get(),
        undefined,
      );
    await expect.poll(managed, { timeout: 15_000 }).toEqual({
      policyUrl: `${collector.url}/v1/policy`,
      policySigningKey: signingPublicKey,
      group: 'sales',
    });
  });

  it('fetches the signed policy, verifies it, and nudges by it', async () => {
    expect(await waitForPolicyStatus(chromium, (s) => s.revision === 'signed-1')).toMatchObject({
      source: 'url',
      errors: [],
    });
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page, chromium.extensionId)).toBe('ChatGPT is not available here');
    expect(sites.requests.filter((request) => request.host === 'chatgpt.com')).toEqual([]);
    await page.close();
  });
});

describe('a policy that is not what IT signed', () => {
  const signatureUrl = () => `${collector.url}/v1/policy.sig`;

  /** Publishes, makes the extension fetch, and waits for the refusal of what was published. */
  async function refused(publish: () => Promise<void>, group: string, expected: string): Promise<void> {
    await publish();
    // The previous case may have left the same words: only a check after this publication counts.
    const published = Date.now();
    await deploy(group);
    const status = await waitForPolicyStatus(chromium, (s) => s.checkedAt > published && s.errors.includes(expected));
    expect(status.revision).toBe('signed-1');
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page, chromium.extensionId)).toBe('ChatGPT is not available here');
    await page.close();
  }

  async function popupNotice(): Promise<string | null> {
    const popup = await openExtensionPage(chromium.context, chromium.extensionId, 'popup.html');
    const notice = await popup.locator('.notice').textContent();
    await popup.close();
    return notice;
  }

  it('refuses a tampered policy, and the popup and options page say why', async () => {
    const tampered = globexPolicy('signed-1-edited', '2026-11-26T11:00:00Z', 'allow');
    const expected = `fetched policy: refused, the signature does not match the policy and policySigningKey (${signatureUrl()})`;
    await refused(
      async () => {
        // Someone on the way (or on the server) edits the policy; the signature stays the old one.
        writeFileSync(policyFile(), tampered);
        await served(tampered);
      },
      'sales-tampered',
      expected,
    );
    expect(await popupNotice()).toContain(
      "The new policy was not signed with your organization's key, so it was not trusted.",
    );
    const options = await openExtensionPage(chromium.context, chromium.extensionId, 'options.html');
    await expect.poll(() => options.locator('.problems pre').allTextContents()).toContain(expected);
    await options.close();
  });

  it('refuses a policy signed by another key', async () => {
    const other = globexPolicy('signed-by-other', '2026-11-26T12:00:00Z', 'allow');
    await refused(
      async () => {
        publishSigned(other, keyDir('other-keys'));
        await served(other);
      },
      'sales-other-key',
      `fetched policy: refused, the signature does not match the policy and policySigningKey (${signatureUrl()})`,
    );
  });

  it('refuses a correctly signed policy older than the one in force (a replay)', async () => {
    const older = globexPolicy('signed-0', '2026-11-25T10:00:00Z', 'allow');
    await refused(
      async () => {
        publishSigned(older, keyDir('keys'));
        await served(older);
      },
      'sales-replay',
      'fetched policy: issuedAt 2026-11-25T10:00:00Z is older than the policy in force (2026-11-26T10:00:00Z); refused as a possible rollback',
    );
    expect(await popupNotice()).toContain('The policy offered is older than the one in force, so it was not trusted.');
  });

  it('takes the next policy IT signs, and the notice goes away', async () => {
    const next = globexPolicy('signed-2', '2026-11-26T13:00:00Z', 'warn');
    publishSigned(next, keyDir('keys'));
    await served(next);
    await deploy('sales-next');
    expect(await waitForPolicyStatus(chromium, (s) => s.revision === 'signed-2')).toMatchObject({ errors: [] });
    const page = await chromium.context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await nudgeHeading(page, chromium.extensionId)).toBe('Before you use ChatGPT');
    await page.close();
    const popup = await openExtensionPage(chromium.context, chromium.extensionId, 'popup.html');
    await popup.locator('h1').waitFor();
    expect(await popup.locator('.notice').count()).toBe(0);
    await popup.close();
  });
});
