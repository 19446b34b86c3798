// @vitest-environment node
/**
 * `daylight serve --admin-port` (collector/dispatch.ts): the fleet's port serves what the fleet needs, reports and
 * the policy, and nothing of the sign-in, so that a stranger on the fleet's network cannot even try a token; the
 * admins' port serves the sign-in and the dashboard, on this machine by default.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, fakeReport, postReport, send, signIn, testCollectors } from '../../support/collector';

const collectors = testCollectors();
afterEach(() => collectors.disposeAll());

const form = (token: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token }).toString(),
});

describe('with --admin-port', () => {
  it('keeps the sign-in and the dashboard off the fleet port, which answers them 404 as paths it does not have', async () => {
    const server = await collectors.start({ adminPort: 0 });
    expect(server.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.adminUrl).not.toBe(server.url);
    expect((await postReport(server, fakeReport())).status).toBe(202);
    expect((await send(`${server.url}/healthz`)).status).toBe(200);
    for (const path of ['/', '/login', '/api/v1/dashboard', '/api/v1/counts.csv', '/assets/index.js', '/nowhere']) {
      const answer = await send(`${server.url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.location, path).toBeUndefined();
    }
    // The right token is no use there: no session is made on the fleet's port.
    const login = await send(`${server.url}/login`, form(ADMIN_TOKEN));
    expect(login.status).toBe(404);
    expect(login.headers['set-cookie']).toBeUndefined();
  });

  it('serves the sign-in and the dashboard on the admin port, and not the fleet routes', async () => {
    const server = await collectors.start({ adminPort: 0, k: 1 });
    expect((await postReport(server, fakeReport())).status).toBe(202);
    const admins = { url: server.adminUrl ?? '' };
    expect((await send(`${admins.url}/`)).headers.location).toBe('/login');
    const cookie = await signIn(admins);
    const counts = await send(`${admins.url}/api/v1/counts`, { headers: { cookie } });
    expect(JSON.parse(counts.text)).toMatchObject({ rows: [{ tool: 'chatgpt', n: 1 }] });
    expect((await postReport(admins, fakeReport(), { cookie })).status).toBe(404);
    expect((await send(`${admins.url}/healthz`)).status).toBe(200);
  });

  it('answers on the admin port its public name and this machine, on any port, and no other name', async () => {
    const server = await collectors.start({ adminPort: 0, publicUrl: 'https://daylight.example.com' });
    const port = new URL(server.adminUrl ?? '').port;
    // A proxy of the admins' sends the public name; an SSH tunnel, a loopback name on a port of its own.
    for (const host of [
      'daylight.example.com',
      `daylight.example.com:${port}`,
      'localhost:9000',
      `127.0.0.1:${port}`,
    ]) {
      expect((await send(`${server.adminUrl}/login`, { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['attacker-rebind.example', `attacker-rebind.example:${port}`]) {
      const answer = await send(`${server.adminUrl}/login`, { headers: { host } });
      expect(answer.status, host).toBe(421);
      expect(JSON.parse(answer.text)).toEqual({
        error: 'this dashboard answers to its public name and to this machine (daylight serve --admin-port)',
      });
    }
    // Without a public URL, an admin port on this machine still answers only this machine's names.
    const local = await collectors.start({ adminPort: 0 });
    expect((await send(`${local.adminUrl}/login`, { headers: { host: 'attacker-rebind.example' } })).status).toBe(421);
    expect((await send(`${local.adminUrl}/login`, { headers: { host: 'localhost:9000' } })).status).toBe(200);
  });

  it('counts sign-in tries on the admin port by the connection, whatever X-Forwarded-For says', async () => {
    const server = await collectors.start({ adminPort: 0, trustProxy: true });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const answer = await send(`${server.adminUrl}/login`, {
        ...form('not-the-token'),
        headers: { ...form('').headers, 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('does not warn of plain HTTP on a sign-in that only this machine reaches', async () => {
    const server = await collectors.start({ host: '0.0.0.0', adminPort: 0 });
    expect((await send(`${server.adminUrl}/login`)).text).not.toContain('Not encrypted');
    const open = await collectors.start({ host: '0.0.0.0', adminPort: 0, adminHost: '0.0.0.0' });
    expect((await send(`${open.adminUrl}/login`)).text).toContain('Not encrypted');
  });
});

describe('without --admin-port', () => {
  it('serves both on one port, as before', async () => {
    const server = await collectors.start();
    expect(server.adminUrl).toBeNull();
    expect((await postReport(server, fakeReport())).status).toBe(202);
    expect((await send(`${server.url}/`)).headers.location).toBe('/login');
    expect(await signIn(server)).toMatch(/^daylight_session=/);
  });
});
