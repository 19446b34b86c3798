/**
 * Usage counts end to end (docs/spec/report-protocol.md): the built extension in
 * Chromium counts what a person does, and uploads it to a running collector
 * (`daylight serve`, in-process here). Between them sits a relay the test
 * controls: it records every raw upload, can hold one while the test stops
 * the service worker, and can be down. The tests of this file run in order
 * on one browser and one collector, as one working day.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../collector/server';
import type { Report } from '../../lib/protocol/report-schema';
import { getCounts, signIn } from '../support/collector';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { nudgeHeading, waitForInstalledRules, waitForPolicyStatus } from './support/daylight';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, evaluateInServiceWorker, extensionUrl } from './support/extension';
import { fakeSiteMarker, startFakeSites, type FakeSites } from './support/fake-sites';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';

const HOSTS = ['gemini.google.com', 'chat.deepseek.com', 'claude.ai', 'chat.globex.example', 'intranet.globex.example'];
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const REPORTING_TOKEN = 'e2e-reporting-token';

/** The collector's address as the extension knows it: a relay in front of the real one. */
interface Relay {
  readonly port: number;
  /** Every body that reached the relay, raw, and its headers. */
  readonly uploads: { readonly body: string; readonly headers: IncomingMessage['headers'] }[];
  /** The next upload is held until `release()`; resolves once it has arrived. */
  holdNext(): Promise<void>;
  release(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(collectorUrl: string): Promise<Relay> {
  const uploads: { body: string; headers: IncomingMessage['headers'] }[] = [];
  let holding: { arrived: () => void; released: Promise<void> } | null = null;
  let release = () => undefined as void;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    uploads.push({ body, headers: req.headers });
    const held = holding;
    holding = null;
    if (held !== null) {
      held.arrived();
      await held.released;
    }
    const answer = await fetch(new URL(req.url ?? '/', collectorUrl), {
      method: req.method ?? 'GET',
      // What the collector reads; hop-by-hop headers are the relay's own.
      headers: Object.fromEntries(
        ['content-type', 'authorization', 'cookie'].flatMap((name) => {
          const value = req.headers[name];
          return typeof value === 'string' ? [[name, value]] : [];
        }),
      ),
      ...(body !== '' && { body }),
    });
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('Content-Type') ?? 'text/plain' });
    res.end(await answer.text());
  };
  let server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  const port = address.port;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    port,
    uploads,
    holdNext() {
      return new Promise<void>((arrived) => {
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        holding = { arrived, released };
      });
    },
    release: () => release(),
    down: closeServer,
    async up() {
      server = createServer((req, res) => void handle(req, res));
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: closeServer,
  };
}

let sites: FakeSites;
let chromium: LaunchedChromium;
let collector: { url: string; close(): Promise<void> };
let relay: Relay;
let dataDir: string;
let removePolicy: RemovePolicy | null = null;
let adminCookie = '';

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  dataDir = await mkdtemp(join(tmpdir(), 'daylight-collector-e2e-'));
  collector = await startCollector({
    port: 0,
    dataDir,
    // One browser is one person: k = 1, so that the counts API shows what arrived (people.e2e.test.ts tests k).
    k: 1,
    adminToken: ADMIN_TOKEN,
    reportingToken: REPORTING_TOKEN,
    log: () => undefined,
  });
  relay = await startRelay(collector.url);
  sites = await startFakeSites(HOSTS);
  const policy = {
    schemaVersion: 1,
    revision: 'globex-reporting-1',
    organization: { name: 'Globex' },
    sanctioned: [{ id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/', categories: ['chat'] }],
    rules: [
      { tool: 'gemini', action: 'monitor' },
      { tool: 'deepseek', action: 'block' },
      { tool: 'claude', action: 'warn' },
    ],
    reporting: { url: `http://127.0.0.1:${relay.port}/v1/reports`, intervalMinutes: 1440 },
  };
  removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, {
    policy: JSON.stringify(policy),
    reportingToken: REPORTING_TOKEN,
    group: 'Sales EMEA',
  });
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites });
  await waitForPolicyStatus(chromium, (status) => status.revision === 'globex-reporting-1');
  await waitForInstalledRules(chromium);
  adminCookie = await signIn(collector, ADMIN_TOKEN);
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
  await relay?.close();
  await collector?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** What the collector holds, as its JSON API gives it to an admin. */
