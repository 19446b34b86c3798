/**
 * The background with a fake browser (unit tests only: the
 * e2e suite runs the real one), a fake store and a clock, so that what a
 * service worker lives through can be replayed: wakes, a server that is
 * down, an extension update, a policy change under a snooze.
 */
import 'fake-indexeddb/auto';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../../lib/policy/bundled';
import type { Catalog } from '../../../lib/policy/catalog';
import type { NudgeResponse } from '../../../lib/protocol/messages';
import { createBackground, type NavigationDetails } from '../../../platform/background';
import type { PolicyState, PolicyStore } from '../../../platform/policy-store';
import { openUsageStore } from '../../../platform/usage-store';
import { localDay } from '../../../lib/protocol/usage';
import { fakeExtensionBrowser, fakeExtensionWorld } from '../../support/fake-extension-browser';

/** Everything that outlives one worker: storage, rules, alarms, IndexedDB. */
let databases = 0;

function fakeWorld() {
  const world = {
    ...fakeExtensionWorld(),
    state: null as PolicyState | null,
    clock: 1_800_000_000_000,
    fetches: 0,
    respond: (_url: string, _init?: RequestInit): Response | Error => new TypeError('Failed to fetch'),
    requests: [] as { url: string; ifNoneMatch: string | null }[],
    /** The Authorization header of each request, in order. */
    authorizations: [] as (string | null)[],
  };
  const browser = fakeExtensionBrowser(world);
  const store: PolicyStore = {
    read: () => Promise.resolve(world.state ?? { lastGood: null, compiled: null, status: null, fetch: null }),
    update: (change) => {
      world.state = { ...(world.state ?? { lastGood: null, compiled: null, status: null, fetch: null }), ...change };
      return Promise.resolve();
    },
  };
  const fetchFn = ((url: string, init?: RequestInit) => {
    world.fetches++;
    const headers = new Headers(init?.headers);
    world.requests.push({ url, ifNoneMatch: headers.get('If-None-Match') });
    world.authorizations.push(headers.get('Authorization'));
    const answer = world.respond(url, init);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  // The real IndexedDB store, on fake-indexeddb: its transactions are what counting relies on.
  const usage = openUsageStore(`engine-test-${++databases}`);
  return { world, browser, store, usage, fetchFn };
}

let fake: ReturnType<typeof fakeWorld>;
beforeEach(() => {
  fake = fakeWorld();
});

/** A new worker, doing what background.ts does on its first turn, then settling. */
async function wake(
  catalog: Catalog = BUNDLED_CATALOG,
  buildDefaults: { policyUrl?: string; reportingToken?: string } = {},
) {
  const engine = createBackground({
    browser: fake.browser as never,
    catalog,
    buildDefaults,
    defaultPolicy: DEFAULT_POLICY,
    store: fake.store,
    usage: fake.usage,
    fetchFn: fake.fetchFn,
    now: () => fake.world.clock,
  });
  await engine.policy();
  await engine.refreshManaged();
  await new Promise((resolve) => setTimeout(resolve, 10));
  return engine;
}

const policyText = (revision: string, chatgpt: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ schemaVersion: 1, revision, rules: [{ tool: 'chatgpt', action: chatgpt }], ...extra });
/** A whole-host nudge of chatgpt.com (its path patterns, such as chatgpt.com/codex, are another tool's). */
const nudgesChatgpt = () =>
  fake.world.dynamicRules.some(
    (rule) =>
      rule.action.type === 'redirect' &&
      rule.condition.regexFilter === '^.*$' &&
      (rule.condition.requestDomains ?? []).includes('chatgpt.com'),
  );
const NUDGE = 'chrome-extension://id/nudge.html';
const fromNudgePage = (url: string) => ({ url: `${NUDGE}#${url}` });
/** A message from the nudge page in the top frame of a tab. */
const fromNudgeTab = (tabId: number, url: string) => ({
  url: `${NUDGE}#${url}`,
  frameId: 0,
  tab: { id: tabId, url: `${NUDGE}#${url}` },
});
type Engine = Awaited<ReturnType<typeof wake>>;
/** The nudge page in a tab as the extension puts it there: the tool's address starts, DNR redirects, the page commits. */
async function showNudge(engine: Engine, tabId: number, url: string): Promise<void> {
  await engine.onNavigation({ tabId, frameId: 0, url }, 'before');
  await engine.onNavigation({ tabId, frameId: 0, url: `${NUDGE}#${url}`, transitionType: 'typed' }, 'committed');
}
/** Continue on a warning the extension showed in tab `tabId`. */
async function continueTo(engine: Engine, tabId: number, url: string) {
  await showNudge(engine, tabId, url);
  return engine.onMessage({ type: 'nudge:continue', url }, fromNudgeTab(tabId, url));
}

describe('fetching policyUrl', () => {
  it('does not fetch on every wake while the server is down', async () => {
    fake.world.managed = { policyUrl: 'https://it.example/p.json' };
    for (let minute = 0; minute < 10; minute++) {
      fake.world.clock += 30_000;
      await wake();
    }
    // Backoff 1, 2, 4 … minutes (with jitter): at most 4 attempts in 5 minutes, not 10.
    expect(fake.world.fetches).toBeGreaterThanOrEqual(2);
    expect(fake.world.fetches).toBeLessThanOrEqual(5);
    expect(fake.world.state?.status?.errors.at(-1)).toBe('could not reach https://it.example/p.json: Failed to fetch');
  });

  it('does not fetch again on a wake after a refused answer, until the refresh is due', async () => {
    fake.world.managed = { policyUrl: 'https://it.example/p.json' };
    fake.world.respond = () => new Response('{"schemaVersion":1}', { headers: { ETag: '"bad"' } });
    await wake();
    for (let i = 0; i < 5; i++) {
      fake.world.clock += 60_000;
      await wake();
    }
    expect(fake.world.fetches).toBe(1);
    expect(fake.world.state?.fetch?.etag).toBeNull();
    expect(fake.world.state?.status?.errors).toEqual(['fetched policy: revision: is required']);
    fake.world.clock += 60 * 60_000;
    await wake();
    expect(fake.world.fetches).toBe(2);
  });

  it('keeps an inline policy IT switched to while a fetch was in flight', async () => {
    fake.world.managed = { policyUrl: 'https://it.example/p.json' };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = fake.fetchFn;
    fake.fetchFn = async (...args: Parameters<typeof fetch>) => {
      await gate;
      return slow(...args);
    };
    fake.world.respond = () => new Response(policyText('from-url', 'block'));
    const engine = await wake();
    fake.world.managed = { policy: policyText('inline', 'allow') };
    await engine.refreshManaged();
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await engine.policy()).result.policy.revision).toBe('inline');
    expect(fake.world.state?.lastGood?.text).toBe(policyText('inline', 'allow'));
  });
});

