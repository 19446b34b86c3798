/**
 * The harness itself: the built extension runs in a real Chromium, real hostnames reach the fake sites
 * over HTTPS, nothing else reaches the network, and the service worker survives a stop like the ones
 * Chromium does when it idles. No AI-tool hosts here: the extension nudges those (other e2e files).
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LaunchedChromium } from './support/browser';
import { launchChromium } from './support/browser';
import {
  CHROME_BUILD,
  DAYLIGHT_EXTENSION_ID,
  evaluateInServiceWorker,
  extensionUrl,
  openExtensionPage,
} from './support/extension';
import type { FakeSites } from './support/fake-sites';
import { fakeSiteMarker, startFakeSites } from './support/fake-sites';
import { FIREFOX_BUILD } from './support/firefox';
import { gotoExpectingError } from './support/pages';

/** What the worker's global scope offers that these tests read (the functions run inside the worker). */
interface WorkerScope {
  chrome: { runtime: { id: string; getManifest(): { version: string } } };
  e2eMarker?: string;
}
interface PageScope {
  chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
}

// Both HSTS-preloaded, so Chromium only ever speaks HTTPS to them; neither is an AI tool.
const HOSTS = ['www.wikipedia.org', 'github.com'];

let sites: FakeSites;
let chromium: LaunchedChromium;

beforeAll(async () => {
  sites = await startFakeSites(HOSTS);
  chromium = await launchChromium({ extensionDir: CHROME_BUILD, sites, hosts: HOSTS });
});

afterAll(async () => {
  await chromium?.close();
  await sites?.close();
});

beforeEach(() => sites.clear());

describe('the built extension', () => {
  it('loads with its stable id and starts its service worker', async () => {
    expect(chromium.extensionId).toBe(DAYLIGHT_EXTENSION_ID);
    const running = await evaluateInServiceWorker(
      chromium,
      () => {
        const { chrome } = globalThis as unknown as WorkerScope;
        return { id: chrome.runtime.id, version: chrome.runtime.getManifest().version };
      },
      undefined,
    );
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(running).toEqual({ id: DAYLIGHT_EXTENSION_ID, version: pkg.version });
  });

  it('asks for web pages only: http and https, never <all_urls> (files, ftp and the rest)', async () => {
    for (const build of [CHROME_BUILD, FIREFOX_BUILD]) {
      const manifest = JSON.parse(await readFile(join(build, 'manifest.json'), 'utf8')) as {
        host_permissions: string[];
        web_accessible_resources: { matches: string[] }[];
      };
      expect(manifest.host_permissions, build).toEqual(['http://*/*', 'https://*/*']);
      expect(manifest.web_accessible_resources[0]?.matches, build).toEqual(['http://*/*', 'https://*/*']);
      expect(JSON.stringify(manifest), build).not.toContain('<all_urls>');
    }
  });
});

describe('fake sites', () => {
  it('serve an HSTS-preloaded host over https under its real name', async () => {
    const page = await chromium.context.newPage();
    try {
      const response = await page.goto('https://github.com/torvalds/linux');
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe(fakeSiteMarker('github.com', '/torvalds/linux'));
      expect(sites.requests.map(({ time: _time, ...request }) => request)).toEqual([
        { scheme: 'https', host: 'github.com', path: '/torvalds/linux', method: 'GET' },
      ]);
    } finally {
      await page.close();
    }
  });

  it('keep HSTS working: a typed http:// URL of a preloaded host never goes out as http', async () => {
    const page = await chromium.context.newPage();
    try {
      await page.goto('http://www.wikipedia.org/wiki/Daylight?x=1');
      expect(page.url()).toBe('https://www.wikipedia.org/wiki/Daylight?x=1');
      expect(await page.title()).toBe(fakeSiteMarker('www.wikipedia.org', '/wiki/Daylight?x=1'));
      expect(sites.requests.map(({ scheme, path }) => `${scheme} ${path}`)).toEqual(['https /wiki/Daylight?x=1']);
    } finally {
      await page.close();
    }
  });

  it('answer with a route a test set, on that host only', async () => {
    const unroute = sites.route('github.com', '/policy.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"schemaVersion":1}');
    });
    const page = await chromium.context.newPage();
    try {
      expect(await (await page.goto('https://github.com/policy.json?v=2'))?.json()).toEqual({ schemaVersion: 1 });
      await page.goto('https://www.wikipedia.org/policy.json');
      expect(await page.title()).toBe(fakeSiteMarker('www.wikipedia.org', '/policy.json'));
    } finally {
      unroute();
      await page.close();
    }
  });
});

describe('the network', () => {
  it('is closed to every host not given to the harness', async () => {
    const page = await chromium.context.newPage();
    try {
      expect(await gotoExpectingError(page, 'https://example.com/')).toBe('net::ERR_NAME_NOT_RESOLVED');
      // Even a name this machine resolves itself (its hostname, from /etc/hosts, to the loopback where
      // the fake HTTP server listens): without `MAP * ~NOTFOUND` this page would load.
      const own = hostname();
      expect((await lookup(own)).address, `precondition: ${own} resolves on this machine`).toBeTruthy();
      expect(await gotoExpectingError(page, `http://${own}:${sites.httpPort}/`)).toBe('net::ERR_NAME_NOT_RESOLVED');
      expect(sites.requests).toEqual([]);
      // localhost stays reachable (EXCLUDE rules), for anything a test serves locally.
      await page.goto(`http://localhost:${sites.httpPort}/local`);
      expect(await page.title()).toBe(fakeSiteMarker('localhost', '/local'));
    } finally {
      await page.close();
    }
  });
});

describe('the service worker', () => {
  const setMarker = (): Promise<void> =>
    evaluateInServiceWorker(
      chromium,
      () => {
        (globalThis as unknown as WorkerScope).e2eMarker = 'set before the stop';
      },
      undefined,
    );
  const readMarker = (): Promise<string> =>
    evaluateInServiceWorker(chromium, () => (globalThis as unknown as WorkerScope).e2eMarker ?? 'fresh', undefined);

  it('stops like an idle worker and wakes again when the popup talks to it', async () => {
    await setMarker();
    await chromium.stopServiceWorker();
    expect(await chromium.serviceWorkerStatus()).toBe('stopped');

    const popup = await openExtensionPage(chromium.context, chromium.extensionId, 'popup.html');
    try {
      expect(popup.url()).toBe(extensionUrl(chromium.extensionId, 'popup.html'));
      // Loading an extension page does not by itself start a stopped worker (Chromium 156, no fetch
      // handler); the popup's message to the background does, as when a person opens Daylight's popup.
      await popup.evaluate(() =>
        (globalThis as unknown as PageScope).chrome.runtime.sendMessage({ type: 'e2e:wake' }).catch(() => undefined),
      );
      await chromium.serviceWorker();
      expect(await chromium.serviceWorkerStatus()).toBe('running');
      expect(await readMarker()).toBe('fresh'); // a new start: the stopped worker's globals are gone
    } finally {
      await popup.close();
    }
  });

  it('can be started directly after a stop, to look inside it', async () => {
    await setMarker();
    await chromium.stopServiceWorker();
    await expect(chromium.serviceWorker(1_000)).rejects.toThrow('wake it first');
    await chromium.wakeServiceWorker();
    expect(await readMarker()).toBe('fresh');
  });
});