async function collected(): Promise<Record<string, number>> {
  const rows = await getCounts(collector, adminCookie);
  const sums: Record<string, number> = {};
  for (const row of rows) sums[`${row.tool} ${row.event}`] = (sums[`${row.tool} ${row.event}`] ?? 0) + row.n;
  return sums;
}

/** The options page's "Send now", as IT uses it when checking a rollout; resolves with the status it shows. */
async function sendNow(): Promise<string> {
  const page = await chromium.context.newPage();
  await page.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
  const button = page.getByRole('button', { name: 'Send now' });
  await button.click();
  const status = page.locator('#upload-heading ~ .actions [role="status"]');
  await expect.poll(() => status.textContent()).not.toMatch(/^(Sending…)?$/);
  const text = (await status.textContent()) ?? '';
  await page.close();
  return text;
}

interface IndexedDbScope {
  indexedDB: IDBFactory;
}

/** A live counter in the extension's IndexedDB (platform/usage-store.ts), read inside the worker; 0 when absent. */
async function liveCount(tool: string, event: string): Promise<number> {
  await chromium.wakeServiceWorker();
  return evaluateInServiceWorker(
    chromium,
    ([wantedTool, wantedEvent]) =>
      new Promise<number>((resolve, reject) => {
        const request = (globalThis as unknown as IndexedDbScope).indexedDB.open('daylight-usage');
        request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
        request.onsuccess = () => {
          const db = request.result;
          const get = db.transaction('counters').objectStore('counters').getAll();
          get.onsuccess = () => {
            db.close();
            const rows = get.result as { tool: string; event: string; n: number }[];
            resolve(
              rows.filter((row) => row.tool === wantedTool && row.event === wantedEvent).reduce((a, b) => a + b.n, 0),
            );
          };
        };
      }),
    [tool, event] as const,
  );
}

async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url);
}

/** Totals the test expects at the collector, kept in step with what it does. */
const expected: Record<string, number> = {};
const add = (key: string, n = 1) => {
  expected[key] = (expected[key] ?? 0) + n;
};

