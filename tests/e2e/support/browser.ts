/**
 * Starts the Debian Chromium with the built extension loaded, on a fresh profile, with the network
 * replaced by fake sites (fake-sites.ts). Facts behind each flag: docs/browsers.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Worker } from 'playwright-core';
import { chromium } from 'playwright-core';
import { chromiumPath } from './prerequisites';

export const CHROMIUM = chromiumPath();

export interface LaunchOptions {
  /**
   * An unpacked extension, e.g. `CHROME_BUILD` of extension.ts (built by `npm test`), or null when
   * the extension comes the way IT deploys it: force-installed by a policy file in
   * /etc/chromium/policies/managed (force-install.ts).
   */
  readonly extensionDir: string | null;
  /** Where mapped hosts go: port 443 to `httpsPort`, port 80 to `httpPort`. */
  readonly sites: { readonly httpsPort: number; readonly httpPort: number; readonly hosts?: readonly string[] };
  /** Hostnames that reach the fake sites (patterns like `*.example.com` work too); default `sites.hosts`. */
  readonly hosts?: readonly string[];
  /** Hosts whose HTTPS (port 443) goes to a server of its own on 127.0.0.1, by port: a collector with TLS. */
  readonly httpsServers?: Readonly<Record<string, number>>;
  readonly extraArgs?: readonly string[];
  /** The browser's language (e.g. `de`), which chrome.i18n follows; default the machine's. */
  readonly language?: string;
}

/** CDP's ServiceWorkerVersionRunningStatus, or 'none' when Chromium reports no version of the worker. */
export type WorkerStatus = 'stopped' | 'starting' | 'running' | 'stopping' | 'none';

