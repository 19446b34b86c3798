/**
 * Starts Debian's Firefox ESR headless through puppeteer-core (WebDriver BiDi) with the built Firefox
 * MV3 extension installed as a temporary add-on, on a fresh profile, with the fake sites
 * (fake-sites.ts) at their real hostnames. Facts behind each choice: docs/browsers.md "Firefox".
 *
 * - Firefox has no `--host-resolver-rules`: a PAC script sends every host but localhost to a small
 *   local proxy, which tunnels `CONNECT host:443` to the fake HTTPS server and forwards plain HTTP to
 *   the fake HTTP server. Hosts that are not fake sites get 502: nothing leaves the machine.
 * - The fake sites' certificate is self-signed: the session accepts insecure certificates.
 * - `moz-extension://` hosts are random per profile; the pref `extensions.webextensions.uuids` pins
 *   Daylight's, so the tests know the nudge page's URL.
 * - Managed storage comes from /etc/firefox/policies/policies.json, which Firefox reads once at
 *   start-up: `writeFirefoxPolicies` before `launchFirefox`.
 * - WebDriver BiDi keeps extension pages out of sight: it refuses to navigate to one, and a navigation
 *   that DNR redirects to one never reports a load (puppeteer's `goto` would time out) though scripts
 *   still run in it. So `visit` starts a navigation and waits on what the document says, and
 *   `pageState` reads `location.href` from the document instead of `page.url()`, which stays stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { firefoxPath } from './prerequisites';

export const FIREFOX = firefoxPath();

/** The Firefox MV3 build that `npm test` makes (`wxt build -b firefox --mv3`) before running vitest. */
export const FIREFOX_BUILD = fileURLToPath(new URL('../../../.output/firefox-mv3', import.meta.url));

/** The add-on id of wxt.config.ts (browser_specific_settings.gecko.id); IT names it in policies.json. */
export const FIREFOX_ADDON_ID = 'daylight@daylight-extension.org';

/** Where Debian's firefox-esr reads enterprise policies (not /etc/firefox-esr: docs/browsers.md "Firefox"). */
export const FIREFOX_POLICIES_FILE = '/etc/firefox/policies/policies.json';

/**
 * What policies.json held before the tests wrote it, kept on disk so that a run that died before it
 * could restore the file is repaired by the next run (Firefox reads only policies.json from here).
 */
const BACKUP_FILE = join(dirname(FIREFOX_POLICIES_FILE), 'daylight-e2e-backup.json');

/** Daylight's moz-extension:// host in these tests, pinned by a pref (any UUID will do). */
export const EXTENSION_UUID = '5d3f0b0e-6c4a-4d8e-9a57-2f1c0e7b9d41';

export const FIREFOX_NUDGE_PAGE = `moz-extension://${EXTENSION_UUID}/nudge.html`;

/** Puts back what policies.json held before (or removes it); safe to call more than once. */
export type RestorePolicies = () => void;

interface Backup {
  /** policies.json before the tests wrote it; null: there was none. */
  readonly original: string | null;
  /** The topmost directory the tests created for it (/etc/firefox on a machine without one), or null. */
  readonly createdDir: string | null;
}

function restorePolicies(): void {
  if (!existsSync(BACKUP_FILE)) return;
  const { original, createdDir } = JSON.parse(readFileSync(BACKUP_FILE, 'utf8')) as Backup;
  if (original === null) rmSync(FIREFOX_POLICIES_FILE, { force: true });
  else writeFileSync(FIREFOX_POLICIES_FILE, original);
  rmSync(BACKUP_FILE);
  if (createdDir === null) return;
  // The directories made for the file go too, unless something else was put in them meanwhile.
  for (
    let dir = dirname(FIREFOX_POLICIES_FILE);
    dir === createdDir || dir.startsWith(`${createdDir}/`);
    dir = dirname(dir)
  ) {
    if (readdirSync(dir).length > 0) return;
    rmdirSync(dir);
  }
}

