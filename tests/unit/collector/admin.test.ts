// @vitest-environment node
/** Signing in, sessions, the counts API and the pages, against an in-process collector. */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  fakeCount,
  fakeReport,
  getCounts,
  postReport,
  send,
  signIn,
  startTestCollector,
  testCollectors,
} from '../../support/collector';

/** k = 1: these tests read what is stored back through /api/v1/counts, which hides cells below k people. */
const collectors = testCollectors({ k: 1 });
afterEach(() => collectors.disposeAll());
const collector = collectors.start;

const login = (server: { url: string }, token: string, headers: Record<string, string> = {}, localAddress?: string) =>
  send(`${server.url}/login`, {
    method: 'POST',
    localAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token }).toString(),
  });

/** POST /login from a loopback address of its own, as another client would. */
const loginFrom = (address: string, server: { url: string }, token: string) => login(server, token, {}, address);

describe('without a session', () => {
  it('API routes answer 401 and pages redirect to /login; the fleet routes and /healthz stay open', async () => {
    const server = await collector();
    for (const path of ['/api/v1/counts', '/api/v1/counts.csv', '/api/v2/anything', '/v1/unknown']) {
      const answer = await send(`${server.url}${path}`);
      expect(answer.status, path).toBe(401);
      expect(JSON.parse(answer.text), path).toEqual({ error: 'not signed in; sign in at /login' });
    }
    for (const path of ['/', '/dashboard', '/login.php']) {
      const answer = await send(`${server.url}${path}`);
      expect(answer.status, path).toBe(303);
      expect(answer.headers.location, path).toBe('/login');
    }
    // A session cookie that was never issued is no session.
    const forged = await send(`${server.url}/api/v1/counts`, { headers: { cookie: 'daylight_session=forged' } });
    expect(forged.status).toBe(401);
    expect((await postReport(server, fakeReport())).status).toBe(202);
    expect((await send(`${server.url}/v1/policy`)).status).toBe(404);
    expect((await send(`${server.url}/v1/policy.sig`)).status).toBe(404);
  });
});

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"}', async () => {
    const server = await collector();
    const answer = await send(`${server.url}/healthz`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'ok' });
    const head = await send(`${server.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});

describe('the sign-in page', () => {
  it('is a form that works without script, labelled, in light and dark, behind a strict CSP', async () => {
    const server = await collector();
    const page = await send(`${server.url}/login`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toMatch(/^default-src 'self'; /);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('<form method="post" action="/login">');
    expect(page.text).toContain('<label for="token">Admin token</label>');
    expect(page.text).toMatch(/<input id="token" name="token" type="password"[^>]* required/);
    expect(page.text).toContain('color-scheme: light dark');
    expect(page.text).toContain('prefers-color-scheme: dark');
    expect(page.text).not.toContain('<script');
  });

  it('refuses a wrong token with 401 and an announced error, and sets no cookie', async () => {
    const server = await collector();
    const answer = await login(server, 'not-the-token');
    expect(answer.status).toBe(401);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.text).toContain('role="alert"');
    expect(answer.text).toContain('That is not the admin token.');
    expect(answer.text).toContain('aria-invalid="true"');
  });

  it('with the right token sets an HttpOnly, SameSite=Strict session cookie for Path=/ with an expiry, and redirects home', async () => {
    const server = await collector();
    const answer = await login(server, ADMIN_TOKEN);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
    const cookie = answer.headers['set-cookie']?.[0] as string;
    expect(cookie).toMatch(/^daylight_session=[A-Za-z0-9_-]{43}; /);
    const attributes = cookie.split('; ').slice(1);
    expect(attributes).toEqual(['Max-Age=43200', 'Path=/', 'HttpOnly', 'SameSite=Strict']);
  });

  it('marks the cookie Secure when the request came over https through a proxy', async () => {
    const server = await collector();
    const answer = await login(server, ADMIN_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(answer.headers['set-cookie']?.[0]).toMatch(/; Secure$/);
  });

  it('sends a signed-in admin home instead of showing the form again', async () => {
    const server = await collector();
    const cookie = await signIn(server);
    const answer = await send(`${server.url}/login`, { headers: { cookie } });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
  });

  it('pauses an address after 10 wrong tokens, even for the right one, and no other address (429 with Retry-After)', async () => {
    const server = await collector();
    for (let i = 0; i < 10; i++) expect((await loginFrom('127.0.0.2', server, `wrong-${i}`)).status).toBe(401);
    const paused = await loginFrom('127.0.0.2', server, ADMIN_TOKEN);
    expect(paused.status).toBe(429);
    expect(Number(paused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(paused.headers['set-cookie']).toBeUndefined();
    expect(paused.text).toContain('Too many wrong tokens were tried from here.');
    // The real admin, elsewhere, signs in during the flood: an attacker cannot lock them out.
    expect((await loginFrom('127.0.0.3', server, ADMIN_TOKEN)).status).toBe(303);
  });

  it('looks at no more than 10 tokens of one address sent all at once, bodies after headers', async () => {
    const server = await collector();
    const port = Number(new URL(server.url).port);
    // 40 sign-ins whose headers all arrive before any body: each must count before its token is looked at.
    const sockets = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          new Promise<{ socket: Socket; body: string; answer: Promise<string> }>((resolve) => {
            const body = new URLSearchParams({ token: i === 39 ? ADMIN_TOKEN : `wrong-${i}` }).toString();
            const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.4' }, () => {
              socket.write(
                `POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
                  `Content-Length: ${body.length}\r\n\r\n`,
              );
              resolve({ socket, body, answer });
            });
            let text = '';
            const answer = new Promise<string>((done) => {
              socket.setEncoding('utf8').on('data', (chunk: string) => {
                text += chunk;
                if (text.includes('\r\n')) done(text.slice(9, 12));
              });
            });
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const { socket, body } of sockets) socket.write(body);
    const statuses = await Promise.all(sockets.map(({ answer }) => answer));
    for (const { socket } of sockets) socket.destroy();
    expect(statuses.filter((status) => status === '401')).toHaveLength(10);
    expect(statuses.filter((status) => status === '429')).toHaveLength(30);
  });

  it('behind a proxy (trustProxy), pauses the client X-Forwarded-For names, not the proxy; else ignores it', async () => {
    const via = (server: { url: string }, client: string, token: string) =>
      login(server, token, { 'x-forwarded-for': `203.0.113.9, ${client}` });
    const proxied = await collector({ trustProxy: true });
    for (let i = 0; i < 10; i++) expect((await via(proxied, '198.51.100.1', `wrong-${i}`)).status).toBe(401);
    expect((await via(proxied, '198.51.100.1', ADMIN_TOKEN)).status).toBe(429);
    // The admin, another client behind the same proxy, signs in.
    expect((await via(proxied, '198.51.100.2', ADMIN_TOKEN)).status).toBe(303);
    // Without a proxy said to be there, a client naming a new address each time is still one address.
    const direct = await collector();
    for (let i = 0; i < 10; i++) expect((await via(direct, `198.51.100.${i}`, `wrong-${i}`)).status).toBe(401);
    expect((await via(direct, '198.51.100.99', `wrong-again`)).status).toBe(429);
  });

  it('past a ceiling of wrong tokens from everywhere, answers them 429, and still takes the right one', async () => {
    const server = await collector();
    // 10 addresses, 10 wrong tokens each: the server-wide ceiling (60 at once) is spent.
    for (let address = 10; address < 20; address++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => loginFrom(`127.0.0.${address}`, server, `wrong-${i}`)));
    }
    const wrong = await loginFrom('127.0.0.30', server, 'wrong-again');
    expect(wrong.status).toBe(429);
    expect(wrong.text).toContain('Too many wrong tokens were tried.');
    expect((await loginFrom('127.0.0.31', server, ADMIN_TOKEN)).status).toBe(303);
  });
});

