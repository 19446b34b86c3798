/**
 * Firefox ESR as IT deploys Daylight there: `daylight deploy --browser firefox --os linux` writes
 * policies.json, which goes to /etc/firefox/policies/. Firefox installs the XPI from the generated
 * ExtensionSettings (this XPI is unsigned, which ESR takes with `xpinstall.signatures.required` off;
 * IT's is signed by Mozilla), hands the extension the 3rdparty configuration (policy URL, signing
 * key, group), and the extension fetches the signed policy, verifies it, and nudges by it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { startFakeSites, type FakeSites } from './support/fake-sites';
import {
  EXTENSION_UUID,
  FIREFOX_BUILD,
  launchFirefox,
  waitForNudgeHeading,
  waitForPage,
  writeFirefoxPoliciesFile,
  type LaunchedFirefox,
  type RestorePolicies,
} from './support/firefox';

const HOSTS = ['chatgpt.com', 'chat.globex.example', 'it.globex.example'];
const POLICY_URL = 'https://it.globex.example/daylight/policy.json';

const POLICY = `${JSON.stringify(
  {
    schemaVersion: 1,
    revision: 'globex-firefox-signed-1',
    issuedAt: '2026-11-26T10:00:00Z',
    organization: { name: 'Globex' },
    sanctioned: [{ id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/', categories: ['chat'] }],
    rules: [{ tool: 'chatgpt', action: 'block' }],
    // Counts would go here (hourly at the earliest, so never during the test): the options page then
    // says which group they are sent under.
    reporting: { url: 'https://collect.globex.example/v1/reports', intervalMinutes: 60 },
  },
  null,
  2,
)}\n`;

let work: string;
let sites: FakeSites;
let xpiServer: Server;
let firefox: LaunchedFirefox;
let restorePolicies: RestorePolicies | undefined;

function cli(args: readonly string[]): string {
  const run = runCli(args);
  if (run.status !== 0) throw new Error(`daylight ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** The Firefox build as an XPI (a zip), as `web-ext build` makes it for signing. */
function buildXpi(): Buffer {
  const out = join(work, 'xpi');
  const built = spawnSync(
    'node_modules/.bin/web-ext',
    ['build', '--source-dir', FIREFOX_BUILD, '--artifacts-dir', out, '--overwrite-dest'],
    { encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`web-ext build failed: ${built.stderr}`);
  const [zip] = readdirSync(out);
  if (zip === undefined) throw new Error('web-ext build wrote nothing');
  return readFileSync(join(out, zip));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'daylight-firefox-deploy-'));
  const publicKey = join(work, 'keys', 'daylight-signing-key.pub');
  cli(['keygen', '--out', join(work, 'keys')]);
  mkdirSync(join(work, 'policy'));
  const policyFile = join(work, 'policy', 'policy.json');
  writeFileSync(policyFile, POLICY);
  // As IT signs: dated now, and meant for the URL the fleet fetches it from.
  cli(['sign', policyFile, '--key', join(work, 'keys', 'daylight-signing-key.pem'), '--audience', POLICY_URL]);

  sites = await startFakeSites(HOSTS);
  for (const file of ['policy.json', 'policy.json.sig']) {
    sites.route('it.globex.example', `/daylight/${file}`, (_req, res) => {
      res.end(readFileSync(join(work, 'policy', file)));
    });
  }
  const xpi = buildXpi();
  xpiServer = createServer((req, res) => {
    if (req.url !== '/daylight.xpi') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/x-xpinstall' }).end(xpi);
  });
  await new Promise<void>((resolve) => xpiServer.listen(0, '127.0.0.1', resolve));
  const installUrl = `http://127.0.0.1:${(xpiServer.address() as AddressInfo).port}/daylight.xpi`;

  const out = join(work, 'deploy');
  cli([
    'deploy',
    '--browser',
    'firefox',
    '--os',
    'linux',
    '--policy-url',
    POLICY_URL,
    '--signing-key-file',
    publicKey,
    '--group',
    'emea-sales',
    '--install-url',
    installUrl,
    '--out',
    out,
  ]);
  // Before the launch: Firefox reads policies.json once, at start-up.
  restorePolicies = writeFirefoxPoliciesFile(readFileSync(join(out, 'policies.json'), 'utf8'));
  firefox = await launchFirefox({ extensionDir: null, sites });
}, 90_000);

afterAll(async () => {
  try {
    await firefox?.close();
    await sites?.close();
    await new Promise((resolve) => xpiServer?.close(resolve));
  } finally {
    restorePolicies?.();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }
});

describe('Firefox configured by the generated policies.json', () => {
  it('installs Daylight, which fetches the signed policy, verifies it, and nudges by it', async () => {
    const page = await firefox.newPage();
    // The bundled default only warns about ChatGPT: a block means the signed policy is in force.
    await waitForNudgeHeading(page, 'https://chatgpt.com/', 'ChatGPT is not available here', 30_000);
    const policyRequests = sites.requests.filter((request) => request.host === 'it.globex.example');
    expect(policyRequests.map((request) => request.path)).toEqual(
      expect.arrayContaining(['/daylight/policy.json', '/daylight/policy.json.sig']),
    );
    expect(sites.requests.filter((request) => request.host === 'chatgpt.com')).toEqual([]);
    await page.close();
  });

  it('shows on its options page the policy URL, that it must be signed, and the group counts go under', async () => {
    const page = await firefox.newPage();
    await waitForNudgeHeading(page, 'https://chatgpt.com/', 'ChatGPT is not available here');
    // Extension pages cannot be opened by WebDriver; the nudge page, itself one, can go to another.
    await page.evaluate((url) => void (location.href = url), `moz-extension://${EXTENSION_UUID}/options.html`);
    await waitForPage(page, (s) => s.href.endsWith('/options.html') && s.complete, 'the options page');
    const text = await page.evaluate(async () => {
      for (let i = 0; i < 100 && document.querySelector('main h2') === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return document.querySelector('main')?.textContent ?? '';
    });
    expect(text).toContain(`${POLICY_URL} (must be signed)`);
    expect(text).toContain('globex-firefox-signed-1');
    expect(text).toContain('Your team is sent with them as "emea-sales", as your IT department set it.');
    expect(text).toContain('No problems with the latest update.');
    await page.close();
  });
});
