// @vitest-environment node
/** The dashboard's files at / and /assets/*: for signed-in admins only, typed, cached by hash, and nothing else on disk. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findDashboardDir } from '../../../collector/dashboard-assets';
import { send, signIn, testCollectors, type TestCollector } from '../../support/collector';

/** A built dashboard as Vite leaves it, and a secret beside it that must never be served. */
let root: string;
let built: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'daylight-dashboard-'));
  built = join(root, 'dashboard');
  mkdirSync(join(built, 'assets'), { recursive: true });
  writeFileSync(
    join(built, 'index.html'),
    '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script><div id="app"></div>',
  );
  writeFileSync(join(built, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(built, 'assets', 'index-DeF456.css'), 'body{}');
  writeFileSync(join(built, 'assets', 'favicon-GhI789.svg'), '<svg/>');
  writeFileSync(join(built, 'assets', 'notes.txt'), 'not a web file');
  mkdirSync(join(built, 'assets', 'nested'));
  writeFileSync(join(built, 'assets', 'nested', 'deep-1.js'), 'nested');
  writeFileSync(join(root, 'secret.js'), 'the secret');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const collectors = testCollectors();
afterEach(() => collectors.disposeAll());

/**
 * A GET with the request target sent exactly as written: a URL string would be normalized first
 * ("/assets/../x" → "/x"), which a browser does but an attacker's client need not.
 */
function rawGet(server: { port: number }, target: string, cookie: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: target, headers: { cookie } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const collector = (dashboardDir: string): Promise<TestCollector> => collectors.start({ dashboardDir });

describe('without a session', () => {
  it('the page and its files redirect to /login and show nothing', async () => {
    const server = await collector(built);
    for (const path of ['/', '/?group=Legal', '/assets/index-AbC123.js', '/assets/missing.js']) {
      const answer = await send(`${server.url}${path}`);
      expect(answer.status, path).toBe(303);
      expect(answer.headers.location, path).toBe('/login');
      expect(answer.text, path).toBe('');
    }
  });
});

describe('signed in', () => {
  it('/ is the dashboard, with the query kept for the page, under a CSP without inline script or style', async () => {
    const server = await collector(built);
    const cookie = await signIn(server);
    const page = await send(`${server.url}/?from=2026-11-01&group=Legal`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    expect(page.text).toContain('<div id="app">');
  });

  it('serves each built file with its type, to be kept a year (the name changes with the content)', async () => {
    const server = await collector(built);
    const cookie = await signIn(server);
    const cases: [string, string, string][] = [
      ['index-AbC123.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
      ['index-DeF456.css', 'text/css; charset=utf-8', 'body{}'],
      ['favicon-GhI789.svg', 'image/svg+xml', '<svg/>'],
    ];
    for (const [name, type, body] of cases) {
      const answer = await send(`${server.url}/assets/${name}`, { headers: { cookie } });
      expect(answer.status, name).toBe(200);
      expect(answer.headers['content-type'], name).toBe(type);
      expect(answer.headers['cache-control'], name).toBe('private, max-age=31536000, immutable');
      expect(answer.headers['x-content-type-options'], name).toBe('nosniff');
      expect(answer.text, name).toBe(body);
    }
    const head = await send(`${server.url}/assets/index-AbC123.js`, { method: 'HEAD', headers: { cookie } });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('14');
    expect(head.text).toBe('');
    const post = await send(`${server.url}/assets/index-AbC123.js`, { method: 'POST', headers: { cookie } });
    expect(post.status).toBe(405);
  });

  it('logs an asset under one route name, never its file name', async () => {
    const server = await collector(built);
    const cookie = await signIn(server);
    await send(`${server.url}/assets/index-AbC123.js`, { headers: { cookie } });
    expect(server.logs.filter((entry) => entry.msg === 'request').map((entry) => entry.route)).toContain('/assets/*');
    expect(JSON.stringify(server.logs)).not.toContain('AbC123');
  });

  it('opens no path outside assets/, however it is spelled', async () => {
    const server = await collector(built);
    const cookie = await signIn(server);
    const attempts = [
      '/assets/../secret.js',
      '/assets/../../secret.js',
      '/assets/%2e%2e/secret.js',
      '/assets/%2e%2e%2fsecret.js',
      '/assets/..%2fsecret.js',
      '/assets/..%5csecret.js',
      '/assets/..\\secret.js',
      '/assets/nested/deep-1.js',
      '/assets//etc/passwd',
      '/assets/%2fetc%2fpasswd',
      '/assets/.hidden.js',
      '/assets/',
      '/assets/nested',
      '/assets/notes.txt',
      '/assets/index-AbC123.js%00.css',
      '/assets/missing-000.js',
    ];
    for (const path of attempts) {
      const answer = await rawGet(server, path, cookie);
      expect(answer.status, path).toBe(404);
      expect(answer.text, path).not.toContain('secret');
      expect(answer.text, path).not.toContain('nested');
    }
  });

  it('says how to build the dashboard when it was not built, and still offers the counts and signing out', async () => {
    const server = await collector(join(root, 'not-built'));
    const cookie = await signIn(server);
    const page = await send(`${server.url}/`, { headers: { cookie } });
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('npm run build:dashboard');
    expect(page.text).toContain('<a href="/api/v1/counts.csv">');
    expect(page.text).toContain('<form method="post" action="/logout">');
    expect((await send(`${server.url}/assets/index-AbC123.js`, { headers: { cookie } })).status).toBe(404);
  });
});

describe('findDashboardDir', () => {
  it("is dist/dashboard of the package, from the sources and from the built CLI's chunks", () => {
    const packageRoot = join(import.meta.dirname, '..', '..', '..');
    const expected = join(packageRoot, 'dist', 'dashboard');
    expect(findDashboardDir(join(packageRoot, 'collector'))).toBe(expected);
    expect(findDashboardDir(join(packageRoot, 'dist', 'cli', 'chunks'))).toBe(expected);
  });
});