// The last net: a test that timed out or threw past afterAll still leaves the machine as it was.
process.once('exit', restorePolicies);

/**
 * Writes `{"policies":{"3rdparty":{"Extensions":{"<add-on id>":managed}}}}` to policies.json. The file
 * is machine-wide (every Firefox here reads it, and CI runs as root on a developer's machine): what
 * was there is kept and put back by the returned function, which the caller runs in `afterAll`.
 */
export function writeFirefoxPolicies(managed: Record<string, unknown>): RestorePolicies {
  const policies = { policies: { '3rdparty': { Extensions: { [FIREFOX_ADDON_ID]: managed } } } };
  return writeFirefoxPoliciesFile(`${JSON.stringify(policies, null, 2)}\n`);
}

/** Writes a whole policies.json as given (e.g. what `daylight deploy` generated); same care as above. */
export function writeFirefoxPoliciesFile(content: string): RestorePolicies {
  if (process.getuid?.() !== 0) {
    throw new Error(`writing ${FIREFOX_POLICIES_FILE} needs root: run the e2e tests as root (CI does)`);
  }
  restorePolicies(); // a backup left by a run that died: the file there now is that run's
  const createdDir = mkdirSync(dirname(FIREFOX_POLICIES_FILE), { recursive: true }) ?? null;
  const original = existsSync(FIREFOX_POLICIES_FILE) ? readFileSync(FIREFOX_POLICIES_FILE, 'utf8') : null;
  const backup: Backup = { original, createdDir };
  writeFileSync(BACKUP_FILE, JSON.stringify(backup));
  writeFileSync(FIREFOX_POLICIES_FILE, content);
  return restorePolicies;
}

export interface FirefoxLaunchOptions {
  /**
   * An unpacked extension, e.g. `FIREFOX_BUILD` (built by `npm test`), installed as a temporary
   * add-on; or null when policies.json force-installs it (ExtensionSettings). That XPI is unsigned,
   * which Firefox ESR accepts with `xpinstall.signatures.required` off; IT's XPI is signed by Mozilla.
   */
  readonly extensionDir: string | null;
  /** The fake sites: `hosts` reach `httpsPort` (https) and `httpPort` (http) through the proxy. */
  readonly sites: { readonly httpsPort: number; readonly httpPort: number; readonly hosts: readonly string[] };
}

export interface LaunchedFirefox {
  readonly browser: Browser;
  newPage(): Promise<Page>;
  /** Closes the browser (puppeteer deletes its temporary profile), then the proxy. */
  close(): Promise<void>;
}

export async function launchFirefox(options: FirefoxLaunchOptions): Promise<LaunchedFirefox> {
  const proxy = await startProxy(options.sites);
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      acceptInsecureCerts: true,
      extraPrefsFirefox: {
        'network.proxy.type': 2, // PAC
        'network.proxy.autoconfig_url': pacUrl(proxy.port),
        'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: EXTENSION_UUID }),
        ...(options.extensionDir === null && { 'xpinstall.signatures.required': false }),
      },
    });
  } catch (error) {
    await proxy.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    try {
      await browser.close();
    } finally {
      await proxy.close();
    }
  };
  if (options.extensionDir === null) return { browser, newPage: () => browser.newPage(), close };
  try {
    // A temporary add-on, as about:debugging's "Load Temporary Add-on" installs it: no signature needed.
    const id = await browser.installExtension(options.extensionDir);
    if (id !== FIREFOX_ADDON_ID) throw new Error(`installed add-on ${id}, expected ${FIREFOX_ADDON_ID}`);
  } catch (error) {
    await close();
    throw error;
  }
  return { browser, newPage: () => browser.newPage(), close };
}

/** A PAC script as a data: URL: everything but localhost goes through the proxy. */
function pacUrl(proxyPort: number): string {
  const script = `function FindProxyForURL(url, host) {
    if (host === 'localhost' || host === '127.0.0.1') return 'DIRECT';
    return 'PROXY 127.0.0.1:${proxyPort}';
  }`;
  return `data:text/javascript,${encodeURIComponent(script)}`;
}

