/**
 * The browser-level outcome equals the pure decision (ARCHITECTURE.md
 * "Invariants"): more than 10,000 URLs go through Chromium's own
 * declarativeNetRequest matcher (testMatchOutcome, in the test build that has
 * the feedback permission) and through decide(). DNR may miss a nudge only
 * in the kinds listed below, each caught by the webNavigation check; DNR must
 * never nudge where decide() does not, since nothing could undo that.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../lib/policy/bundled';
import { isNudge } from '../../lib/policy/dnr-rules';
import { decide } from '../../lib/policy/decide';
import type { PolicyIndex } from '../../lib/policy/compile';
import { parsePolicy, parsePolicyText } from '../../lib/policy/validate';
import { CONFORMANCE_POLICY_FILE, readConformanceCases } from '../support/conformance';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { DAYLIGHT_EXTENSION_ID, evaluateInServiceWorker } from './support/extension';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';
import { waitForInstalledRules, waitForPolicyStatus } from './support/daylight';
import { startFakeSites, type FakeSites } from './support/fake-sites';

const E2E_BUILD = new URL('../../.output/chrome-mv3-e2e', import.meta.url).pathname;

/**
 * Where DNR cannot see what decide() sees, and why the second line covers it
 * (platform/background/navigation.ts decides every committed top-level URL).
 */
const SECOND_LINE_KINDS: readonly { readonly kind: string; readonly applies: (url: URL) => boolean }[] = [
  // Chromium matches the encoded path; decide() decodes once (spec step 3), so /%63hat is /chat.
  { kind: 'percent-encoded path', applies: (url) => /%[0-9a-f]{2}/i.test(url.pathname) },
  // Chromium keeps runs of "/" that decide() collapses.
  { kind: 'double slash in the path', applies: (url) => url.pathname.includes('//') },
  // Chromium keeps a trailing dot that decide() strips (spec step 2); requestDomains does not match it.
  { kind: 'trailing dot in the host', applies: (url) => url.hostname.endsWith('.') },
];

interface WorkerScope {
  chrome: {
    declarativeNetRequest: {
      getDynamicRules(): Promise<{ id: number; action: { type: string } }[]>;
      testMatchOutcome(request: { url: string; type: string }): Promise<{ matchedRules: { ruleId: number }[] }>;
    };
  };
}

/** Catalog patterns in the shapes people open, plus the adversarial spellings of each. */
function urlsToCompare(): string[] {
  const urls: string[] = [];
  for (const tool of BUNDLED_CATALOG.tools) {
    for (const pattern of tool.match) {
      const slash = pattern.indexOf('/');
      const host = slash === -1 ? pattern : pattern.slice(0, slash);
      const path = slash === -1 ? '' : pattern.slice(slash);
      const first = path === '' ? '' : `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`;
      urls.push(
        `https://${host}${path}`,
        `https://www.${host}${path}/c/1?q=a/b#frag`,
        `http://${host}:8080${path}`,
        `https://${host}${path}x`,
        `https://${host}${path};a=1`,
        `https://${host}${path}=1`,
        `https://${host}${path}.html`,
        `https://${host}/other/page`,
        `https://m.app.${host}${path}/deep/path/`,
        `https://${host.toUpperCase()}${path.toUpperCase()}/X`,
        `https://${host}${first}`,
        `https://${host}/${path}`,
        `https://${host}/x/..${path}`,
        `https://${host}.${path}`,
        `https://${host}-evil.example${path}`,
        `https://user:pass@${host}${path}?next=/chat`,
      );
    }
  }
  const nonAi = readFileSync(new URL('../fixtures/non-ai-sites.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  return [...urls, ...nonAi];
}

let sites: FakeSites;
let chromium: LaunchedChromium;
let removePolicy: RemovePolicy | null = null;

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  sites = await startFakeSites(['talkbot.example']);
  chromium = await launchChromium({ extensionDir: E2E_BUILD, sites });
  await waitForInstalledRules(chromium);
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
});

