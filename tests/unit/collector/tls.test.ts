// @vitest-environment node
/**
 * TLS of the collector's own (`daylight serve --tls-cert --tls-key`, collector/tls.ts): without it the admin token,
 * the session cookie and every report cross the network in clear. Real HTTPS round trips with generated certificates,
 * trusted by the client as IT's own CA would be.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { connect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testCertificate, type TestCertificate } from '../../support/certificates';
import { ADMIN_TOKEN, fakeReport, send, signIn, testCollectors } from '../../support/collector';

const collectors = testCollectors();
const folders: string[] = [];
afterEach(async () => {
  await collectors.disposeAll();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

let first: TestCertificate;
let renewed: TestCertificate;
beforeAll(async () => {
  [first, renewed] = await Promise.all([testCertificate(['localhost', 'daylight.example.com']), testCertificate()]);
});

/** The pair written where IT would keep it; returns the files' paths. */
function writePair(pair: TestCertificate, folder = mkdtempSync(join(tmpdir(), 'daylight-tls-'))) {
  if (!folders.includes(folder)) folders.push(folder);
  const files = { certFile: join(folder, 'fullchain.pem'), keyFile: join(folder, 'privkey.pem') };
  writeFileSync(files.keyFile, pair.key, { mode: 0o600 });
  writeFileSync(files.certFile, pair.cert);
  return files;
}