describe('signed policies (managed policySigningKey)', () => {
  const URL_ = 'https://it.example/p.json';
  const OPTIONS = { url: 'chrome-extension://id/options.html' };
  const POPUP = { url: 'chrome-extension://id/popup.html' };

  function keyPair() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return { publicKey: raw.toString('base64'), privateKey };
  }
  const signature = (bytes: string | Uint8Array, key: KeyObject) =>
    `${sign(null, typeof bytes === 'string' ? Buffer.from(bytes) : bytes, key).toString('base64')}\n`;

  /** The policy server: each path answers its body; a missing path is a 404. */
  function serve(files: Record<string, string | Uint8Array>, etag?: string) {
    fake.world.respond = (url, init) => {
      const path = new URL(url).pathname;
      const body = files[path];
      if (body === undefined) return new Response('not found', { status: 404 });
      const ifNoneMatch = new Headers(init?.headers).get('If-None-Match');
      if (etag !== undefined && path === '/p.json' && ifNoneMatch === etag) return new Response(null, { status: 304 });
      return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
        headers: etag === undefined ? {} : { ETag: etag },
      });
    };
  }

  const signedPolicy = (revision: string, key: KeyObject, extra: Record<string, unknown> = {}) => {
    const text = policyText(revision, 'block', extra);
    return { '/p.json': text, '/p.json.sig': signature(text, key) };
  };

  async function inForce(engine: Awaited<ReturnType<typeof wake>>) {
    return (await engine.policy()).result.policy.revision;
  }

  /** Fetch, signature fetch and verification take a few turns more than wake() waits for. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  async function wakeAndSettle() {
    const engine = await wake();
    await settle();
    return engine;
  }

  async function refresh(engine: Awaited<ReturnType<typeof wake>>, managed: Record<string, unknown>) {
    fake.world.managed = managed;
    await engine.refreshManaged();
    await settle();
  }

  it('takes a policy whose signature at policyUrl + .sig is valid, over the exact bytes', async () => {
    const key = keyPair();
    // A byte order mark and CRLF: the signature is over the bytes as served, not over decoded text.
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${policyText('signed-1', 'block')}\r\n`),
    ]);
    serve({ '/p.json': bytes, '/p.json.sig': signature(bytes, key.privateKey) });
    fake.world.managed = { policyUrl: URL_, policySigningKey: key.publicKey };
    const engine = await wakeAndSettle();
    expect(await inForce(engine)).toBe('signed-1');
    expect(fake.world.requests.map((request) => request.url)).toEqual([URL_, `${URL_}.sig`]);
    expect(fake.world.state?.status?.errors).toEqual([]);
    expect(nudgesChatgpt()).toBe(true);
  });

  it.each([
    [
      'a tampered policy',
      (key: KeyObject) => ({ ...signedPolicy('signed-2', key), '/p.json': policyText('signed-2', 'allow') }),
      'the signature does not match the policy and policySigningKey (https://it.example/p.json.sig)',
    ],
    [
      'a signature by another key',
      () => signedPolicy('signed-2', keyPair().privateKey),
      'the signature does not match the policy and policySigningKey (https://it.example/p.json.sig)',
    ],
    [
      'no signature file',
      () => ({ '/p.json': policyText('signed-2', 'allow') }),
      'policySigningKey is set and the signature could not be read: https://it.example/p.json.sig answered HTTP 404',
    ],
    [
      'a signature file that is not one',
      () => ({ '/p.json': policyText('signed-2', 'allow'), '/p.json.sig': '<html>sorry</html>' }),
      'the signature file is not base64 (https://it.example/p.json.sig)',
    ],
  ])(
    'refuses %s: the last good policy stays, the reason is shown, and it tries again soon',
    async (_name, files, reason) => {
      const key = keyPair();
      serve(signedPolicy('signed-1', key.privateKey));
      fake.world.managed = { policyUrl: URL_, policySigningKey: key.publicKey };
      const engine = await wakeAndSettle();
      expect(await inForce(engine)).toBe('signed-1');

      serve(files(key.privateKey));
      await refresh(engine, { ...fake.world.managed, group: 'sales' });
      expect(await inForce(engine)).toBe('signed-1');
      expect(nudgesChatgpt()).toBe(true);
      expect(fake.world.state?.status?.errors).toEqual([`fetched policy: refused, ${reason}`]);
      expect(fake.world.alarms.get('policy-retry')?.delayInMinutes).toBeLessThanOrEqual(1);
      expect(await engine.onMessage({ type: 'popup:get', url: null }, POPUP)).toMatchObject({
        popup: { policy: { revision: 'signed-1', updateProblem: 'signature' } },
      });
      expect(await engine.onMessage({ type: 'options:get' }, OPTIONS)).toMatchObject({
        options: { signed: true, fetch: { error: `fetched policy: refused, ${reason}` } },
      });
    },
  );

  it('refuses a validly signed policy older than the one in force (a replayed policy)', async () => {
    const key = keyPair();
    const older = signedPolicy('signed-old', key.privateKey, { issuedAt: '2026-11-01T00:00:00Z' });
    serve(signedPolicy('signed-new', key.privateKey, { issuedAt: '2026-11-20T00:00:00Z' }));
    fake.world.managed = { policyUrl: URL_, policySigningKey: key.publicKey };
    const engine = await wakeAndSettle();
    serve(older);
    await refresh(engine, { ...fake.world.managed, group: 'sales' });
    expect(await inForce(engine)).toBe('signed-new');
    expect(fake.world.state?.status?.errors).toEqual([
      'fetched policy: issuedAt 2026-11-01T00:00:00Z is older than the policy in force (2026-11-20T00:00:00Z); refused as a possible rollback',
    ]);
    expect(await engine.onMessage({ type: 'popup:get', url: null }, POPUP)).toMatchObject({
      popup: { policy: { updateProblem: 'rollback' } },
    });
  });

  it('takes no unsigned policy once a key is set; the one taken before the key stays until a signed one comes', async () => {
    serve({ '/p.json': policyText('unsigned', 'warn') });
    fake.world.managed = { policyUrl: URL_ };
    const engine = await wakeAndSettle();
    expect(await inForce(engine)).toBe('unsigned');
    serve({ '/p.json': policyText('unsigned-2', 'allow') });
    await refresh(engine, { policyUrl: URL_, policySigningKey: keyPair().publicKey });
    expect(await inForce(engine)).toBe('unsigned');
    expect(fake.world.state?.status?.errors[0]).toMatch(
      /^fetched policy: refused, policySigningKey is set and the signature could not be read/,
    );
  });

  it.each([
    ['not base64', 'not a key!', 'policySigningKey is not base64'],
    [
      'the wrong length',
      Buffer.alloc(31).toString('base64'),
      'policySigningKey is 31 bytes; an Ed25519 public key is 32',
    ],
  ])('fails closed on a policySigningKey that is %s', async (_name, value, reason) => {
    const key = keyPair();
    serve(signedPolicy('signed-1', key.privateKey));
    fake.world.managed = { policyUrl: URL_, policySigningKey: value };
    const engine = await wakeAndSettle();
    expect((await engine.policy()).source).toBe('default');
    // A configuration error, not a failed download: nothing is fetched, and nothing retried until IT fixes it.
    expect(fake.world.fetches).toBe(0);
    expect(fake.world.alarms.has('policy-retry')).toBe(false);
    expect(fake.world.state?.status?.errors).toEqual([
      `${reason}; every fetched policy is refused until it is corrected`,
    ]);
  });

  it('does not take a policy fetched before IT set the key, even when the fetch ends after', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // An unsigned policy, and no signature: nothing here may ever be in force once the key is set.
    serve({ '/p.json': policyText('unsigned-in-flight', 'allow') });
    const direct = fake.fetchFn;
    fake.fetchFn = async (...args: Parameters<typeof fetch>) => {
      await gate;
      return direct(...args);
    };
    fake.world.managed = { policyUrl: URL_ };
    const engine = await wakeAndSettle();
    // The unsigned answer is still on its way when IT adds the key.
    fake.world.managed = { policyUrl: URL_, policySigningKey: keyPair().publicKey };
    await engine.refreshManaged();
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await engine.policy()).source).toBe('default');
    expect(fake.world.state?.lastGood).toBeNull();
    // The answer fetched without the key was dropped, and the policy fetched again to be verified.
    expect(fake.world.requests.map((request) => request.url)).toEqual([URL_, URL_, `${URL_}.sig`]);
    expect(fake.world.state?.status?.errors[0]).toMatch(/^fetched policy: refused, policySigningKey is set/);
  });

  it('does not count a 304 to a plain request as the verified policy', async () => {
    const key = keyPair();
    serve({ '/p.json': policyText('unsigned', 'warn') });
    fake.world.managed = { policyUrl: URL_ };
    const engine = await wakeAndSettle();
    fake.world.respond = () => new Response(null, { status: 304 });
    await refresh(engine, { policyUrl: URL_, policySigningKey: key.publicKey });
    expect(fake.world.requests.at(-1)).toEqual({ url: URL_, ifNoneMatch: null });
    expect(fake.world.state?.status?.errors).toEqual([
      'https://it.example/p.json answered HTTP 304 to a plain request',
    ]);
    expect(fake.world.state?.fetch?.error).not.toBeNull();
  });

  it("trusts a 304 only for the key that verified the policy: a new key fetches it whole, and the old key's signature no longer passes", async () => {
    const oldKey = keyPair();
    serve(signedPolicy('signed-1', oldKey.privateKey), '"v1"');
    fake.world.managed = { policyUrl: URL_, policySigningKey: oldKey.publicKey };
    const engine = await wakeAndSettle();
    expect(await inForce(engine)).toBe('signed-1');
    await refresh(engine, { ...fake.world.managed, group: 'sales' });
    expect(fake.world.requests.at(-1)).toEqual({ url: URL_, ifNoneMatch: '"v1"' });

    const newKey = keyPair();
    await refresh(engine, { policyUrl: URL_, policySigningKey: newKey.publicKey, group: 'sales' });
    expect(fake.world.requests.at(-2)).toEqual({ url: URL_, ifNoneMatch: null });
    expect(fake.world.state?.status?.errors[0]).toMatch(/the signature does not match/);

    serve(signedPolicy('signed-2', newKey.privateKey), '"v2"');
    fake.world.clock += 2 * 60_000;
    await refresh(engine, { policyUrl: URL_, policySigningKey: newKey.publicKey, group: 'ops' });
    expect(await inForce(engine)).toBe('signed-2');
    expect(fake.world.state?.status?.errors).toEqual([]);
  });
});

describe('installed rules', () => {
  it('are rebuilt when an extension update changes the catalog, even for the same policy', async () => {
    await wake();
    expect(nudgesChatgpt()).toBe(true);
    const withoutChatgpt = {
      catalogVersion: 'next',
      tools: BUNDLED_CATALOG.tools.filter((tool) => tool.id !== 'chatgpt'),
    };
    await wake(withoutChatgpt);
    expect(nudgesChatgpt()).toBe(false);
  });

  it('are rebuilt for any change of a long policy, not only its first kilobytes', async () => {
    const padding = { organization: { name: 'x'.repeat(5000) } };
    fake.world.managed = { policy: policyText('same', 'warn', padding) };
    const engine = await wake();
    const before = JSON.stringify(fake.world.dynamicRules);
    fake.world.managed = { policy: policyText('same', 'allow', padding) };
    await engine.refreshManaged();
    expect(JSON.stringify(fake.world.dynamicRules)).not.toBe(before);
    expect(nudgesChatgpt()).toBe(false);
  });

  it('leave out a path rule whose regex the browser cannot compile, install the rest, and say so', async () => {
    fake.world.regexLimit = 300;
    const long = `chatgpt.com/${Array.from({ length: 12 }, (_, i) => `segment-${i}`).join('/')}`;
    fake.world.managed = {
      policy: policyText('p1', 'warn', { tools: [{ id: 'deep', name: 'Deep', category: 'chat', match: [long] }] }),
    };
    await wake();
    expect(nudgesChatgpt()).toBe(true);
    expect(fake.world.dynamicRules.some((rule) => (rule.condition.regexFilter ?? '').includes('segment-11'))).toBe(
      false,
    );
    const note =
      'the browser could not take 1 path rule(s) of the policy (too long for its rules); those paths are checked as their pages start loading';
    expect(fake.world.state?.status?.errors).toContain(note);
    // Said again after a wake, when the same rules are already in place.
    await wake();
    expect(fake.world.state?.status?.errors).toContain(note);
  });

  it('refused by the browser leave the policy working through the second line, and say why', async () => {
    fake.world.failRuleUpdates = true;
    const engine = await wake();
    const answer = (await engine.onMessage(
      { type: 'nudge:get', url: 'https://chatgpt.com/' },
      fromNudgePage('https://chatgpt.com/'),
    )) as NudgeResponse;
    expect(answer).toMatchObject({ ok: true, view: { decision: { action: 'warn', tool: 'chatgpt' } } });
    expect(fake.world.state?.status?.errors[0]).toMatch(/^the browser refused the policy's rules: /);
    await engine.onNavigation({ tabId: 7, frameId: 0, url: 'https://chatgpt.com/c/1' }, 'committed');
    expect(fake.world.tabUpdates).toEqual([{ tabId: 7, url: `${NUDGE}#https://chatgpt.com/c/1` }]);
  });
});

describe('snoozes', () => {
  it('end when a new policy blocks the tool, in the rules and in the second line', async () => {
    fake.world.managed = { policy: policyText('p1', 'warn') };
    const engine = await wake();
    const url = 'https://chatgpt.com/';
    expect(await continueTo(engine, 2, url)).toEqual({ ok: true, continued: true });
    expect(fake.world.sessionRules.length).toBeGreaterThan(0);
    fake.world.managed = { policy: policyText('p2', 'block') };
    await engine.refreshManaged();
    expect(fake.world.sessionRules).toEqual([]);
    await engine.onNavigation({ tabId: 3, frameId: 0, url }, 'committed');
    expect(fake.world.tabUpdates).toEqual([{ tabId: 3, url: `${NUDGE}#${url}` }]);
  });

  it('cannot be asked for by anything but the nudge page, nor for a blocked tool', async () => {
    fake.world.managed = { policy: policyText('p1', 'block') };
    const engine = await wake();
    const url = 'https://chatgpt.com/';
    expect(await engine.onMessage({ type: 'nudge:continue', url }, { url: 'https://evil.example/' })).toEqual({
      ok: false,
      error: 'not allowed',
    });
    expect(await engine.onMessage({ type: 'nudge:continue', url }, fromNudgePage(url))).toEqual({
      ok: false,
      error: 'nothing to continue to',
    });
    expect(fake.world.sessionRules).toEqual([]);
  });

  it('let a spelling of a continued tool that DNR sent to the nudge page through, and count no nudge for it', async () => {
    fake.world.managed = { policy: policyText('p1', 'warn') };
    const engine = await wake();
    await continueTo(engine, 2, 'https://chatgpt.com/');
    const spelled = 'https://chatgpt.com/%63/1';
    await showNudge(engine, 3, spelled);
    const view = await engine.onMessage({ type: 'nudge:get', url: spelled }, fromNudgeTab(3, spelled));
    expect(view).toMatchObject({ ok: true, view: { snoozed: true } });
    expect(await engine.onMessage({ type: 'nudge:pass', url: spelled }, fromNudgeTab(3, spelled))).toEqual({
      ok: true,
      passed: true,
    });
    const events = (await fake.usage.list()).map((count) => `${count.tool} ${count.event} ${count.n}`);
    expect(events.sort()).toEqual(['chatgpt proceeded 1', 'chatgpt warned 1']);
  });

  it('give no pass to a path that a server may route under a blocked host, whatever its normalized path allows', async () => {
    fake.world.managed = {
      policy: policyText('p1', 'block', {
        rules: [{ tool: 'claude', action: 'block' }],
        sanctioned: [{ id: 'ok', name: 'Ok', url: 'https://claude.ai/ok', match: ['claude.ai/ok'] }],
      }),
    };
    const engine = await wake();
    for (const url of ['https://claude.ai/x/..%2fok', 'https://claude.ai/x/..;/ok', 'https://claude.ai/x%5c..%5cok']) {
      const answer = await engine.onMessage({ type: 'nudge:pass', url }, fromNudgeTab(1, url));
      expect({ url, answer }).toEqual({ url, answer: { ok: false, error: 'not allowed' } });
    }
    const allowed = 'https://claude.ai/%6fk';
    expect(await engine.onMessage({ type: 'nudge:pass', url: allowed }, fromNudgeTab(1, allowed))).toEqual({
      ok: true,
      passed: true,
    });
  });

  it('with snoozeMinutes 0, let the continued page keep its own pushState, and ask again next time', async () => {
    fake.world.managed = { policy: policyText('p1', 'warn', { warn: { snoozeMinutes: 0 } }) };
    const engine = await wake();
    const url = 'https://chatgpt.com/';
    await continueTo(engine, 2, url);
    await engine.onNavigation({ tabId: 5, frameId: 0, url }, 'committed');
    await engine.onNavigation({ tabId: 5, frameId: 0, url: 'https://chatgpt.com/c/new' }, 'history');
    expect(fake.world.tabUpdates).toEqual([]);
    expect(fake.world.sessionRules).toEqual([]);
    await engine.onNavigation({ tabId: 6, frameId: 0, url }, 'committed');
    expect(fake.world.tabUpdates).toEqual([{ tabId: 6, url: `${NUDGE}#${url}` }]);
  });
});

describe('usage counts', () => {
  const today = () => localDay(new Date(fake.world.clock));
  const counted = async () =>
    Object.fromEntries(
      (await fake.usage.list()).map((count) => [`${count.day} ${count.tool} ${count.event}`, count.n]),
    );
  /** The nudge page committing in a tab again (a reload, Back or Forward). */
  const nudgeShown = (tabId: number, url: string, transition: Partial<NavigationDetails> = {}) =>
    ({ tabId, frameId: 0, url: `${NUDGE}#${url}`, transitionType: 'typed', ...transition }) as NavigationDetails;
  const policyWith = (rules: unknown[]) =>
    policyText('p1', 'warn', {
      rules,
      sanctioned: [{ id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', categories: ['chat'] }],
    });

  it('count each page of a tool opened (in a tab or a frame), each nudge shown and each Continue; nothing for other sites', async () => {
    fake.world.managed = {
      policy: policyWith([
        { tool: 'chatgpt', action: 'warn' },
        { tool: 'claude', action: 'block' },
        { tool: 'gemini', action: 'monitor' },
      ]),
    };
    const engine = await wake();
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://gemini.google.com/app' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://chat.corp.example/' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://example.com/' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 1, url: 'https://gemini.google.com/frame' }, 'committed');
    await showNudge(engine, 2, 'https://claude.ai/');
    await engine.onMessage({ type: 'nudge:get', url: 'https://chatgpt.com/' }, fromNudgePage('https://chatgpt.com/'));
    await continueTo(engine, 3, 'https://chatgpt.com/');
    await engine.onNavigation({ tabId: 3, frameId: 0, url: 'https://chatgpt.com/' }, 'committed');
    expect(await counted()).toEqual({
      [`${today()} gemini visit`]: 2,
      [`${today()} corp-chat visit`]: 1,
      [`${today()} claude blocked`]: 1,
      [`${today()} chatgpt warned`]: 1,
      [`${today()} chatgpt proceeded`]: 1,
      [`${today()} chatgpt visit`]: 1,
    });
  });

  it('count a nudge once: not again when the page is reloaded, revisited by Back, or asks again', async () => {
    fake.world.managed = { policy: policyWith([{ tool: 'claude', action: 'block' }]) };
    const engine = await wake();
    await showNudge(engine, 1, 'https://claude.ai/');
    await engine.onMessage({ type: 'nudge:get', url: 'https://claude.ai/' }, fromNudgePage('https://claude.ai/'));
    await engine.onNavigation(nudgeShown(1, 'https://claude.ai/', { transitionType: 'reload' }), 'committed');
    await engine.onNavigation(
      nudgeShown(1, 'https://claude.ai/', { transitionType: 'link', transitionQualifiers: ['forward_back'] }),
      'committed',
    );
    expect(await counted()).toEqual({ [`${today()} claude blocked`]: 1 });
  });

  it('count "redirected" when the person reaches the approved tool, not when they stay', async () => {
    fake.world.managed = { policy: policyWith([{ tool: 'claude', action: 'redirect' }]) };
    const engine = await wake();
    await showNudge(engine, 1, 'https://claude.ai/a');
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://chat.corp.example/' }, 'committed');
    await showNudge(engine, 2, 'https://claude.ai/b');
    await engine.onNavigation({ tabId: 2, frameId: 0, url: 'https://example.com/' }, 'committed');
    await engine.onNavigation({ tabId: 2, frameId: 0, url: 'https://chat.corp.example/' }, 'committed');
    expect(await counted()).toEqual({
      [`${today()} claude redirected`]: 1,
      [`${today()} corp-chat visit`]: 2,
    });
  });

  it('count a same-document navigation only when it enters a tool, and never a nudged page as a visit', async () => {
    fake.world.managed = { policy: policyText('p1', 'warn', { rules: [{ tool: 'copilot', action: 'monitor' }] }) };
    const engine = await wake();
    await engine.onNavigation({ tabId: 3, frameId: 0, url: 'https://www.bing.com/search?q=1' }, 'committed');
    await engine.onNavigation({ tabId: 3, frameId: 0, url: 'https://www.bing.com/chat' }, 'history');
    await engine.onNavigation({ tabId: 3, frameId: 0, url: 'https://www.bing.com/chat?turn=2' }, 'history');
    // The second line catches what DNR missed: a nudge, counted when the nudge page shows, not a visit.
    await engine.onNavigation({ tabId: 4, frameId: 0, url: 'https://chatgpt.com/%63' }, 'committed');
    expect(fake.world.tabUpdates.map((update) => update.tabId)).toEqual([4]);
    expect(await counted()).toEqual({ [`${today()} copilot visit`]: 1 });
  });

  it('count one visit when a page load and its own replaceState arrive together, in many tabs at once', async () => {
    fake.world.managed = { policy: policyWith([{ tool: 'gemini', action: 'monitor' }]) };
    const engine = await wake();
    // The fake storage answers after a moment, as real storage does, so interleavings can happen.
    const { get, set } = fake.browser.storage.session;
    const slow =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        return call(...args);
      };
    Object.assign(fake.browser.storage.session, { get: slow(get), set: slow(set) });
    await Promise.all(
      [1, 2, 3, 4, 5].flatMap((tabId) => [
        engine.onNavigation({ tabId, frameId: 0, url: 'https://gemini.google.com/app' }, 'committed'),
        engine.onNavigation({ tabId, frameId: 0, url: 'https://gemini.google.com/app?hl=en' }, 'history'),
      ]),
    );
    expect(await counted()).toEqual({ [`${today()} gemini visit`]: 5 });
  });

  it('count nothing, and accept no Continue, for a nudge page a web page opened or framed itself', async () => {
    fake.world.managed = {
      policy: policyWith([
        { tool: 'claude', action: 'block' },
        { tool: 'chatgpt', action: 'warn' },
        { tool: 'perplexity', action: 'redirect' },
      ]),
    };
    const engine = await wake();
    // evil.example sends its tab to the nudge page five times, for a blocked, a warned and a redirected tool.
    for (let attempt = 0; attempt < 5; attempt++) {
      for (const url of ['https://claude.ai/x', 'https://chatgpt.com/x', 'https://www.perplexity.ai/x']) {
        await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://evil.example/' }, 'before');
        await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://evil.example/' }, 'committed');
        await engine.onNavigation({ tabId: 1, frameId: 0, url: `${NUDGE}#${url}` }, 'before');
        await engine.onNavigation(nudgeShown(1, url, { transitionType: 'link' }), 'committed');
      }
    }
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://chat.corp.example/' }, 'committed');
    const chatgpt = 'https://chatgpt.com/x';
    expect(await engine.onMessage({ type: 'nudge:continue', url: chatgpt }, fromNudgeTab(1, chatgpt))).toEqual({
      ok: false,
      error: 'not allowed',
    });
    // A real warning in tab 2, but the Continue comes from a nudge page framed inside a page.
    await showNudge(engine, 2, chatgpt);
    const framed = { ...fromNudgeTab(2, chatgpt), frameId: 3 };
    expect(await engine.onMessage({ type: 'nudge:continue', url: chatgpt }, framed)).toEqual({
      ok: false,
      error: 'not allowed',
    });
    expect(fake.world.sessionRules).toEqual([]);
    expect(await counted()).toEqual({
      [`${today()} corp-chat visit`]: 1,
      [`${today()} chatgpt warned`]: 1,
    });
  });

  it('count the nudge the second line sends a tab to, and a reloaded redirect page still counts "redirected"', async () => {
    fake.world.managed = { policy: policyWith([{ tool: 'claude', action: 'redirect' }]) };
    const engine = await wake();
    // DNR did not catch this address: the second line sends the tab to the nudge page.
    await engine.onNavigation({ tabId: 4, frameId: 0, url: 'https://claude.ai/%61' }, 'committed');
    const [update] = fake.world.tabUpdates;
    expect(update?.url).toBe(`${NUDGE}#https://claude.ai/%61`);
    await engine.onNavigation({ tabId: 4, frameId: 0, url: update?.url ?? '' }, 'before');
    await engine.onNavigation({ tabId: 4, frameId: 0, url: update?.url ?? '', transitionType: 'link' }, 'committed');
    await engine.onNavigation(nudgeShown(4, 'https://claude.ai/%61', { transitionType: 'reload' }), 'committed');
    await engine.onNavigation({ tabId: 4, frameId: 0, url: 'https://chat.corp.example/' }, 'committed');
    expect(await counted()).toEqual({
      [`${today()} claude redirected`]: 1,
      [`${today()} corp-chat visit`]: 1,
    });
  });

  it("forget a closed tab's state", async () => {
    fake.world.managed = { policy: policyWith([{ tool: 'gemini', action: 'monitor' }]) };
    const engine = await wake();
    await engine.onNavigation({ tabId: 9, frameId: 0, url: 'https://gemini.google.com/app' }, 'committed');
    expect(Object.keys(fake.world.session)).toContain('tab:9');
    await engine.onTabRemoved(9);
    expect(Object.keys(fake.world.session)).not.toContain('tab:9');
  });
});

