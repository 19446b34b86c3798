/**
 * The browser-level outcome equals the pure decision (ARCHITECTURE.md
 * "Invariants"): more than 10,000 URLs go through Chromium's own
 * declarativeNetRequest matcher (testMatchOutcome, in the test build that has
 * the feedback permission) and through decide(), in a tab and in a frame. DNR
 * nudges every URL that decide() nudges, in every spelling, before the request
 * leaves; it nudges a URL that decide() allows only in the spellings that the
 * nudge page decides (and then lets through).
 */
import { readFileSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../lib/policy/bundled';
import { isNudge } from '../../lib/policy/dnr-rules';
import { decide } from '../../lib/policy/decide';
import type { PolicyIndex } from '../../lib/policy/compile';
import { parsePolicy, parsePolicyText } from '../../lib/policy/validate';
import { CONFORMANCE_POLICY_FILE, readConformanceCases } from '../support/conformance';
import { pathSpelling } from '../support/path-spellings';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { DAYLIGHT_EXTENSION_ID, evaluateInServiceWorker, extensionUrl } from './support/extension';
import { MANAGED_POLICY_FILE, writeManagedPolicy, type RemovePolicy } from './support/managed-policy';
import { NUDGE_PAGE, nudgeHeading, waitForInstalledRules, waitForPolicyStatus } from './support/daylight';
import { startFakeSites, type FakeSites } from './support/fake-sites';

const E2E_BUILD = new URL('../../.output/chrome-mv3-e2e', import.meta.url).pathname;
const FRAMED_PAGE = extensionUrl(DAYLIGHT_EXTENSION_ID, 'framed.html');

/**
 * Where DNR nudges a page that decide() allows: a spelling only the nudge page decides (an escape, a `;`, a
 * trailing dot in the host). The nudge page then lets the tab through to it once (nudge:pass).
 */
const decidedByNudgePage = (url: URL): boolean =>
  url.pathname.includes('%') || url.pathname.includes(';') || url.hostname.endsWith('.');

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

/** The bundled catalog's path-scoped patterns, as host and path. */
const PATH_PATTERNS = BUNDLED_CATALOG.tools.flatMap((tool) =>
  tool.match
    .filter((pattern) => pattern.includes('/'))
    .map((pattern) => ({ host: pattern.slice(0, pattern.indexOf('/')), path: pattern.slice(pattern.indexOf('/')) })),
);

beforeAll(async () => {
  rmSync(MANAGED_POLICY_FILE, { force: true });
  sites = await startFakeSites(['talkbot.example']);
  // Each path pattern's host reaches the fake sites, so a request that got past the nudge would be seen there.
  const toolHosts = PATH_PATTERNS.flatMap(({ host }) => [host, `*.${host}`]);
  chromium = await launchChromium({
    extensionDir: E2E_BUILD,
    sites,
    hosts: ['talkbot.example', '*.talkbot.example', 'wrapper.example', ...toolHosts],
  });
  await waitForInstalledRules(chromium);
});

afterAll(async () => {
  await removePolicy?.();
  rmSync(MANAGED_POLICY_FILE, { force: true });
  await chromium?.close();
  await sites?.close();
});

/** Asks Chromium's matcher about every URL, as a tab's page and as a frame's, and compares with decide(). */
async function compare(index: PolicyIndex, urls: readonly string[]) {
  const nudgedByDnr = await evaluateInServiceWorker(
    chromium,
    async (list: string[]) => {
      const dnr = (globalThis as unknown as WorkerScope).chrome.declarativeNetRequest;
      const redirects = new Set(
        (await dnr.getDynamicRules()).filter((r) => r.action.type === 'redirect').map((r) => r.id),
      );
      const out: [boolean, boolean][] = [];
      for (const url of list) {
        const nudged = async (type: string) =>
          (await dnr.testMatchOutcome({ url, type })).matchedRules.some((rule) => redirects.has(rule.ruleId));
        out.push([await nudged('main_frame'), await nudged('sub_frame')]);
      }
      return out;
    },
    [...urls],
  );
  const falseNudges: string[] = [];
  const missed: string[] = [];
  let passedThrough = 0;
  urls.forEach((url, i) => {
    const expected = isNudge(decide(index, url));
    for (const [type, dnr] of [
      ['tab', nudgedByDnr[i]?.[0]],
      ['frame', nudgedByDnr[i]?.[1]],
    ] as const) {
      if (dnr === expected) continue;
      if (!dnr) missed.push(`${type} ${url}`);
      else if (decidedByNudgePage(new URL(url))) passedThrough++;
      else falseNudges.push(`${type} ${url}`);
    }
  });
  return { falseNudges, missed, passedThrough };
}

describe("Chromium's DNR outcome and decide()", () => {
  it('agree on more than 10,000 URLs under the default policy, in a tab and in a frame', async () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('default policy invalid');
    const urls = urlsToCompare();
    expect(urls.length).toBeGreaterThanOrEqual(10_000);
    const result = await compare(parsed.index, urls);
    console.info(`DNR and decide() on ${urls.length} URLs; passed through by the nudge page: ${result.passedThrough}`);
    expect(result.falseNudges).toEqual([]);
    expect(result.missed).toEqual([]);
  });

  it('agree on every spelling of each path pattern of the catalog, and no such request leaves', async () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('default policy invalid');
    expect(PATH_PATTERNS.length).toBeGreaterThan(20);
    const spellings = PATH_PATTERNS.map(({ host, path }) =>
      fc.sample(pathSpelling(host, path), { numRuns: 40, seed: 7 }),
    );
    const result = await compare(parsed.index, spellings.flat());
    console.info(`${spellings.flat().length} spellings; passed through by the nudge page: ${result.passedThrough}`);
    expect(result.falseNudges).toEqual([]);
    expect(result.missed).toEqual([]);

    // Real navigations, in a tab and in a frame of another site: the tools' server sees none of them.
    const nudged = spellings.flatMap((urls) => urls.filter((url) => isNudge(decide(parsed.index, url))).slice(0, 2));
    expect(nudged.length).toBeGreaterThanOrEqual(PATH_PATTERNS.length);
    sites.clear();
    const page = await chromium.context.newPage();
    for (const url of nudged) {
      await page.goto(url);
      expect(page.url()).toBe(`${NUDGE_PAGE}#${url}`);
    }
    const frames = nudged.map((url) => `<iframe src="${url.replaceAll('"', '&quot;')}"></iframe>`).join('');
    const removeRoute = sites.route('wrapper.example', '/frames', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!doctype html><title>frames</title>${frames}`);
    });
    await page.goto('https://wrapper.example/frames');
    await expect
      .poll(() => page.frames().filter((frame) => frame.url().startsWith(FRAMED_PAGE)).length, { timeout: 20_000 })
      .toBe(nudged.length);
    expect(sites.requests.filter((request) => request.host !== 'wrapper.example')).toEqual([]);
    // The same servers do answer what the policy allows: the silence above is the nudge's, not the network's.
    await page.goto(`https://${PATH_PATTERNS[0]?.host ?? ''}/not-a-tool`);
    expect(sites.requests.map((request) => request.path)).toContain('/not-a-tool');
    removeRoute();
    await page.close();
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
    expect(result.missed).toEqual([]);
  });

  it('leaves out a path rule too long for the browser, keeps every other rule, and says so', async () => {
    const conformance = JSON.parse(readFileSync(CONFORMANCE_POLICY_FILE, 'utf8')) as {
      revision: string;
      tools: unknown[];
    };
    const deep = Array.from({ length: 14 }, (_, i) => `segment-number-${i}`).join('/');
    const policy = {
      ...conformance,
      revision: 'conformance-long-path',
      tools: [...conformance.tools, { id: 'deep', name: 'Deep', category: 'chat', match: [`deep.example/${deep}`] }],
    };
    await removePolicy?.();
    removePolicy = await writeManagedPolicy(DAYLIGHT_EXTENSION_ID, { policy: JSON.stringify(policy) });
    const status = await waitForPolicyStatus(chromium, (s) => s.revision === 'conformance-long-path');
    expect(status.errors).toEqual([
      'the browser could not take 1 path rule(s) of the policy (too long for its rules); those paths are checked as their pages start loading',
    ]);
    const parsed = parsePolicy(policy, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('policy invalid');
    const result = await compare(parsed.index, ['https://talkbot.example/c/1', 'https://searchy.example/assistant']);
    expect(result).toEqual({ falseNudges: [], missed: [], passedThrough: 0 });
  });

  it('never lets a path through that a server may route under the nudged host, however an allowed path is spelled in it', async () => {
    sites.clear();
    const page = await chromium.context.newPage();
    for (const path of ['/x/..%2fenterprise', '/x/..;/enterprise', '/x%2F..%2Fenterprise', '/x/..%5centerprise']) {
      const url = `https://talkbot.example${path}`;
      await page.goto(url);
      expect(await nudgeHeading(page)).toBe('Globex has an approved tool for this');
      expect(page.url()).toBe(`${NUDGE_PAGE}#${url}`);
    }
    expect(sites.requests).toEqual([]);
    await page.close();
  });

  it('lets a page the policy allows through, when DNR caught it undecoded', async () => {
    sites.clear();
    const page = await chromium.context.newPage();
    await page.goto('https://talkbot.example/%65nterprise');
    await page.waitForURL('https://talkbot.example/%65nterprise', { timeout: 10_000 });
    expect(sites.requests.map((request) => request.path)).toEqual(['/%65nterprise']);
    await page.close();
  });
});