export interface LaunchedChromium {
  readonly context: BrowserContext;
  /** From the service worker's URL; with the manifest `key` it is always pjldjipjgdlklngggfgapcpfejoijdfe. */
  readonly extensionId: string;
  /**
   * The extension's service worker once it is running, waiting up to `timeoutMs` for it to start.
   * It does not wake a stopped worker: do what wakes it first (an event it listens to, a message, or
   * `wakeServiceWorker()`), else this times out.
   */
  serviceWorker(timeoutMs?: number): Promise<Worker>;
  /** Whether the worker runs now, as Chromium reports it (Playwright's own view is wrong after a stop). */
  serviceWorkerStatus(): Promise<WorkerStatus>;
  /** Stops the service worker as Chromium does when it idles, and waits until it has stopped. */
  stopServiceWorker(): Promise<void>;
  /** Starts a stopped worker directly (CDP), without any event: for looking inside after a stop. */
  wakeServiceWorker(): Promise<void>;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/**
 * `--host-resolver-rules` sending each host to the fake sites and every other name nowhere.
 * Chromium applies the first MAP whose pattern matches, so the explicit maps come first and
 * `MAP * ~NOTFOUND` last. That catch-all also catches `localhost` and even the IP literal `127.0.0.1`
 * (verified on Chromium 156), so both are EXCLUDEd: EXCLUDE wins over any MAP.
 */
export function hostResolverRules(
  hosts: readonly string[],
  ports: { httpsPort: number; httpPort: number },
  httpsServers: Readonly<Record<string, number>> = {},
): string {
  const maps = [
    ...Object.entries(httpsServers).map(([host, port]) => `MAP ${host}:443 127.0.0.1:${port}`),
    ...hosts.flatMap((host) => [
      `MAP ${host}:443 127.0.0.1:${ports.httpsPort}`,
      `MAP ${host}:80 127.0.0.1:${ports.httpPort}`,
    ]),
  ];
  return [...maps, 'MAP * ~NOTFOUND', 'EXCLUDE localhost', 'EXCLUDE 127.0.0.1'].join(',');
}

export async function launchChromium(options: LaunchOptions): Promise<LaunchedChromium> {
  const hosts = options.hosts ?? options.sites.hosts ?? [];
  // A fresh profile per launch: no state (storage, learned HSTS, worker registration) leaks between files.
  const userDataDir = await mkdtemp(join(tmpdir(), 'daylight-e2e-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      // On Linux, Chromium takes its UI language (and so the extension's) from LANGUAGE, not from --lang.
      ...(options.language !== undefined && {
        locale: options.language,
        env: { ...process.env, LANGUAGE: options.language },
      }),
      // A force-installed extension needs the extension system on and the updater's network
      // (docs/browsers.md "Force-install"): Playwright's defaults turn both off.
      ...(options.extensionDir === null && {
        ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking'],
      }),
      args: [
        '--no-sandbox', // CI runs as root, and Chromium refuses its sandbox as root
        '--disable-gpu',
        '--disable-quic', // the fake sites speak TCP only
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        ...(options.extensionDir === null
          ? []
          : [
              '--disable-background-networking',
              `--disable-extensions-except=${options.extensionDir}`,
              `--load-extension=${options.extensionDir}`,
            ]),
        '--ignore-certificate-errors', // the fake sites' certificate is self-signed
        `--host-resolver-rules=${hostResolverRules(hosts, options.sites, options.httpsServers)}`,
        ...(options.extraArgs ?? []),
      ],
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }

  const close = async (): Promise<void> => {
    try {
      await context.close();
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  };

  let extensionId: string;
  try {
    // The worker starts with the browser, as on install; its URL names the extension.
    extensionId = new URL((await playwrightWorker(context, 'chrome-extension://', 15_000)).url()).host;
  } catch (error) {
    await close();
    throw error;
  }
  const origin = `chrome-extension://${extensionId}/`;

  return {
    context,
    extensionId,
    async serviceWorker(timeoutMs = 10_000) {
      await withWorkerWatch(context, origin, (watch) =>
        watch.until((s) => s === 'running', timeoutMs, 'the service worker to run (wake it first)'),
      );
      return playwrightWorker(context, origin, timeoutMs);
    },
    serviceWorkerStatus: () =>
      withWorkerWatch(context, origin, async (watch) => {
        await watch.known().catch(() => undefined); // never reported: there is no worker ('none')
        return watch.status();
      }),
    stopServiceWorker: () =>
      withWorkerWatch(context, origin, async (watch) => {
        await watch.known();
        await watch.cdp.send('ServiceWorker.stopAllWorkers');
        await watch.until((s) => s === 'stopped' || s === 'none', 10_000, 'the service worker to stop');
      }),
    wakeServiceWorker: () =>
      withWorkerWatch(context, origin, async (watch) => {
        await watch.cdp.send('ServiceWorker.startWorker', { scopeURL: origin });
        await watch.until((s) => s === 'running', 10_000, 'the service worker to start');
      }),
    close,
  };
}

/**
 * Playwright's Worker for the extension. After a stop Playwright keeps listing the same Worker (no
 * 'close' event) and `evaluate` on it hangs until the worker runs again, when the same object works
 * again: so running or not is asked from CDP (withWorkerWatch), and this only finds the object.
 */
function playwrightWorker(context: BrowserContext, urlPrefix: string, timeoutMs: number): Promise<Worker> {
  // Looking in the list and subscribing happen in one tick, so no start can slip between them.
  const known = context.serviceWorkers().find((worker) => worker.url().startsWith(urlPrefix));
  if (known) return Promise.resolve(known);
  return new Promise((resolve, reject) => {
    const onWorker = (worker: Worker): void => {
      if (!worker.url().startsWith(urlPrefix)) return;
      clearTimeout(timer);
      context.off('serviceworker', onWorker);
      resolve(worker);
    };
    const timer = setTimeout(() => {
      context.off('serviceworker', onWorker);
      reject(new Error(`no service worker under ${urlPrefix} appeared within ${timeoutMs} ms`));
    }, timeoutMs);
    context.on('serviceworker', onWorker);
  });
}

interface WorkerWatch {
  readonly cdp: CDPSession;
  /** The most alive status among the worker's versions: running > starting > stopping > stopped > none. */
  status(): WorkerStatus;
  /** Resolves once Chromium has reported the worker's versions (it does so right after enabling). */
  known(): Promise<void>;
  until(predicate: (status: WorkerStatus) => boolean, timeoutMs: number, what: string): Promise<void>;
}

const LIVENESS: readonly WorkerStatus[] = ['none', 'stopped', 'stopping', 'starting', 'running'];

/**
 * Runs `fn` with a CDP session that follows the worker's running status (ServiceWorker domain).
 * That domain lives on page targets, so it borrows an open page, or opens one if none is left (before
 * any stop, so the tab event it causes cannot undo the stop). A session per call: nothing to go stale
 * when a test closes pages.
 */
async function withWorkerWatch<T>(
  context: BrowserContext,
  origin: string,
  fn: (watch: WorkerWatch) => Promise<T>,
): Promise<T> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  const versions = new Map<string, WorkerStatus>();
  let reported = false;
  const listeners = new Set<() => void>();
  const status = (): WorkerStatus =>
    [...versions.values()].reduce<WorkerStatus>((a, b) => (LIVENESS.indexOf(b) > LIVENESS.indexOf(a) ? b : a), 'none');
  const when = (ready: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; worker status: ${status()}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }) => {
    for (const version of updated) {
      if (!version.scriptURL.startsWith(origin)) continue;
      reported = true;
      if (version.status === 'redundant') versions.delete(version.versionId);
      else versions.set(version.versionId, version.runningStatus);
    }
    for (const listener of [...listeners]) listener();
  });
  try {
    await cdp.send('ServiceWorker.enable');
    return await fn({
      cdp,
      status,
      known: () => when(() => reported, 5_000, 'Chromium to report the service worker'),
      until: (predicate, timeoutMs, what) => when(() => reported && predicate(status()), timeoutMs, what),
    });
  } finally {
    await cdp.detach().catch(() => undefined); // the borrowed page may have closed meanwhile
  }
}

/**
 * Chromium with no extension and the real name resolution, for pages this machine serves itself (the
 * collector's dashboard on 127.0.0.1). Each `newContext()` is a fresh profile in memory. British
 * English, as the dashboard writes dates: Chromium's date fields follow the UI language (LANGUAGE).
 */
export function launchPlainChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, LANGUAGE: 'en_GB' },
    args: [
      '--lang=en-GB',
      '--no-sandbox', // CI runs as root, and Chromium refuses its sandbox as root
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