/** Asks Chromium's matcher about every URL, and compares with decide() under the same policy. */
async function compare(index: PolicyIndex, urls: readonly string[]) {
  const nudgedByDnr = await evaluateInServiceWorker(
    chromium,
    async (list: string[]) => {
      const dnr = (globalThis as unknown as WorkerScope).chrome.declarativeNetRequest;
      const redirects = new Set(
        (await dnr.getDynamicRules()).filter((r) => r.action.type === 'redirect').map((r) => r.id),
      );
      const out: boolean[] = [];
      for (const url of list) {
        const { matchedRules } = await dnr.testMatchOutcome({ url, type: 'main_frame' });
        out.push(matchedRules.some((rule) => redirects.has(rule.ruleId)));
      }
      return out;
    },
    [...urls],
  );
  const falseNudges: string[] = [];
  const uncovered: string[] = [];
  const covered = new Map<string, number>();
  urls.forEach((url, i) => {
    const expected = isNudge(decide(index, url));
    const dnr = nudgedByDnr[i] === true;
    if (dnr === expected) return;
    if (dnr) {
      // DNR sees the path undecoded, so a broader nudge can beat a more specific allowed path; the nudge
      // page then asks for a pass and goes on (nudge:pass), which the last test shows in a real navigation.
      if (/%[0-9a-f]{2}/i.test(new URL(url).pathname))
        covered.set('passed through', (covered.get('passed through') ?? 0) + 1);
      else falseNudges.push(url);
      return;
    }
    const kind = SECOND_LINE_KINDS.find((k) => k.applies(new URL(url)))?.kind;
    if (kind === undefined) uncovered.push(url);
    else covered.set(kind, (covered.get(kind) ?? 0) + 1);
  });
  return { falseNudges, uncovered, covered: Object.fromEntries(covered) };
}

describe("Chromium's DNR outcome and decide()", () => {
  it('agree on more than 10,000 URLs under the default policy, except where the second line covers', async () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('default policy invalid');
    const urls = urlsToCompare();
    expect(urls.length).toBeGreaterThanOrEqual(10_000);
    const result = await compare(parsed.index, urls);
    console.info(`DNR and decide() on ${urls.length} URLs; left to the second line: ${JSON.stringify(result.covered)}`);
    expect(result.falseNudges).toEqual([]);
    expect(result.uncovered).toEqual([]);
  });

  it('agree under the conformance policy, where allow, monitor, block, redirect and sanctioned paths meet', async () => {
    const text = readFileSync(CONFORMANCE_POLICY_FILE, 'utf8');
    removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, { policy: text });
    await waitForPolicyStatus(chromium, (status) => status.revision === 'conformance-1');
    const parsed = parsePolicyText(text, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('conformance policy invalid');
    const hosts = [
      'talkbot.example',
      'talkbot-app.example',
      'searchy.example',
      'pixelgen.example',
      'codepal.example',
      'notes.example',
      'voicey.example',
      'chat.globex.example',
      'draw.globex.example',
    ];
    const paths = ['/', '/enterprise', '/enterprise/x', '/enterprises', '/assistant', '/assistant/t', '/assistants'];
    const more = ['/ai', '/ai/m', '/AI/x', '/new', '/x/../enterprise'];
    const urls = [
      ...readConformanceCases()
        .map((c) => c.url)
        .filter((url) => url.startsWith('http')),
      ...hosts.flatMap((host) =>
        [...paths, ...more].flatMap((path) => [`https://${host}${path}`, `https://app.${host}${path}?q=1`]),
      ),
    ];
    const result = await compare(parsed.index, urls);
    expect(result.falseNudges).toEqual([]);
    expect(result.uncovered).toEqual([]);
  });

  it('lets a page the policy allows through, when DNR caught it undecoded', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://talkbot.example/x/..%2fenterprise');
    await page.waitForURL('https://talkbot.example/x/..%2fenterprise', { timeout: 10_000 });
    expect(sites.requests.map((request) => request.path)).toEqual(['/x/..%2fenterprise']);
    await page.close();
  });
});
