import { browser } from 'wxt/browser';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../lib/policy/bundled';
import { reportBrowser } from '../lib/protocol/report';
import { createBackground } from '../platform/background';

// Wiring only: listeners are registered synchronously, because a woken
// service worker only sees listeners added on its first turn.
const buildEnv = import.meta.env as Record<string, string | undefined>;
const localPolicyUrl = buildEnv.WXT_DAYLIGHT_POLICY_URL;
const localReportingToken = buildEnv.WXT_DAYLIGHT_REPORTING_TOKEN;

export default defineBackground(() => {
  const background = createBackground({
    browser,
    catalog: BUNDLED_CATALOG,
    defaultPolicy: DEFAULT_POLICY,
    client: {
      browser: reportBrowser(import.meta.env.BROWSER, navigator.userAgent),
    },
    // Set by `npm start` for its build only (scripts/start.mjs, mode "trial"): the local collector's policy and reporting token.
    buildDefaults: {
      ...(localPolicyUrl !== undefined && { policyUrl: localPolicyUrl }),
      ...(localReportingToken !== undefined && { reportingToken: localReportingToken }),
    },
  });

  // webextension-polyfill sends a listener's returned promise's value as the response.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  browser.runtime.onMessage.addListener((message: unknown, sender) => background.onMessage(message, sender));
  browser.webNavigation.onBeforeNavigate.addListener((details) => void background.onNavigation(details, 'before'));
  browser.webNavigation.onCommitted.addListener((details) => void background.onNavigation(details, 'committed'));
  browser.webNavigation.onHistoryStateUpdated.addListener(
    (details) => void background.onNavigation(details, 'history'),
  );
  browser.tabs.onRemoved.addListener((tabId) => void background.onTabRemoved(tabId));
  browser.alarms.onAlarm.addListener((alarm) => void background.onAlarm(alarm.name));
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') void background.refreshManaged();
  });

  // refreshManaged runs even when the first load failed: on Firefox it is the only read of managed storage.
  void background
    .policy()
    .catch(() => undefined)
    .then(() => background.refreshManaged());
});
