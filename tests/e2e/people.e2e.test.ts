/**
 * k counts people (docs/spec/report-protocol.md "People"), end to end: three browser profiles (three
 * devices) of one group report to a collector with k = 3, in Chromium and in Firefox ESR. One device
 * uploading again and again all day stays one person, two people stay hidden, the third makes the
 * group visible.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startCollector } from '../../collector/server';
import { DATABASE_FILE } from '../../collector/sqlite/schema';
import type { Dashboard } from '../../lib/protocol/dashboard-api';
import { send, signIn } from '../support/collector';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { waitForInstalledRules, waitForPolicyStatus } from './support/daylight';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, extensionUrl } from './support/extension';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import {
  EXTENSION_UUID,
  FIREFOX_BUILD,
  launchFirefox,
  loadedAt,
  visit,
  waitForNudgeHeading,
  waitForPage,
  writeFirefoxPolicies,
  type LaunchedFirefox,
  type RestorePolicies,
} from './support/firefox';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';

const ADMIN_TOKEN = 'e2e-people-admin-token-0123456789';
const REPORTING_TOKEN = 'e2e-people-reporting-token';
const REVISION = 'globex-people-1';

let sites: FakeSites;
let collector: { url: string; close(): Promise<void> };
let dataDir: string;
let removePolicy: RemovePolicy | null = null;
let restoreFirefoxPolicies: RestorePolicies | null = null;
let adminCookie = '';

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  dataDir = await mkdtemp(join(tmpdir(), 'daylight-people-e2e-'));
  collector = await startCollector({
    port: 0,
    dataDir,
    k: 3,
    adminToken: ADMIN_TOKEN,
    reportingToken: REPORTING_TOKEN,
    log: () => undefined,
  });
  sites = await startFakeSites(['gemini.google.com', 'chatgpt.com']);
  const policy = {
    schemaVersion: 1,
    revision: REVISION,
    // ChatGPT blocked: in Firefox, the nudge page is the way to the options page (see below).
    rules: [
      { tool: 'gemini', action: 'monitor' },
      { tool: 'chatgpt', action: 'block' },
    ],
    reporting: { url: `${collector.url}/v1/reports`, intervalMinutes: 1440 },
  };
  // Machine-wide, as IT deploys it: every profile on this machine is in the group Legal.
  removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, {
    policy: JSON.stringify(policy),
    reportingToken: REPORTING_TOKEN,
    group: 'Legal',
  });
  restoreFirefoxPolicies = writeFirefoxPolicies({
    policy: JSON.stringify(policy),
    reportingToken: REPORTING_TOKEN,
    group: 'Finance',
  });
  adminCookie = await signIn(collector, ADMIN_TOKEN);
});

afterAll(async () => {
  restoreFirefoxPolicies?.();
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await sites?.close();
  await collector?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** A new Chromium profile with Daylight and the managed policy: one more device. */
async function newDevice(): Promise<LaunchedChromium> {
  const device = await launchChromium({ extensionDir: CHROME_BUILD, sites });
  await waitForPolicyStatus(device, (status) => status.revision === REVISION);
  await waitForInstalledRules(device);
  return device;
}

/** Opens Gemini `times` times, then presses Send now on the options page, as someone checking a rollout would. */
async function useAndUpload(device: LaunchedChromium, times: number): Promise<void> {
  const page = await device.context.newPage();
  for (let i = 0; i < times; i++) await page.goto(`https://gemini.google.com/app/${i}`);
  await page.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
  await page.getByRole('button', { name: 'Send now' }).click();
  const status = page.locator('#upload-heading ~ .actions [role="status"]');
  await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^Sent/);
  await page.close();
}

async function groupRow(group: string): Promise<Dashboard['byGroup'][number] | undefined> {
  const answer = await send(`${collector.url}/api/v1/dashboard?group=${group}`, { headers: { cookie: adminCookie } });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as Dashboard).byGroup.find((row) => row.group === group);
}

/**
 * The visits and people the collector stored for Gemini in a group, read from its database file: the counts
 * API hides them below k, which is the point.
 */
function geminiPeople(group: string): { n: number; people: number } {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db
      .prepare<[string], { n: number; people: number }>(
        `SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(people), 0) AS people FROM counts
         WHERE grp = ? AND tool = 'gemini' AND event = 'visit'`,
      )
      .get(group) as { n: number; people: number };
  } finally {
    db.close();
  }
}

describe('k counts people, across real browsers', () => {
  it('one device uploading all day is one person; two stay hidden; the third shows the group', async () => {
    const first = await newDevice();
    // A day of uploads from one browser: visits between each.
    for (let upload = 0; upload < 4; upload++) await useAndUpload(first, 2);
    await first.close();
    expect(geminiPeople('Legal')).toEqual({ n: 8, people: 1 });
    expect(await groupRow('Legal')).toMatchObject({ visits: null, suppressed: true });

    const second = await newDevice();
    await useAndUpload(second, 3);
    await second.close();
    expect(geminiPeople('Legal')).toEqual({ n: 11, people: 2 });
    expect(await groupRow('Legal')).toMatchObject({ visits: null, suppressed: true });

    const third = await newDevice();
    await useAndUpload(third, 1);
    await third.close();
    expect(geminiPeople('Legal')).toEqual({ n: 12, people: 3 });
    expect(await groupRow('Legal')).toMatchObject({ visits: 12, shadow: 12, suppressed: false });
  });

  it('the same in Firefox ESR, whose policy comes from policies.json', async () => {
    for (const [device, uploads] of [
      [1, 3],
      [2, 1],
      [3, 1],
    ] as const) {
      const firefox = await launchFirefox({ extensionDir: FIREFOX_BUILD, sites });
      try {
        for (let upload = 0; upload < uploads; upload++) await useAndUploadInFirefox(firefox, 2);
      } finally {
        await firefox.close();
      }
      const people = geminiPeople('Finance');
      expect(people.people, `after device ${device}`).toBe(device);
      const row = await groupRow('Finance');
      if (device < 3) expect(row).toMatchObject({ visits: null, suppressed: true });
      else expect(row).toMatchObject({ visits: people.n, suppressed: false });
    }
    expect(geminiPeople('Finance').n).toBe(2 * 5);
  });
});

/**
 * Firefox: WebDriver cannot open an extension page, but the nudge page (one itself) can go to the
 * options page. The first nudge also waits for the managed policy to be in force.
 */
async function useAndUploadInFirefox(firefox: LaunchedFirefox, times: number): Promise<void> {
  const page = await firefox.newPage();
  await waitForNudgeHeading(page, 'https://chatgpt.com/', 'ChatGPT is not available here', 30_000);
  for (let i = 0; i < times; i++) {
    const url = `https://gemini.google.com/app/${i}`;
    await visit(page, url, loadedAt(url), `Gemini ${i}`);
  }
  await waitForNudgeHeading(page, 'https://chatgpt.com/', 'ChatGPT is not available here');
  const options = `moz-extension://${EXTENSION_UUID}/options.html`;
  await page.evaluate((url) => void (location.href = url), options);
  await waitForPage(page, (state) => state.href === options && state.complete, 'the options page');
  const status = await page.evaluate(async () => {
    const sendNow = () => [...document.querySelectorAll('button')].find((node) => node.textContent === 'Send now');
    for (let i = 0; i < 100 && sendNow() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    sendNow()?.click();
    for (let i = 0; i < 300; i++) {
      const text = document.querySelector('#upload-heading ~ .actions [role="status"]')?.textContent ?? '';
      if (text.startsWith('Sent')) return text;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return 'no answer';
  });
  expect(status).toMatch(/^Sent/);
  await page.close();
}