/**
 * An HTTP proxy in front of the fake sites: `CONNECT host:443` is tunnelled to the HTTPS server, an
 * absolute-form `GET http://host/path` goes to the HTTP server in origin form, so fake-sites.ts records
 * the same host and path as under Chromium. Any other host gets 502.
 */
async function startProxy(sites: FirefoxLaunchOptions['sites']): Promise<{ port: number; close(): Promise<void> }> {
  const known = new Set(sites.hosts.map((host) => host.toLowerCase()));
  const server = createServer((req, res) => {
    const target = URL.canParse(req.url ?? '') ? new URL(req.url ?? '') : null;
    if (target?.protocol !== 'http:' || !known.has(target.hostname)) {
      res.writeHead(502).end();
      return;
    }
    const path = `${target.pathname}${target.search}`;
    const forward = httpRequest(
      { host: '127.0.0.1', port: sites.httpPort, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const [host = '', port = ''] = (req.url ?? '').toLowerCase().split(':');
    if (!known.has(host) || port !== '443') {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(sites.httpsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const end = (): void => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy(); // tunnels and keep-alive connections
      }),
  };
}

/** What a person sees of the tab's document. */
export interface PageState {
  readonly href: string;
  readonly complete: boolean;
  readonly title: string;
  /** The first <h1>'s text, or null before there is one. */
  readonly heading: string | null;
}

/** The document's state, or null while the tab is between two documents. */
async function pageState(page: Page): Promise<PageState | null> {
  try {
    return await page.evaluate(() => ({
      href: location.href,
      complete: document.readyState === 'complete',
      title: document.title,
      heading: document.querySelector('h1')?.textContent ?? null,
    }));
  } catch {
    return null;
  }
}

/** Waits until the tab's document satisfies `done`, polling it (a document may replace another at any time). */
export async function waitForPage(
  page: Page,
  done: (state: PageState) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<PageState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await pageState(page);
    if (state !== null && done(state)) return state;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Goes to `url` as a typed address does (a WebDriver BiDi navigation), then waits until `done`, which
 * must not already hold for the tab's current document. The navigation's own wait is dropped once
 * `done` holds: it never ends when DNR sent the tab to an extension page (see the top of this file).
 */
export async function visit(
  page: Page,
  url: string,
  done: (state: PageState) => boolean,
  what: string,
): Promise<PageState> {
  const stop = new AbortController();
  const navigation = page.goto(url, { signal: stop.signal }).catch(() => undefined);
  try {
    return await waitForPage(page, done, what);
  } finally {
    stop.abort();
    await navigation;
  }
}

/** The nudge page's heading, once the tab shows the nudge page and it has rendered. */
export async function nudgeHeading(page: Page): Promise<string> {
  const state = await waitForPage(
    page,
    (s) => s.href.startsWith(FIREFOX_NUDGE_PAGE) && Boolean(s.heading),
    'the nudge page and its heading',
  );
  return state.heading ?? '';
}

/** A page that has loaded at exactly `url`. */
export const loadedAt =
  (url: string) =>
  (state: PageState): boolean =>
    state.href === url && state.complete;

/** The tab is on the nudge page (for any URL). */
export const onNudgePage = (state: PageState): boolean => state.href.startsWith(FIREFOX_NUDGE_PAGE);

/**
 * Waits until the policy in force gives `url` the nudge heading `heading`, going to `url` again until
 * it does: right after install the extension first applies the bundled default policy, then the
 * managed one. Requests that reach the fake sites meanwhile are the caller's to forget.
 */
export async function waitForNudgeHeading(page: Page, url: string, heading: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto('about:blank'); // so that the nudge page below is a fresh document
    await visit(page, url, onNudgePage, `the nudge page for ${url}`);
    const seen = await nudgeHeading(page);
    if (seen === heading) return;
    if (Date.now() > deadline) throw new Error(`the nudge page for ${url} still says "${seen}" after ${timeoutMs} ms`);
  }
}
