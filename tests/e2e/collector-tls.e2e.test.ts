/**
 * The extension and a collector that speaks HTTPS itself (`daylight serve --tls-cert --tls-key --public-url`), as IT
 * runs it without a TLS proxy: the fleet fetches the policy from it and uploads its counts to it under its public
 * name, and nothing listens in clear. Chromium reaches daylight.globex.example through --host-resolver-rules; it
 * takes the test's self-signed certificate because every e2e browser runs with --ignore-certificate-errors (the
 * certificate checks themselves are tested with a client that trusts only it, tests/unit/collector/tls.test.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../collector/server';
import { testCertificate, type TestCertificate } from '../support/certificates';
import { send } from '../support/collector';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { waitForPolicyStatus } from './support/daylight';
import { CHROME_BUILD, DAYLIGHT_EXTENSION_ID, extensionUrl } from './support/extension';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';

const COLLECTOR_HOST = 'daylight.globex.example';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const REPORTING_TOKEN = 'e2e-reporting-token-over-tls';

let sites: FakeSites;
let chromium: LaunchedChromium;
let collector: Collector;
let certificate: TestCertificate;
let dataDir: string;
let removePolicy: RemovePolicy | null = null;

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  dataDir = await mkdtemp(join(tmpdir(), 'daylight-collector-tls-e2e-'));
  certificate = await testCertificate([COLLECTOR_HOST]);
  const tls = { certFile: join(dataDir, 'fullchain.pem'), keyFile: join(dataDir, 'privkey.pem') };
  await writeFile(tls.certFile, certificate.cert);
  await writeFile(tls.keyFile, certificate.key, { mode: 0o600 });
  const policyFile = join(dataDir, 'policy.json');
  await writeFile(
    policyFile,
    JSON.stringify({
      schemaVersion: 1,
      revision: 'globex-tls-1',
      organization: { name: 'Globex' },
      rules: [{ tool: 'gemini', action: 'monitor' }],
      reporting: { url: `https://${COLLECTOR_HOST}/v1/reports`, intervalMinutes: 1440 },
    }),
  );
  collector = await startCollector({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    tls,
    publicUrl: `https://${COLLECTOR_HOST}`,
    policyFile,
    k: 1,
    adminToken: ADMIN_TOKEN,
    reportingToken: REPORTING_TOKEN,
    log: () => undefined,
  });
  sites = await startFakeSites(['gemini.google.com']);
  removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, {
    policyUrl: `https://${COLLECTOR_HOST}/v1/policy`,
    reportingToken: REPORTING_TOKEN,
    group: 'Finance',
  });
  chromium = await launchChromium({
    extensionDir: CHROME_BUILD,
    sites,
    httpsServers: { [COLLECTOR_HOST]: collector.port },
  });
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
  await collector?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** What the collector holds, read over HTTPS by a client that trusts only the test's certificate. */
async function collectedVisits(): Promise<number> {
  const url = `https://127.0.0.1:${collector.port}`;
  const login = await send(`${url}/login`, {
    method: 'POST',
    ca: certificate.cert,
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: COLLECTOR_HOST },
    body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
  });
  const cookie = (login.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const answer = await send(`${url}/api/v1/counts?tool=gemini`, {
    ca: certificate.cert,
    headers: { cookie, host: COLLECTOR_HOST },
  });
  const { rows } = JSON.parse(answer.text) as { rows: { event: string; group: string; n: number }[] };
  return rows.filter((row) => row.event === 'visit' && row.group === 'Finance').reduce((sum, row) => sum + row.n, 0);
}

describe('a collector with TLS of its own', () => {
  it('serves the fleet its policy and takes its counts over HTTPS under its public name', async () => {
    await waitForPolicyStatus(chromium, (status) => status.revision === 'globex-tls-1');
    const page = await chromium.context.newPage();
    for (const path of ['/app', '/app/2']) await page.goto(`https://gemini.google.com${path}`);
    await page.goto(extensionUrl(DAYLIGHT_EXTENSION_ID, 'options.html'));
    await page.getByRole('button', { name: 'Send now' }).click();
    const status = page.locator('#upload-heading ~ .actions [role="status"]');
    await expect
      .poll(() => status.textContent(), { timeout: 15_000 })
      .toBe('Sent. The server accepted everything that was waiting.');
    await page.close();
    expect(await collectedVisits()).toBe(2);
  });
});