/** The fingerprint of the certificate a new TLS connection to `port` is given, checked against `ca`. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const { fingerprint256 } = socket.getPeerCertificate();
      socket.end();
      resolve(fingerprint256);
    });
    socket.on('error', reject);
  });
}

const fingerprintOf = (pair: TestCertificate): string => new X509Certificate(pair.cert).fingerprint256;

describe('with --tls-cert and --tls-key', () => {
  it('answers over HTTPS, with HSTS for its name, to a client that trusts the certificate; reports stored, cookies Secure', async () => {
    const server = await collectors.start({ tls: writePair(first), k: 1 });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = first.cert;
    const posted = await send(`${server.url}/v1/reports`, {
      method: 'POST',
      ca,
      headers: { 'content-type': 'application/json', host: 'daylight.example.com' },
      body: JSON.stringify(fakeReport()),
    });
    expect(posted.status).toBe(202);
    expect(posted.headers['strict-transport-security']).toBe('max-age=31536000');
    // Not for an address or localhost: it would pin every local server of the admin's machine to HTTPS.
    for (const host of [new URL(server.url).host, `localhost:${new URL(server.url).port}`, '[::1]']) {
      const answer = await send(`${server.url}/healthz`, { ca, headers: { host } });
      expect(answer.headers['strict-transport-security'], host).toBeUndefined();
    }
    const login = await send(`${server.url}/login`, {
      method: 'POST',
      ca,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    expect(login.status).toBe(303);
    expect(login.headers['set-cookie']?.[0]).toMatch(/; Secure$/);
    const cookie = (login.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const counts = await send(`${server.url}/api/v1/counts`, { ca, headers: { cookie } });
    expect(JSON.parse(counts.text)).toMatchObject({ rows: [{ tool: 'chatgpt', n: 1 }] });
    // A client that does not trust the certificate is not answered: the TLS check is real.
    await expect(send(`${server.url}/healthz`)).rejects.toThrow(/self-signed|self signed/);
  });

  it('serves a renewed pair copied over the old one without a restart, and keeps the last good pair meanwhile', async () => {
    const files = writePair(first);
    const server = await collectors.start({ tls: files });
    const port = Number(new URL(server.url).port);
    expect(await servedFingerprint(port, first.cert)).toBe(fingerprintOf(first));

    // A copy half done: a certificate cut short. The old pair stays in force, and the log says why.
    writeFileSync(files.certFile, renewed.cert.slice(0, 200));
    await expect
      .poll(() =>
        server.logs.find((entry) => entry.msg === 'the TLS files do not load; still serving the last good pair'),
      )
      .toMatchObject({ level: 'error', error: expect.stringContaining('--tls-cert') as unknown });
    expect(await servedFingerprint(port, first.cert)).toBe(fingerprintOf(first));

    // The new certificate whole, its intermediate cut short: the chain fails where the leaf passed.
    writeFileSync(files.keyFile, renewed.key);
    writeFileSync(files.certFile, `${renewed.cert.trimEnd()}\n${first.cert.slice(0, 300)}`);
    await expect
      .poll(
        () =>
          server.logs.filter((entry) => entry.msg === 'the TLS files do not load; still serving the last good pair'),
        {
          timeout: 5000,
        },
      )
      .toContainEqual(
        expect.objectContaining({ error: expect.stringContaining('not a PEM certificate chain') as unknown }),
      );
    expect(await servedFingerprint(port, first.cert)).toBe(fingerprintOf(first));

    writePair(renewed, join(files.certFile, '..'));
    await expect.poll(() => servedFingerprint(port, renewed.cert), { timeout: 5000 }).toBe(fingerprintOf(renewed));
    expect(server.logs).toContainEqual(
      expect.objectContaining({ msg: 'TLS certificate reloaded', fingerprint: fingerprintOf(renewed) }),
    );
    const answer = await send(`${server.url}/healthz`, { ca: renewed.cert });
    expect(answer.status).toBe(200);
  });

  it('refuses to start, naming the option, with a key of another certificate, a missing file, no certificate or a chain cut short', async () => {
    const files = writePair(first);
    const other = writePair(renewed);
    await expect(collectors.start({ tls: { certFile: files.certFile, keyFile: other.keyFile } })).rejects.toThrow(
      `--tls-key ${other.keyFile}: not the key of the certificate in --tls-cert ${files.certFile}`,
    );
    await expect(collectors.start({ tls: { ...files, certFile: `${files.certFile}.missing` } })).rejects.toThrow(
      `--tls-cert ${files.certFile}.missing: cannot read it (ENOENT)`,
    );
    await expect(collectors.start({ tls: { ...files, certFile: files.keyFile } })).rejects.toThrow(
      `--tls-cert ${files.keyFile}: not a PEM certificate`,
    );
    writeFileSync(files.certFile, `${first.cert.trimEnd()}\n${renewed.cert.slice(0, 300)}`);
    await expect(collectors.start({ tls: files })).rejects.toThrow(
      `--tls-cert ${files.certFile}: not a PEM certificate chain`,
    );
  });

  it('drops a connection that does not finish its TLS handshake within 10 s (slowloris before the headers)', async () => {
    const server = await collectors.start({ tls: writePair(first) });
    const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    const opened = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    const seconds = (Date.now() - opened) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(9);
    expect(seconds).toBeLessThan(15);
  }, 20_000);

  it('logs a warning at load when the certificate expires within two weeks', async () => {
    const soon = await testCertificate(['localhost'], 5);
    const server = await collectors.start({ tls: writePair(soon) });
    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'TLS certificate loaded', daysLeft: 4 }),
    );
  });
});

describe('the sign-in page on plain HTTP', () => {
  const warning = 'This collector is reached over plain HTTP, so the admin token and the counts cross the network';

  it('warns that the token crosses the network in clear when listening on it without TLS', async () => {
    const server = await collectors.start({ host: '0.0.0.0' });
    const page = await send(`${server.url}/login`);
    expect(page.text).toContain(warning);
    expect(page.text).toMatch(/aria-describedby="plain-http token-hint"/);
    // The wrong token's page says it too: it is where the admin looks after a failed try.
    const wrong = await send(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=wrong',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(warning);
  });

  it('says nothing behind a TLS proxy, on loopback only, or with TLS of its own', async () => {
    const network = await collectors.start({ host: '0.0.0.0' });
    const proxied = await send(`${network.url}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.status).toBe(200);
    expect(proxied.text).not.toContain(warning);
    const loopback = await collectors.start({ host: '127.0.0.1' });
    expect((await send(`${loopback.url}/login`)).text).not.toContain(warning);
    const encrypted = await collectors.start({ host: '0.0.0.0', tls: writePair(first) });
    const page = await send(`${encrypted.url}/login`, { ca: first.cert });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(warning);
    expect(await signIn(loopback)).toMatch(/^daylight_session=/);
  });
});
