/**
 * The background's policy engine with a fake browser (unit tests only: the
 * e2e suite runs the real one), a fake store and a clock, so that what a
 * service worker lives through can be replayed: wakes, a server that is
 * down, an extension update, a policy change under a snooze.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../lib/bundled';
import type { Catalog } from '../../lib/catalog';
import type { NudgeResponse } from '../../lib/messages';
import { createPolicyEngine } from '../../platform/policy-engine';
import type { PolicyState, PolicyStore } from '../../platform/policy-store';

interface Rule {
  id: number;
  action: { type: string };
  condition: { requestDomains?: string[]; regexFilter?: string };
}

/** Everything that outlives one worker: storage, rules, alarms, IndexedDB. */
function fakeWorld() {
  const world = {
    local: {} as Record<string, unknown>,
    session: {} as Record<string, unknown>,
    managed: {} as Record<string, unknown>,
    dynamicRules: [] as Rule[],
    sessionRules: [] as Rule[],
    alarms: new Map<string, { periodInMinutes?: number; delayInMinutes?: number; when?: number }>(),
    tabUpdates: [] as { tabId: number; url: string }[],
    state: null as PolicyState | null,
    clock: 1_800_000_000_000,
    fetches: 0,
    respond: (): Response | Error => new TypeError('Failed to fetch'),
    failRuleUpdates: false,
  };
  const area = (data: Record<string, unknown>) => ({
    get: (key: string) => Promise.resolve(key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: (values: Record<string, unknown>) => Promise.resolve(void Object.assign(data, structuredClone(values))),
  });
  const browser = {
    runtime: { getURL: (path: string) => `chrome-extension://id${path}`, getManifest: () => ({ version: '1.0.0' }) },
    storage: {
      local: area(world.local),
      session: area(world.session),
      managed: { get: () => Promise.resolve(structuredClone(world.managed)) },
    },
    declarativeNetRequest: {
      getDynamicRules: () => Promise.resolve(world.dynamicRules),
      updateDynamicRules: ({ removeRuleIds = [], addRules = [] }: { removeRuleIds?: number[]; addRules?: Rule[] }) => {
        if (world.failRuleUpdates)
          return Promise.reject(new Error('Rule with id 1 specifies an incorrect value for the "regexFilter" key.'));
        world.dynamicRules = world.dynamicRules.filter((rule) => !removeRuleIds.includes(rule.id)).concat(addRules);
        return Promise.resolve();
      },
      getSessionRules: () => Promise.resolve(world.sessionRules),
      updateSessionRules: ({ removeRuleIds = [], addRules = [] }: { removeRuleIds?: number[]; addRules?: Rule[] }) => {
        world.sessionRules = world.sessionRules.filter((rule) => !removeRuleIds.includes(rule.id)).concat(addRules);
        return Promise.resolve();
      },
    },
    scripting: {
      getRegisteredContentScripts: () => Promise.resolve([]),
      registerContentScripts: () => Promise.resolve(),
      updateContentScripts: () => Promise.resolve(),
      unregisterContentScripts: () => Promise.resolve(),
    },
    alarms: {
      get: (name: string) => Promise.resolve(world.alarms.get(name)),
      create: (name: string, info: { periodInMinutes?: number; delayInMinutes?: number }) =>
        Promise.resolve(void world.alarms.set(name, info)),
      clear: (name: string) => Promise.resolve(world.alarms.delete(name)),
    },
    tabs: {
      update: (tabId: number, { url }: { url: string }) => Promise.resolve(void world.tabUpdates.push({ tabId, url })),
    },
  };
  const store: PolicyStore = {
    read: () => Promise.resolve(world.state ?? { lastGood: null, compiled: null, status: null, fetch: null }),
    update: (change) => {
      world.state = { ...(world.state ?? { lastGood: null, compiled: null, status: null, fetch: null }), ...change };
      return Promise.resolve();
    },
  };
  const fetchFn = (() => {
    world.fetches++;
    const answer = world.respond();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  return { world, browser, store, fetchFn };
}

let fake: ReturnType<typeof fakeWorld>;
beforeEach(() => {
  fake = fakeWorld();
});

/** A new worker, doing what background.ts does on its first turn, then settling. */
async function wake(catalog: Catalog = BUNDLED_CATALOG) {
  const engine = createPolicyEngine({
    browser: fake.browser as never,
    catalog,
    defaultPolicy: DEFAULT_POLICY,
    store: fake.store,
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
const nudgesChatgpt = () =>
  fake.world.dynamicRules.some(
    (rule) => rule.action.type === 'redirect' && (rule.condition.requestDomains ?? []).includes('chatgpt.com'),
  );
const NUDGE = 'chrome-extension://id/nudge.html';
const fromNudgePage = (url: string) => ({ url: `${NUDGE}#${url}` });

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
    expect(await engine.onMessage({ type: 'nudge:continue', url }, fromNudgePage(url))).toEqual({
      ok: true,
      continued: true,
    });
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

  it('with snoozeMinutes 0, let the continued page keep its own pushState, and ask again next time', async () => {
    fake.world.managed = { policy: policyText('p1', 'warn', { warn: { snoozeMinutes: 0 } }) };
    const engine = await wake();
    const url = 'https://chatgpt.com/';
    await engine.onMessage({ type: 'nudge:continue', url }, fromNudgePage(url));
    await engine.onNavigation({ tabId: 5, frameId: 0, url }, 'committed');
    await engine.onNavigation({ tabId: 5, frameId: 0, url: 'https://chatgpt.com/c/new' }, 'history');
    expect(fake.world.tabUpdates).toEqual([]);
    expect(fake.world.sessionRules).toEqual([]);
    await engine.onNavigation({ tabId: 6, frameId: 0, url }, 'committed');
    expect(fake.world.tabUpdates).toEqual([{ tabId: 6, url: `${NUDGE}#${url}` }]);
  });
});