describe('a session', () => {
  it('opens the dashboard and the API, and ends with POST /logout', async () => {
    const server = await collector();
    await postReport(server, fakeReport());
    const cookie = await signIn(server);
    const home = await send(`${server.url}/`, { headers: { cookie } });
    // The dashboard, or a page saying how to build it (collector-dashboard-assets.test.ts has both).
    expect([200, 503]).toContain(home.status);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(await getCounts(server, cookie)).toHaveLength(1);
    expect((await send(`${server.url}/nowhere`, { headers: { cookie } })).status).toBe(404);
    const wrongMethod = await send(`${server.url}/api/v1/counts`, { method: 'DELETE', headers: { cookie } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');

    const logout = await send(`${server.url}/logout`, { method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(303);
    expect(logout.headers.location).toBe('/login');
    expect(logout.headers['set-cookie']?.[0]).toBe('daylight_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
    expect((await send(`${server.url}/api/v1/counts`, { headers: { cookie } })).status).toBe(401);
  });

  it('survives a restart with the same admin token, and ends when the token changes', async () => {
    const first = await startTestCollector();
    const cookie = await signIn(first);
    await first.close();
    const second = await startTestCollector({ dataDir: first.dataDir });
    expect((await send(`${second.url}/api/v1/counts`, { headers: { cookie } })).status).toBe(200);
    await second.close();
    const rotated = await collector({ dataDir: first.dataDir, adminToken: 'a-new-admin-token-after-a-leak' });
    expect((await send(`${rotated.url}/api/v1/counts`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('the admin token', () => {
  it('is generated at first start (256 bits), written to its own 0600 file, kept hashed in the database', async () => {
    const first = await startTestCollector({ adminToken: undefined });
    const token = first.generatedAdminToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.adminTokenFile).toBe(join(first.dataDir, 'admin-token'));
    expect(readFileSync(first.adminTokenFile as string, 'utf8')).toBe(`${token}\n`);
    expect(statSync(first.adminTokenFile as string).mode & 0o777).toBe(0o600);
    await signIn(first, token);
    await first.close();
    // Only the file meant for the admin holds it: the database, its WAL and the logs do not.
    for (const file of readdirSync(first.dataDir).filter((name) => name !== 'admin-token')) {
      expect(readFileSync(join(first.dataDir, file)).includes(token), file).toBe(false);
    }
    expect(JSON.stringify(first.logs)).not.toContain(token);
    const second = await collector({ dataDir: first.dataDir, adminToken: undefined });
    expect(second.generatedAdminToken).toBeNull();
    await signIn(second, token);
  });

  it('given in the options is used as it is; a short one is refused', async () => {
    const server = await collector({ adminToken: 'an-admin-token-of-my-own' });
    expect(server.generatedAdminToken).toBeNull();
    await signIn(server, 'an-admin-token-of-my-own');
    await expect(startTestCollector({ adminToken: 'short' })).rejects.toThrow(
      'the admin token must be at least 16 characters long',
    );
  });
});

describe('GET /api/v1/counts', () => {
  it('filters by from, to, tool, event and group (empty: no group)', async () => {
    const server = await collector();
    const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
    await postReport(
      server,
      fakeReport({
        counts: [
          fakeCount({ day: day(0), n: 1 }),
          fakeCount({ day: day(1), n: 2 }),
          fakeCount({ day: day(2), tool: 'claude', n: 4 }),
          fakeCount({ day: day(2), event: 'blocked', n: 8 }),
        ],
      }),
    );
    await postReport(server, fakeReport({ group: undefined, counts: [fakeCount({ day: day(0), n: 16 })] }));
    const cookie = await signIn(server);
    const sum = async (query: string) =>
      (await getCounts(server, cookie, query)).reduce((total, row) => total + row.n, 0);
    expect(await sum('')).toBe(31);
    expect(await sum(`?from=${day(1)}`)).toBe(19);
    expect(await sum(`?to=${day(1)}`)).toBe(14);
    expect(await sum(`?from=${day(1)}&to=${day(1)}`)).toBe(2);
    expect(await sum('?tool=claude')).toBe(4);
    expect(await sum('?event=blocked')).toBe(8);
    expect(await sum('?group=marketing')).toBe(15);
    expect(await sum('?group=')).toBe(16);
    expect(await sum('?group=sales')).toBe(0);
  });

  it('refuses an unknown, repeated or malformed filter with 400 naming it', async () => {
    const server = await collector();
    const cookie = await signIn(server);
    const cases: [string, string][] = [
      ['?tools=claude', 'tools: unknown parameter; the filters are from, to, tool, event, group'],
      ['?tool=a&tool=b', 'tool: given more than once'],
      ['?from=2026-02-30', 'from: must be a calendar date written YYYY-MM-DD'],
      ['?to=yesterday', 'to: must be a calendar date written YYYY-MM-DD'],
      ['?from=2026-11-26&to=2026-11-01', 'from: 2026-11-26 is after to (2026-11-01)'],
      ['?tool=Claude', 'tool: must be a tool id'],
      ['?event=opened', 'event: must be one of visit, warned, proceeded, redirected, blocked, sensitive-paste'],
    ];
    for (const [query, error] of cases) {
      const answer = await send(`${server.url}/api/v1/counts${query}`, { headers: { cookie } });
      expect(answer.status, query).toBe(400);
      expect(JSON.parse(answer.text), query).toEqual({ error });
      expect((await send(`${server.url}/api/v1/counts.csv${query}`, { headers: { cookie } })).status, query).toBe(400);
    }
  });
});

describe('startCollector', () => {
  it('refuses a port in use (EADDRINUSE); the data dir serves the next start', async () => {
    const first = await collector();
    const dataDir = mkdtempSync(join(tmpdir(), 'daylight-collector-'));
    await expect(startTestCollector({ dataDir, port: first.port })).rejects.toThrow('EADDRINUSE');
    const again = await collector({ dataDir });
    expect((await send(`${again.url}/healthz`)).status).toBe(200);
  });

  it('refuses a report rate that admits nothing', async () => {
    await expect(startTestCollector({ maxReportsPerSecond: 0 })).rejects.toThrow(
      'maxReportsPerSecond must be above 0, not 0',
    );
  });
});
