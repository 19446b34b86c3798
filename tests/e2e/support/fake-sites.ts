/**
 * Fake websites for end-to-end tests: one HTTPS and one HTTP server on 127.0.0.1 that answer for any
 * hostname. The browser reaches them under real names (chatgpt.com, www.wikipedia.org, ...) through
 * `--host-resolver-rules` (see browser.ts), so the extension sees the same URLs as in real use while
 * nothing leaves the machine.
 *
 * Why HTTPS at all: many hosts the extension cares about are HSTS-preloaded, so Chromium never speaks
 * plain HTTP to them (docs/browsers.md "Real hostnames"). The certificate is self-signed and made at start-up (no key is
 * ever written to disk or committed); Chromium accepts it because browser.ts passes
 * `--ignore-certificate-errors`. It still names every host in its SAN so that it is a correct
 * certificate for them should a test ever trust it instead.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export interface RecordedRequest {
  readonly scheme: 'http' | 'https';
  /** From the Host header, lower-cased, without the port. */
  readonly host: string;
  /** The raw request target as the browser sent it, query included: `/c/1?x=2`. */
  readonly path: string;
  readonly method: string;
  /** `Date.now()` when the request arrived. */
  readonly time: number;
}

/** Answers one request. `url` is the request target parsed against `scheme://host`. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface FakeSites {
  readonly hosts: readonly string[];
  readonly httpsPort: number;
  readonly httpPort: number;
  /** Every request both servers received, oldest first. `clear()` empties it in place. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Overrides the answer for `host` + `path` on both schemes. `path` is matched against the path
   * without its query (`/policy.json` matches `/policy.json?v=2`); the handler gets the full request.
   * A later route for the same host and path replaces the earlier one. Returns a function that
   * removes the route again.
   */
  route(host: string, path: string, handler: RouteHandler): () => void;
  /** Forgets the recorded requests (routes stay). */
  clear(): void;
  close(): Promise<void>;
}

/** The marker the default page carries in its <title> and body: `FAKE SITE www.wikipedia.org/`. */
export function fakeSiteMarker(host: string, path: string): string {
  return `FAKE SITE ${host}${path}`;
}

export async function startFakeSites(hosts: readonly string[]): Promise<FakeSites> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, RouteHandler>();
  const routeKey = (host: string, path: string): string => `${host.toLowerCase()} ${path}`;

  const handle = (scheme: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const host = hostWithoutPort(req.headers.host ?? '');
    const path = req.url ?? '/';
    requests.push({ scheme, host, path, method: req.method ?? 'GET', time: Date.now() });
    // A request target is origin-form (`/a?b`) from browsers; the base makes anything else parse too.
    const url = new URL(path, `${scheme}://${host || 'unknown.invalid'}`);
    const handler = routes.get(routeKey(host, url.pathname)) ?? defaultPage;
    Promise.resolve(handler(req, res, url)).catch((error: unknown) => {
      // Make a broken handler visible in the test (status 500 and the message) instead of hanging it.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`fake-sites route handler failed: ${String(error)}`);
    });
  };

  // Chromium needs a certificate per start only: an EC key is made in milliseconds, and sha256 because
  // the library still defaults to sha1.
  const pems = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...hosts.map((value) => ({ type: 2 as const, value })),
          { type: 2 as const, value: 'localhost' },
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  });

  const https = createHttpsServer({ key: pems.private, cert: pems.cert }, handle('https'));
  const http = createHttpServer(handle('http'));
  const [httpsPort, httpPort] = await Promise.all([listen(https), listen(http)]);

  return {
    hosts,
    httpsPort,
    httpPort,
    requests,
    route(host, path, handler) {
      const key = routeKey(host, path);
      routes.set(key, handler);
      return () => {
        if (routes.get(key) === handler) routes.delete(key);
      };
    },
    clear() {
      requests.length = 0;
    },
    async close() {
      await Promise.all([stop(https), stop(http)]);
    },
  };
}

/** The default answer: a tiny page naming where it is, and an empty icon so Chromium asks for no favicon. */
const defaultPage: RouteHandler = (req, res, url) => {
  const marker = escapeHtml(fakeSiteMarker(url.hostname, req.url ?? '/'));
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">` +
      `<title>${marker}</title></head><body><h1>${marker}</h1></body></html>`,
  );
};

function hostWithoutPort(hostHeader: string): string {
  const host = hostHeader.toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1); // IPv6 literal: [::1]:443
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Listens on 127.0.0.1 only (never on a public interface), on a port the OS picks. */
function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Closes a server without waiting for the browser's idle keep-alive connections to time out. */
function stop(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
