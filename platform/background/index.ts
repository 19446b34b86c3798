/**
 * The background, put together from its parts: which policy is in force (policy-loader.ts) and its
 * refresh from policyUrl (policy-refresh.ts), snoozes and passes (snoozes.ts), what happens when a
 * page opens (navigation.ts), and the messages of the nudge page, banner, popup and options page
 * (messages.ts, surface-messages.ts). entrypoints/background.ts hands it the browser's events.
 */
import { FRAMED_PAGE_PATH, NUDGE_PAGE_PATH } from '../../lib/protocol/nudge-url';
import { openPolicyStore } from '../policy-store';
import { createReporting } from '../reporting';
import { openUsageStore } from '../usage-store';
import type { BackgroundContext, BackgroundDeps } from './context';
import { createMessages } from './messages';
import { createCounter, createNavigation } from './navigation';
import { createPolicyLoader, type PolicyLoader } from './policy-loader';
import { createPolicyRefresh } from './policy-refresh';
import { createSnoozes } from './snoozes';
import { backgroundState } from './state';
import { createSurfaceMessages } from './surface-messages';

export type { BackgroundDeps, MessageSender, NavigationDetails } from './context';

// Long: one list of the parts, in the order they need each other.
export function createBackground({
  browser,
  store = openPolicyStore(),
  usage = openUsageStore(),
  // Wrapped: fetch called with another `this` throws "Illegal invocation".
  fetchFn = (input, init) => fetch(input, init),
  now = Date.now,
  random = Math.random,
  newBatchId = () => crypto.randomUUID(),
  client = { browser: 'other' },
  buildDefaults = {},
  ...rest
}: BackgroundDeps) {
  const ctx: BackgroundContext = {
    ...rest,
    browser,
    store,
    usage,
    fetchFn,
    now,
    buildDefaults,
    state: backgroundState(browser.storage),
    nudgePageUrl: browser.runtime.getURL(NUDGE_PAGE_PATH),
    framedPageUrl: browser.runtime.getURL(FRAMED_PAGE_PATH),
    extensionOrigin: browser.runtime.getURL('/'),
  };
  // The loader and the refresh, and the loader and reporting, ask each other: each is reached through
  // `loader`, which exists before any of them is asked anything.
  let loader: PolicyLoader | null = null;
  const policies = (): PolicyLoader => {
    if (loader === null) throw new Error('the background is not put together yet');
    return loader;
  };
  const reporting = createReporting({
    browser,
    usage,
    target: () => policies().reportingTarget(),
    client,
    fetchFn,
    now,
    random,
    newBatchId,
  });
  const snoozes = createSnoozes(ctx);
  const refresh = createPolicyRefresh(ctx, policies);
  loader = createPolicyLoader(ctx, { snoozes, reporting, follow: refresh.follow });
  const count = createCounter(ctx);
  const navigation = createNavigation(ctx, { loader, snoozes, count });
  const onSurfaceMessage = createSurfaceMessages(ctx, { loader, snoozes, reporting });

  return {
    policy: loader.policy,
    refreshManaged: loader.refreshManaged,
    onNavigation: navigation.onNavigation,
    onTabRemoved: navigation.onTabRemoved,
    onMessage: createMessages(ctx, {
      loader,
      snoozes,
      count,
      onSurfaceMessage,
      onFrameMessage: navigation.onFrameMessage,
    }),
    async onAlarm(name: string): Promise<void> {
      await snoozes.onAlarm(name);
      await refresh.onAlarm(name);
      await reporting.onAlarm(name);
    },
  };
}
