/**
 * The admin dashboard's files, as `npm run build:dashboard` leaves them in
 * dist/dashboard: index.html at /, and the files it loads at /assets/<name>,
 * each name carrying a hash of its content. Both routes are for signed-in
 * admins only (server.ts). Only a flat file name under assets/ is ever
 * opened: no slash, no "..", no percent-escape reaches the file system.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_HEADERS, pathOf, reply, replyJson, type Exchange } from './http';
import { HTML_HEADERS, dashboardMissingPage } from './pages';

/** The route name of every asset, as the server's routes and logs have it. */
export const ASSETS_ROUTE = '/assets/*';
const ASSETS_PREFIX = '/assets/';

/** `/assets/index-Bz8-2Dps.js` → ASSETS_ROUTE; any other path is its own route name. */
export const routeName = (path: string): string => (path.startsWith(ASSETS_PREFIX) ? ASSETS_ROUTE : path);

/**
 * The page's own scripts and stylesheets, and nothing inline: Vite writes none (dashboard/vite.config.ts),
 * so unlike the sign-in page no hash is needed. Chart.js styles its canvas through the CSSOM, which
 * style-src does not govern.
 */
export const DASHBOARD_HTML_HEADERS: OutgoingHttpHeaders = {
  ...HTML_HEADERS,
  'content-security-policy':
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** A file name as Vite writes them (`index-Bz8-2Dps.js`): letters, digits, ".", "_", "-"; not starting with ".". */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * A name changes whenever its content does, so a browser may keep a file for a year without asking;
 * `private` because it is behind the sign-in, so no shared cache keeps it.
 */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/**
 * dist/dashboard of the package this file belongs to: the nearest folder above it with a package.json.
 * The same answer from collector/ (tests, `tsx`) and from dist/cli/chunks/ (the built `daylight`).
 */
export function findDashboardDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'dashboard');
    if (dirname(dir) === dir) return join(from, '..', 'dist', 'dashboard');
  }
}

export interface DashboardAssets {
  /** GET /: the dashboard page, or a 503 page saying how to build it. */
  readonly index: (ex: Exchange) => Promise<void>;
  /** GET /assets/<name>: one built file, 404 for any other name. */
  readonly asset: (ex: Exchange) => Promise<void>;
}

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
};

/** Read at each request (they are few, and an admin's rebuild shows without a restart). */
export function createDashboardAssets(dir: string): DashboardAssets {
  return {
    async index(ex) {
      let html: Buffer;
      try {
        html = await readFile(join(dir, 'index.html'));
      } catch (error) {
        if (!isMissing(error)) throw error;
        const page = dashboardMissingPage();
        reply(ex, 503, { ...HTML_HEADERS, 'content-length': Buffer.byteLength(page) }, page);
        return;
      }
      reply(ex, 200, { ...DASHBOARD_HTML_HEADERS, 'content-length': html.length }, html);
    },

    async asset(ex) {
      const name = pathOf(ex.req.url).slice(ASSETS_PREFIX.length);
      const type = CONTENT_TYPES[extname(name)];
      if (!ASSET_NAME.test(name) || name.includes('..') || type === undefined) {
        replyJson(ex, 404, { error: 'no such file' });
        return;
      }
      let body: Buffer;
      try {
        body = await readFile(join(dir, 'assets', name));
      } catch (error) {
        if (!isMissing(error)) throw error;
        replyJson(ex, 404, { error: 'no such file' });
        return;
      }
      reply(
        ex,
        200,
        { ...BASE_HEADERS, 'cache-control': IMMUTABLE, 'content-type': type, 'content-length': body.length },
        body,
      );
    },
  };
}
