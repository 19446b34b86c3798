/**
 * The one fake `browser` the background's unit tests share (tests/unit/platform/): everything that
 * outlives a worker, in a `world` a test can read and change, so that what a service worker lives
 * through can be replayed: wakes, an extension update, rules the browser refuses.
 *
 * Why not WXT's fakeBrowser (wxt/testing/fake-browser): it has no declarativeNetRequest, scripting or
 * runtime.getManifest, refuses tabs.update for a tab it did not create, and keeps of an alarm only its
 * scheduled time, while these tests assert what was asked (`delayInMinutes`, `periodInMinutes`).
 */

export interface FakeRule {
  id: number;
  action: { type: string };
  condition: { requestDomains?: string[]; regexFilter?: string };
}

/** An alarm as it was created, with the time it fires when that was given (`when`). */
export type FakeAlarm = { periodInMinutes?: number; delayInMinutes?: number; when?: number; scheduledTime?: number };

export function fakeExtensionWorld() {
  return {
    local: {} as Record<string, unknown>,
    session: {} as Record<string, unknown>,
    managed: {} as Record<string, unknown>,
    dynamicRules: [] as FakeRule[],
    sessionRules: [] as FakeRule[],
    alarms: new Map<string, FakeAlarm>(),
    tabUpdates: [] as { tabId: number; url: string }[],
    /** Tabs the extension opened, with the id each got. */
    createdTabs: [] as { id: number; url: string; openerTabId?: number | undefined }[],
    /** Scripts run in frames (scripting.executeScript): where, and with what arguments. */
    frameScripts: [] as { tabId: number; frameIds: number[]; args: unknown[] }[],
    /** The browser refuses the next rule updates, as Chromium does a regexFilter it cannot compile. */
    failRuleUpdates: false,
    /** The longest regexFilter isRegexSupported accepts (Chromium's limit is 2 KB of compiled RE2), or null. */
    regexLimit: null as number | null,
  };
}

export type FakeExtensionWorld = ReturnType<typeof fakeExtensionWorld>;

/** A storage area over `data`, cloning on the way in and out as the browser's does. */
function area(data: Record<string, unknown>) {
  return {
    get: (key: string) => Promise.resolve(key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: (values: Record<string, unknown>) => Promise.resolve(void Object.assign(data, structuredClone(values))),
    remove: (key: string) => Promise.resolve(void delete data[key]),
  };
}

/** A browser whose state is `world`; the background reaches it only through what is listed here. */
export function fakeExtensionBrowser(world: FakeExtensionWorld) {
  const updateRules =
    (rules: 'dynamicRules' | 'sessionRules', refusable: boolean) =>
    ({ removeRuleIds = [], addRules = [] }: { removeRuleIds?: number[]; addRules?: FakeRule[] }) => {
      if (refusable && world.failRuleUpdates)
        return Promise.reject(new Error('Rule with id 1 specifies an incorrect value for the "regexFilter" key.'));
      world[rules] = world[rules].filter((rule) => !removeRuleIds.includes(rule.id)).concat(addRules);
      return Promise.resolve();
    };
  return {
    runtime: { getURL: (path: string) => `chrome-extension://id${path}`, getManifest: () => ({ version: '1.0.0' }) },
    storage: {
      local: area(world.local),
      session: area(world.session),
      managed: { get: () => Promise.resolve(structuredClone(world.managed)) },
    },
    declarativeNetRequest: {
      getDynamicRules: () => Promise.resolve(world.dynamicRules),
      updateDynamicRules: updateRules('dynamicRules', true),
      getSessionRules: () => Promise.resolve(world.sessionRules),
      updateSessionRules: updateRules('sessionRules', false),
      isRegexSupported: ({ regex }: { regex: string }) =>
        Promise.resolve(
          world.regexLimit !== null && regex.length > world.regexLimit
            ? { isSupported: false, reason: 'memoryLimitExceeded' }
            : { isSupported: true },
        ),
    },
    scripting: {
      getRegisteredContentScripts: () => Promise.resolve([]),
      registerContentScripts: () => Promise.resolve(),
      updateContentScripts: () => Promise.resolve(),
      unregisterContentScripts: () => Promise.resolve(),
      executeScript: ({ target, args = [] }: { target: { tabId: number; frameIds: number[] }; args?: unknown[] }) =>
        Promise.resolve(void world.frameScripts.push({ tabId: target.tabId, frameIds: target.frameIds, args })),
    },
    alarms: {
      get: (name: string) => Promise.resolve(world.alarms.get(name)),
      create: (name: string, info: FakeAlarm) =>
        Promise.resolve(
          void world.alarms.set(name, { ...info, ...(info.when !== undefined && { scheduledTime: info.when }) }),
        ),
      clear: (name: string) => Promise.resolve(world.alarms.delete(name)),
    },
    tabs: {
      update: (tabId: number, { url }: { url: string }) => Promise.resolve(void world.tabUpdates.push({ tabId, url })),
      create: ({ url, openerTabId }: { url: string; openerTabId?: number }) => {
        const tab = { id: 1000 + world.createdTabs.length, url, openerTabId };
        world.createdTabs.push(tab);
        return Promise.resolve(tab);
      },
    },
  };
}
