// @vitest-environment node
/**
 * The Host check (`daylight serve --public-url`): a web page an employee opens can point its own host name at the
 * collector's address (DNS rebinding) and then post to it as a same-origin page; the collector answers only the
 * names it is known by.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReport, postReport, send, testCollectors } from '../../support/collector';

const collectors = testCollectors();
afterEach(() => collectors.disposeAll());

describe('with --public-url', () => {
  it('answers 421 to any other Host, whatever the path, and serves its own name and loopback', async () => {
    const server = await collectors.start({ publicUrl: 'https://daylight.example.com' });
    const port = new URL(server.url).port;
    for (const path of ['/login', '/v1/reports', '/v1/policy', '/api/v1/dashboard']) {
      const answer = await send(`${server.url}${path}`, { headers: { host: 'attacker-rebind.example' } });
      expect(answer.status, path).toBe(421);
      expect(JSON.parse(answer.text), path).toEqual({
        error: 'this collector answers to daylight.example.com (daylight serve --public-url)',
      });
    }
    const rebound = await postReport(server, fakeReport(), { host: `attacker-rebind.example:${port}` });
    expect(rebound.status).toBe(421);
    for (const host of ['daylight.example.com', 'DAYLIGHT.example.com:443', `127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await send(`${server.url}/login`, { headers: { host } })).status, host).toBe(200);
    }
    expect((await postReport(server, fakeReport(), { host: 'daylight.example.com' })).status).toBe(202);
    // A load balancer's health check may name the address: it learns nothing there.
    expect((await send(`${server.url}/healthz`, { headers: { host: '10.0.0.7:8787' } })).status).toBe(200);
  });

  it('takes the port of a public URL that names one', async () => {
    const server = await collectors.start({ publicUrl: 'http://collector.corp.example:8080/' });
    expect((await send(`${server.url}/login`, { headers: { host: 'collector.corp.example:8080' } })).status).toBe(200);
    expect((await send(`${server.url}/login`, { headers: { host: 'collector.corp.example' } })).status).toBe(421);
  });
});

describe('without --public-url', () => {
  it('answers any Host, as before', async () => {
    const server = await collectors.start();
    expect((await send(`${server.url}/login`, { headers: { host: 'anything.example' } })).status).toBe(200);
  });
});