describe('the popup and the options page', () => {
  const POPUP = { url: 'chrome-extension://id/popup.html' };
  const OPTIONS = { url: 'chrome-extension://id/options.html' };
  const corpPolicy = (extra: Record<string, unknown> = {}) =>
    policyText('corp-3', 'block', {
      organization: { name: 'Corp', requestAccessUrl: 'https://it.corp.example/ask?tool={tool}' },
      sanctioned: [
        { id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', description: 'Safe for data.' },
      ],
      training: [{ title: 'AI at Corp', url: 'https://learn.corp.example/' }],
      ...extra,
    });

  it('the popup gets the decision for the page, the approved tools, training and request access', async () => {
    fake.world.managed = { policy: corpPolicy() };
    const engine = await wake();
    const answer = await engine.onMessage({ type: 'popup:get', url: 'https://chatgpt.com/c/1' }, POPUP);
    expect(answer).toMatchObject({
      ok: true,
      popup: {
        decision: { action: 'block', tool: 'chatgpt', toolName: 'ChatGPT' },
        host: 'chatgpt.com',
        requestAccessUrl: 'https://it.corp.example/ask?tool=chatgpt',
        approved: [
          { id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', description: 'Safe for data.' },
        ],
        training: [{ title: 'AI at Corp', url: 'https://learn.corp.example/' }],
        policy: { source: 'managed', revision: 'corp-3', organizationName: 'Corp', errors: [] },
      },
    });
    expect(answer).toMatchObject({ popup: { snoozedUntil: null } });
    const approved = await engine.onMessage({ type: 'popup:get', url: 'https://chat.corp.example/' }, POPUP);
    expect(approved).toMatchObject({ popup: { decision: { sanctioned: true }, requestAccessUrl: null } });
    for (const url of [null, 'chrome://newtab/', 'about:blank', 'https://[broken/']) {
      expect(await engine.onMessage({ type: 'popup:get', url }, POPUP)).toMatchObject({
        popup: { decision: null, host: null },
      });
    }
  });

  it('the popup knows until when a warned tool was continued to', async () => {
    fake.world.managed = { policy: corpPolicy({ rules: [{ tool: 'chatgpt', action: 'warn' }] }) };
    const engine = await wake();
    const url = 'https://chatgpt.com/';
    await continueTo(engine, 2, url);
    expect(await engine.onMessage({ type: 'popup:get', url }, POPUP)).toMatchObject({
      popup: { snoozedUntil: fake.world.clock + 60 * 60_000 },
    });
    fake.world.clock += 61 * 60_000;
    expect(await engine.onMessage({ type: 'popup:get', url }, POPUP)).toMatchObject({ popup: { snoozedUntil: null } });
  });

  it('answer extension pages only: a web page or content script asking is refused', async () => {
    fake.world.managed = { policy: corpPolicy() };
    const engine = await wake();
    const fromPage = { url: 'https://evil.example/', tab: { id: 3, url: 'https://evil.example/' }, frameId: 0 };
    expect(await engine.onMessage({ type: 'options:get' }, fromPage)).toEqual({ ok: false, error: 'not allowed' });
    expect(await engine.onMessage({ type: 'options:send-now' }, fromPage)).toEqual({ ok: false, error: 'not allowed' });
    expect(await engine.onMessage({ type: 'popup:get', url: 'https://chatgpt.com/' }, fromPage)).toEqual({
      ok: false,
      error: 'not allowed',
    });
  });

  it('the options page gets the counts with tool names, the fetch and where counts go', async () => {
    fake.world.managed = {
      policyUrl: 'https://it.corp.example/policy.json',
      group: 'sales',
    };
    fake.world.respond = () =>
      new Response(corpPolicy({ reporting: { url: 'https://collect.corp.example/v1/reports', intervalMinutes: 120 } }));
    const engine = await wake();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await showNudge(engine, 1, 'https://chatgpt.com/');
    const answer = await engine.onMessage({ type: 'options:get' }, OPTIONS);
    expect(answer).toMatchObject({
      ok: true,
      options: {
        policy: { source: 'url', revision: 'corp-3', errors: [] },
        fetch: { url: 'https://it.corp.example/policy.json', answeredAt: fake.world.clock, error: null },
        signed: false,
        reportingHost: 'collect.corp.example',
        reportingIntervalMinutes: 120,
        group: 'sales',
        counts: [{ day: today(), tool: 'chatgpt', toolName: 'ChatGPT', event: 'blocked', n: 1 }],
        upload: { collectorHost: 'collect.corp.example', waiting: [], lastSentAt: null },
      },
    });
    const preview = await engine.onMessage({ type: 'options:get' }, OPTIONS);
    const [body] = 'options' in preview ? (preview.options.upload?.next ?? []) : [];
    expect(JSON.parse(body ?? '{}')).toMatchObject({
      policyRevision: 'corp-3',
      group: 'sales',
      counts: [{ day: today(), tool: 'chatgpt', event: 'blocked', n: 1 }],
    });
    fake.world.managed = { ...fake.world.managed, disableReporting: true };
    await engine.refreshManaged();
    expect(await engine.onMessage({ type: 'options:get' }, OPTIONS)).toMatchObject({
      options: { reportingHost: null, reportingIntervalMinutes: null, upload: null },
    });
    expect(fake.world.alarms.has('report-upload')).toBe(false);
  });

  function today() {
    return localDay(new Date(fake.world.clock));
  }
});

describe("npm start's build", () => {
  const LOCAL = 'http://127.0.0.1:8787/v1/policy';

  it('fetches its policy from the local collector when IT configured none', async () => {
    fake.world.respond = () => new Response(policyText('local-1', 'block'));
    const engine = await wake(BUNDLED_CATALOG, { policyUrl: LOCAL });
    expect(fake.world.fetches).toBe(1);
    expect((await engine.policy()).result.policy.revision).toBe('local-1');
  });

  it('reports to the local collector with the reporting token it was built with', async () => {
    const reports = 'http://127.0.0.1:8787/v1/reports';
    fake.world.respond = (url) =>
      url === LOCAL
        ? new Response(policyText('local-1', 'monitor', { reporting: { url: reports, intervalMinutes: 60 } }))
        : new Response(null, { status: 202 });
    const engine = await wake(BUNDLED_CATALOG, { policyUrl: LOCAL, reportingToken: 'local-reporting-token' });
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://chatgpt.com/' }, 'committed');
    expect(await engine.onMessage({ type: 'options:send-now' }, { url: 'chrome-extension://id/options.html' })).toEqual(
      {
        ok: true,
        sent: { sent: 1, waiting: 0, error: null },
      },
    );
    expect(fake.world.requests.at(-1)?.url).toBe(reports);
    expect(fake.world.authorizations.at(-1)).toBe('Bearer local-reporting-token');
  });

  it('leaves a managed policy or policyUrl in charge', async () => {
    fake.world.managed = { policy: policyText('managed-1', 'warn') };
    const engine = await wake(BUNDLED_CATALOG, { policyUrl: LOCAL });
    expect((await engine.policy()).result.policy.revision).toBe('managed-1');
    // The very first start may ask the local URL once before managed storage answers; never again.
    const fetched = fake.world.fetches;
    fake.world.clock += 24 * 3600_000;
    await engine.onAlarm('policy-refresh');
    await wake(BUNDLED_CATALOG, { policyUrl: LOCAL });
    expect(fake.world.fetches).toBe(fetched);
    expect((await engine.policy()).result.policy.revision).toBe('managed-1');
  });
});

describe('a tool inside a frame of another site', () => {
  const FRAMED = 'chrome-extension://id/framed.html';
  const today = () => localDay(new Date(fake.world.clock));
  const counted = async () =>
    Object.fromEntries(
      (await fake.usage.list()).map((count) => [`${count.day} ${count.tool} ${count.event}`, count.n]),
    );
  /** The framed page in frame 4 of tab 1, as the browser names its sender. */
  const fromFrame = (url: string, frameId = 4) => ({
    url: `${FRAMED}#${url}`,
    frameId,
    tab: { id: 1, url: 'https://wrapper.example/' },
  });
  /** DNR sends the frame to the framed page: the tool's address starts, then the framed page commits. */
  async function showFramedNudge(engine: Engine, url: string, frameId = 4): Promise<void> {
    await engine.onNavigation({ tabId: 1, frameId, url }, 'before');
    await engine.onNavigation(
      { tabId: 1, frameId, url: `${FRAMED}#${url}`, transitionType: 'auto_subframe' },
      'committed',
    );
  }
  const blockClaude = () =>
    policyText('p1', 'warn', {
      rules: [
        { tool: 'claude', action: 'block' },
        { tool: 'chatgpt', action: 'warn' },
      ],
    });

  it('counts a framed nudge once, as a nudge in a tab is counted, and not when the frame reloads', async () => {
    fake.world.managed = { policy: blockClaude() };
    const engine = await wake();
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://wrapper.example/' }, 'committed');
    await showFramedNudge(engine, 'https://claude.ai/');
    await engine.onNavigation(
      { tabId: 1, frameId: 4, url: `${FRAMED}#https://claude.ai/`, transitionType: 'reload' },
      'committed',
    );
    expect(await counted()).toEqual({ [`${today()} claude blocked`]: 1 });
  });

  it('counts nothing for a framed page that a web page put in a frame itself', async () => {
    fake.world.managed = { policy: blockClaude() };
    const engine = await wake();
    await engine.onNavigation({ tabId: 1, frameId: 4, url: `${FRAMED}#https://claude.ai/` }, 'committed');
    expect(await counted()).toEqual({});
    const open = await engine.onMessage(
      { type: 'frame:open', url: 'https://claude.ai/' },
      fromFrame('https://claude.ai/'),
    );
    expect(open).toEqual({ ok: false, error: 'not allowed' });
    expect(fake.world.createdTabs).toEqual([]);
  });

  it('counts a framed visit to an allowed tool, and a same-document navigation only when it enters a tool', async () => {
    fake.world.managed = { policy: policyText('p1', 'monitor') };
    const engine = await wake();
    await engine.onNavigation({ tabId: 1, frameId: 4, url: 'https://chatgpt.com/' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 4, url: 'https://chatgpt.com/c/1' }, 'history');
    await engine.onNavigation({ tabId: 1, frameId: 5, url: 'https://ads.example/' }, 'committed');
    expect(await counted()).toEqual({ [`${today()} chatgpt visit`]: 1 });
    expect(fake.world.session['frames:1']).toEqual({
      byFrame: { '4': { tool: 'chatgpt', nudging: null, nudged: null } },
      counted: ['chatgpt visit'],
    });
    await engine.onTabRemoved(1);
    expect(fake.world.session['frames:1']).toBeUndefined();
  });

  it('sends a frame that DNR let through to the framed page (the second line), and counts it there', async () => {
    fake.world.managed = { policy: blockClaude() };
    const engine = await wake();
    // A same-document navigation into the tool, which no request shows DNR.
    await engine.onNavigation({ tabId: 1, frameId: 4, url: 'https://wrapper.example/frame' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 4, url: 'https://claude.ai/new' }, 'history');
    expect(fake.world.frameScripts).toEqual([{ tabId: 1, frameIds: [4], args: [`${FRAMED}#https://claude.ai/new`] }]);
    expect(fake.world.tabUpdates).toEqual([]);
    await engine.onNavigation({ tabId: 1, frameId: 4, url: `${FRAMED}#https://claude.ai/new` }, 'committed');
    expect(await counted()).toEqual({ [`${today()} claude blocked`]: 1 });
  });

  it('opens the whole nudge in a tab, where Continue is accepted, without counting the nudge twice', async () => {
    fake.world.managed = { policy: blockClaude() };
    const engine = await wake();
    const url = 'https://chatgpt.com/c/1';
    await showFramedNudge(engine, url);
    expect(await engine.onMessage({ type: 'frame:open', url }, fromFrame(url))).toEqual({ ok: true, opened: true });
    expect(fake.world.createdTabs).toEqual([{ id: 1000, url: `${NUDGE}#${url}`, openerTabId: 1 }]);
    await engine.onNavigation({ tabId: 1000, frameId: 0, url: `${NUDGE}#${url}`, transitionType: 'link' }, 'committed');
    const answer = await engine.onMessage({ type: 'nudge:continue', url }, fromNudgeTab(1000, url));
    expect(answer).toEqual({ ok: true, continued: true });
    expect(await counted()).toEqual({ [`${today()} chatgpt warned`]: 1, [`${today()} chatgpt proceeded`]: 1 });
  });

  it('tells the framed page what to show, and lets a frame through only to a page the policy allows', async () => {
    fake.world.managed = {
      policy: policyText('p1', 'block', {
        organization: { name: 'Globex' },
        rules: [{ tool: 'claude', action: 'block' }],
      }),
    };
    const engine = await wake();
    const get = await engine.onMessage(
      { type: 'frame:get', url: 'https://claude.ai/' },
      fromFrame('https://claude.ai/'),
    );
    expect(get).toEqual({
      ok: true,
      view: { action: 'block', toolName: 'Claude', organizationName: 'Globex', snoozed: false },
    });
    const refused = await engine.onMessage(
      { type: 'frame:pass', url: 'https://claude.ai/' },
      fromFrame('https://claude.ai/'),
    );
    expect(refused).toEqual({ ok: false, error: 'not allowed' });
    const page = 'https://example.com/a%2fb';
    expect(await engine.onMessage({ type: 'frame:pass', url: page }, fromFrame(page))).toEqual({
      ok: true,
      passed: true,
    });
    expect(fake.world.sessionRules).toHaveLength(1);
    expect(fake.world.session.passes).toEqual({ '1:4': [fake.world.sessionRules[0]?.id] });
    // The frame's next page ends its pass, and so does the tab's next page (its frames went with it).
    await engine.onNavigation({ tabId: 1, frameId: 4, url: page }, 'committed');
    expect(fake.world.sessionRules).toEqual([]);
    await engine.onMessage({ type: 'frame:pass', url: page }, fromFrame(page));
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://wrapper.example/' }, 'committed');
    expect(fake.world.sessionRules).toEqual([]);
    expect(fake.world.session.passes).toEqual({});
  });

  it('keeps at most a few passes for a tab however often a page asks, and none for a nudge page in a frame', async () => {
    const engine = await wake();
    for (let frameId = 1; frameId <= 20; frameId++) {
      const page = `https://example.com/a%2fb?${frameId}`;
      await engine.onMessage({ type: 'frame:pass', url: page }, fromFrame(page, frameId));
      await engine.onMessage({ type: 'frame:pass', url: page }, fromFrame(page, frameId));
    }
    expect(fake.world.sessionRules).toHaveLength(4);
    expect(Object.keys(fake.world.session.passes as object)).toEqual(['1:17', '1:18', '1:19', '1:20']);
    // The tab's own pass is not one of the frames' to end.
    await engine.onMessage(
      { type: 'nudge:pass', url: 'https://example.com/a%2fb' },
      fromNudgeTab(1, 'https://example.com/a%2fb'),
    );
    await engine.onMessage(
      { type: 'frame:pass', url: 'https://example.com/c' },
      fromFrame('https://example.com/c', 21),
    );
    expect(Object.keys(fake.world.session.passes as object).sort()).toEqual(['1', '1:18', '1:19', '1:20', '1:21']);
    expect(fake.world.sessionRules).toHaveLength(4 + 1);
    const framedNudge = {
      url: `${NUDGE}#https://example.com/`,
      frameId: 3,
      tab: { id: 1, url: 'https://wrapper.example/' },
    };
    const answer = await engine.onMessage({ type: 'nudge:pass', url: 'https://example.com/' }, framedNudge);
    expect(answer).toEqual({ ok: false, error: 'not allowed' });
  });

  it('counts a tool once per page however many frames show it', async () => {
    fake.world.managed = { policy: policyText('p1', 'monitor') };
    const engine = await wake();
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://wrapper.example/' }, 'committed');
    for (let frameId = 1; frameId <= 30; frameId++)
      await engine.onNavigation({ tabId: 1, frameId, url: 'https://chatgpt.com/' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 0, url: 'https://wrapper.example/2' }, 'committed');
    await engine.onNavigation({ tabId: 1, frameId: 1, url: 'https://chatgpt.com/' }, 'committed');
    const events = (await fake.usage.list()).map((c) => `${c.tool} ${c.event} ${c.n}`);
    expect(events).toEqual(['chatgpt visit 2']);
  });

  it('answers only the framed page: a web page or the nudge page cannot ask for a frame', async () => {
    const engine = await wake();
    const url = 'https://example.com/';
    const asPage = await engine.onMessage({ type: 'frame:pass', url }, { url, frameId: 4, tab: { id: 1 } });
    expect(asPage).toEqual({ ok: false, error: 'not allowed' });
    const asNudge = await engine.onMessage({ type: 'frame:pass', url }, fromNudgeTab(1, url));
    expect(asNudge).toEqual({ ok: false, error: 'malformed message' });
    expect(fake.world.sessionRules).toEqual([]);
  });
});