describe('usage counts, from the browser to the collector', () => {
  it('arrive, and equal the navigations made', async () => {
    const page = await chromium.context.newPage();
    for (const path of ['/app', '/app/1', '/app/2']) await visit(page, `https://gemini.google.com${path}`);
    add('gemini visit', 3);
    await visit(page, 'https://chat.deepseek.com/a/chat');
    expect(await nudgeHeading(page)).toBe('DeepSeek is not available here');
    add('deepseek blocked');
    await visit(page, 'https://claude.ai/new');
    expect(await nudgeHeading(page)).toBe('Before you use Claude');
    add('claude warned');
    await page.getByRole('button', { name: 'Continue to Claude' }).click();
    await page.waitForURL('https://claude.ai/new');
    add('claude proceeded');
    add('claude visit');
    await visit(page, 'https://chat.globex.example/');
    add('globex-chat visit');
    await visit(page, 'https://intranet.globex.example/');
    await page.close();

    await expect.poll(sendNow).toBe('Sent. The server accepted everything that was waiting.');
    expect(await collected()).toEqual(expected);
    expect(relay.uploads.every((upload) => upload.headers.authorization === `Bearer ${REPORTING_TOKEN}`)).toBe(true);
    expect(relay.uploads.every((upload) => upload.headers.cookie === undefined)).toBe(true);
    const [first] = relay.uploads;
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
      schemaVersion: 1,
      policyRevision: 'globex-reporting-1',
      group: 'Sales EMEA',
      client: { browser: 'chrome' },
    });
  });

  it('lose nothing and count nothing twice when the worker is stopped while counting', async () => {
    const page = await chromium.context.newPage();
    for (let i = 0; i < 4; i++) {
      const before = await liveCount('gemini', 'visit');
      await visit(page, `https://gemini.google.com/app/stop-${i}`);
      add('gemini visit');
      // Stopped as soon as the visit is in IndexedDB: between one count and the next, with no
      // upload to carry them yet. (A worker killed inside its event handler, before the write,
      // loses that event with it; Chromium's own idle stop waits for handlers to finish.)
      await expect.poll(() => liveCount('gemini', 'visit')).toBe(before + 1);
      await chromium.stopServiceWorker();
    }
    await page.close();
    await expect.poll(sendNow).toBe('Sent. The server accepted everything that was waiting.');
    expect(await collected()).toEqual(expected);
  });

  it('lose nothing and count nothing twice when the worker is stopped during an upload', async () => {
    const page = await chromium.context.newPage();
    await visit(page, 'https://gemini.google.com/app/during-upload');
    add('gemini visit');
    await page.close();
    const uploadsBefore = relay.uploads.length;
    const arrived = relay.holdNext();
    const options = await chromium.context.newPage();
    await options.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
    await options.getByRole('button', { name: 'Send now' }).click();
    await arrived;
    // The upload is at the collector's door and the worker waits for the answer: stop it now.
    await chromium.stopServiceWorker();
    relay.release();
    await options.close();
    // The collector took the batch, but the worker never heard: it sends the same batch again.
    await expect.poll(sendNow).toBe('Sent. The server accepted everything that was waiting.');
    const resent = relay.uploads.slice(uploadsBefore).map((upload) => JSON.parse(upload.body) as { batchId: string });
    expect(resent.length).toBeGreaterThanOrEqual(2);
    expect(resent[1]?.batchId).toBe(resent[0]?.batchId);
    expect(await collected()).toEqual(expected);
  });

  it('are delivered later when the collector was down', async () => {
    const page = await chromium.context.newPage();
    await visit(page, 'https://chat.deepseek.com/down');
    expect(await nudgeHeading(page)).toBe('DeepSeek is not available here');
    add('deepseek blocked');
    await page.close();
    await relay.down();
    expect(await sendNow()).toMatch(
      /^Not everything could be sent: could not reach http:\/\/127\.0\.0\.1:\d+\/v1\/reports/,
    );
    expect(await collected()).not.toEqual(expected);
    await relay.up();
    await expect.poll(sendNow).toBe('Sent. The server accepted everything that was waiting.');
    expect(await collected()).toEqual(expected);
  });

  it('never carry a URL, path, host or page text', () => {
    const visited = [
      'gemini.google.com',
      '/app/1',
      'stop-',
      'during-upload',
      'chat.deepseek.com',
      '/a/chat',
      'claude.ai',
      '/new',
      'chat.globex.example',
      'intranet.globex.example',
      'https://',
      fakeSiteMarker('gemini.google.com', '/app'),
      'FAKE SITE',
    ];
    expect(relay.uploads.length).toBeGreaterThan(0);
    for (const upload of relay.uploads) {
      for (const fragment of visited) expect(upload.body).not.toContain(fragment);
      const body = JSON.parse(upload.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([
        'batchId',
        'client',
        'counts',
        'group',
        'people',
        'policyRevision',
        'schemaVersion',
      ]);
    }
  });

  it('share no value between two uploads of this device but the group, the revision and the browser family', () => {
    // A retry sends the same batch again, batchId and all: distinct batches are what must not link.
    const batches = new Map(relay.uploads.map((upload) => [upload.body, JSON.parse(upload.body) as Report]));
    const uploads = [...new Map([...batches.values()].map((report) => [report.batchId, report])).values()];
    expect(uploads.length).toBeGreaterThan(1);
    // Everything but the usage data itself: the fields that could name a device.
    const envelope = (report: Report): Map<string, unknown> => {
      const { counts, people, client, ...rest } = report;
      for (const count of counts) {
        const allowed = ['day', 'tool', 'event', 'n', 'sanctioned', 'person'];
        expect(Object.keys(count).filter((key) => !allowed.includes(key))).toEqual([]);
        expect(count.person ?? 1).toBe(1);
      }
      for (const mark of people ?? []) expect(Object.keys(mark).sort()).toEqual(['day', 'kind']);
      return new Map([
        ...Object.entries(rest),
        ...Object.entries(client).map(([key, value]): [string, unknown] => [`client.${key}`, value]),
      ]);
    };
    const shared = new Set<string>();
    for (const [i, a] of uploads.entries()) {
      for (const b of uploads.slice(i + 1)) {
        const mine = envelope(b);
        for (const [key, value] of envelope(a)) if (mine.get(key) === value) shared.add(key);
      }
    }
    expect([...shared].sort()).toEqual(['client.browser', 'group', 'policyRevision', 'schemaVersion']);
  });
});
