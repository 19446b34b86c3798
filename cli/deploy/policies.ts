/**
 * The policies `daylight deploy` sets, whatever the file format: Daylight's ExtensionSettings entry, its managed
 * configuration, and the recommended hardening, each with what it is for. Names and values are the vendors'
 * documented ones:
 * - Chrome: https://chromeenterprise.google/policies/ (ExtensionSettings, DeveloperToolsAvailability,
 *   ExtensionDeveloperModeSettings, IncognitoModeAvailability, BrowserGuestModeEnabled, ExtensionInstallBlocklist,
 *   ExtensionInstallAllowlist) and https://support.google.com/chrome/a/answer/9867568 (ExtensionSettings fields).
 * - Edge: https://learn.microsoft.com/deployedge/microsoft-edge-policies (the same names, but InPrivateModeAvailability)
 *   and https://learn.microsoft.com/deployedge/microsoft-edge-manage-extensions-ref-guide (`toolbar_state`).
 * - Firefox: https://mozilla.github.io/enterprise-admin-reference/reference/policies/extensionsettings/
 *   (`private_browsing` since Firefox 136 and ESR 128.8), .../3rdparty/, .../disabledevelopertools/,
 *   .../networkprediction/.
 * - NetworkPredictionOptions (Chrome, Edge) 2 is NetworkPredictionNever.
 */
import type { JsonValue } from './json-format';
import type { DeployOptions, ManagedValues } from './options';
import { STORE_UPDATE_URLS, type ChromiumBrowser } from './targets';

export type JsonObject = { readonly [key: string]: JsonValue };

/** One policy as the browser names it, with what it does (said beside it in .reg and .mobileconfig files). */
export interface PolicySetting {
  readonly name: string;
  readonly value: JsonValue;
  readonly comment: string;
}

/** A recommended hardening policy: what it protects Daylight against, and what it costs the people at the browser. */
export interface HardeningNote {
  readonly name: string;
  /** The value as IT would read it in a console. */
  readonly valueText: string;
  readonly protects: string;
  readonly cost: string;
}

/** Daylight's own entry in ExtensionSettings. */
export function getExtensionEntry(options: DeployOptions): JsonObject {
  if (options.browser === 'firefox') {
    return { installation_mode: 'force_installed', install_url: options.installUrl, private_browsing: true };
  }
  // Pinned so its icon, which says whether the open site is approved, is always in sight.
  const pin: JsonObject =
    options.browser === 'chrome' ? { toolbar_pin: 'force_pinned' } : { toolbar_state: 'force_shown' };
  return { installation_mode: 'force_installed', update_url: options.updateUrl, ...pin };
}

/** ExtensionSettings as written: Daylight's entry, and with `hardened` (Firefox only) every other add-on blocked. */
export function getExtensionSettings(options: DeployOptions, hardened = false): JsonObject {
  const own = { [options.extensionId]: getExtensionEntry(options) };
  return hardened && options.browser === 'firefox' ? { '*': { installation_mode: 'blocked' }, ...own } : own;
}

export function describeExtensionSettings(options: DeployOptions, hardened = false): string {
  if (options.browser === 'firefox') {
    return (
      'ExtensionSettings: Firefox installs Daylight from install_url for everyone and nobody can remove it; ' +
      'private_browsing lets it run in private windows too, which would otherwise be a way around it.' +
      (hardened ? ' The "*" entry blocks every other add-on (see the hardening notes).' : '')
    );
  }
  const source =
    options.updateUrl === STORE_UPDATE_URLS[options.browser]
      ? options.browser === 'chrome'
        ? 'the Chrome Web Store'
        : 'Edge Add-ons'
      : 'your update manifest (update_url)';
  return (
    `ExtensionSettings: ${PRODUCT_SHORT[options.browser]} installs Daylight from ${source} for everyone; nobody ` +
    `can remove or turn it off, and its icon stays in the toolbar (${options.browser === 'chrome' ? 'toolbar_pin' : 'toolbar_state'}).`
  );
}

const PRODUCT_SHORT: Readonly<Record<ChromiumBrowser, string>> = { chrome: 'Chrome', edge: 'Edge' };

/** The managed configuration, in the order of docs/spec/managed-config.md. */
export function getManagedObject(managed: ManagedValues): JsonObject {
  const object: Record<string, JsonValue> = {};
  for (const key of MANAGED_KEY_ORDER) {
    const value = managed[key];
    if (value !== undefined) object[key] = value;
  }
  return object;
}

const MANAGED_KEY_ORDER = ['policyUrl', 'policySigningKey', 'reportingToken', 'group', 'disableReporting'] as const;

export const MANAGED_KEY_COMMENTS: Readonly<Record<(typeof MANAGED_KEY_ORDER)[number], string>> = {
  policyUrl: "policyUrl: where Daylight fetches the organization's policy.",
  policySigningKey:
    'policySigningKey: the public key the policy must be signed with (policyUrl + ".sig"); a policy without a valid signature is refused.',
  reportingToken:
    'reportingToken: sent as "Authorization: Bearer" with the usage counts, so the collector accepts only your browsers.',
  group: 'group: the org unit reported with the usage counts.',
  disableReporting: 'disableReporting: these browsers never upload usage counts, whatever the policy says.',
};

export function getManagedComment(key: string): string | undefined {
  return (MANAGED_KEY_COMMENTS as Readonly<Record<string, string>>)[key];
}

export const MANAGED_INTRO =
  "Daylight's managed configuration (the keys of its managed_schema.json), which it reads as storage.managed.";

const EXTENSION_ALLOWLIST_NOTE =
  'Add the other extensions your organization approves to ExtensionInstallAllowlist, or they are blocked too. ' +
  'Where your organization already sets ExtensionInstallAllowlist or ExtensionInstallBlocklist, add Daylight to ' +
  'your lists instead of deploying these over them: a second list replaces the first (in the registry, importing ' +
  'overwrites entry "1").';

/** What Chrome and Edge call private windows, and the policy that turns them off. */
function privateWindowsOf(browser: ChromiumBrowser): { readonly policy: string; readonly windows: string } {
  return browser === 'chrome'
    ? { policy: 'IncognitoModeAvailability', windows: 'Incognito' }
    : { policy: 'InPrivateModeAvailability', windows: 'InPrivate' };
}

/**
 * `--no-preconnect`. A nudge stops every request to the tool, but Chromium's network prediction may open a
 * connection to a host while the person types its address or hovers a link: a TLS handshake that names the tool (SNI)
 * and sends nothing else. Seen in Chromium 156: 50 handshakes in 960 nudged navigations, no HTTP request; Firefox
 * ESR 153 opened none (README.md "What reaches an AI tool's vendor").
 */
const PREDICTION_COMMENT =
  "the browser's network prediction is off, so not even a TLS handshake (which names the host, and sends nothing " +
  'else) reaches an AI tool before its nudge.';
const PREDICTION_COST =
  'Every site loses the head start prediction gives: the DNS lookups and connections the browser opens while the ' +
  'person types an address or points at a link. The first page of a site then waits for them, typically tens to a ' +
  'few hundred milliseconds more; later pages of the site are not affected.';

/** Chrome and Edge: separate policies beside ExtensionSettings, so they never collide with Daylight's main file. */
export function getChromiumHardening(
  browser: ChromiumBrowser,
  extensionId: string,
  noPreconnect = false,
): readonly PolicySetting[] {
  const prediction: PolicySetting = {
    name: 'NetworkPredictionOptions',
    value: 2,
    comment: `NetworkPredictionOptions 2 (NetworkPredictionNever): ${PREDICTION_COMMENT}`,
  };
  return [...getChromiumBaseHardening(browser, extensionId), ...(noPreconnect ? [prediction] : [])];
}

function getChromiumBaseHardening(browser: ChromiumBrowser, extensionId: string): readonly PolicySetting[] {
  const { policy: incognito, windows: privateWindows } = privateWindowsOf(browser);
  return [
    {
      name: 'DeveloperToolsAvailability',
      value: 0,
      comment:
        'DeveloperToolsAvailability 0 (DeveloperToolsDisallowedForForceInstalledExtensions): the developer tools ' +
        "cannot open on Daylight's service worker and pages, so nobody inspects or edits its stored policy and counts.",
    },
    {
      name: 'ExtensionDeveloperModeSettings',
      value: 1,
      comment:
        'ExtensionDeveloperModeSettings 1 (Disallow): no developer mode on the extensions page, so nobody loads an ' +
        'unpacked extension beside Daylight, such as a modified copy or one that undoes its redirects.',
    },
    {
      name: incognito,
      value: 1,
      comment: `${incognito} 1 (disabled): no ${privateWindows} windows, where extensions run only if the person allows it, so AI tools opened there would bypass Daylight.`,
    },
    {
      name: 'BrowserGuestModeEnabled',
      value: false,
      comment: 'BrowserGuestModeEnabled false: no Guest windows, which run without any extension, Daylight included.',
    },
    {
      name: 'ExtensionInstallBlocklist',
      value: ['*'],
      comment:
        'ExtensionInstallBlocklist "*": no extension but the allowed ones, so none can send AI tools around ' +
        "Daylight's redirects or hide its pages.",
    },
    {
      name: 'ExtensionInstallAllowlist',
      value: [extensionId],
      comment: `ExtensionInstallAllowlist: Daylight. ${EXTENSION_ALLOWLIST_NOTE}`,
    },
  ];
}

/** Firefox: beside the "*" entry of ExtensionSettings (getExtensionSettings with `hardened`). */
export function getFirefoxHardening(noPreconnect = false): readonly PolicySetting[] {
  return [
    {
      name: 'DisableDeveloperTools',
      value: true,
      comment:
        'DisableDeveloperTools: no developer tools and no about:debugging, where a temporary add-on (a modified ' +
        'Daylight, or one that undoes its redirects) would be loaded, nor about:devtools-toolbox to inspect Daylight.',
    },
    ...(noPreconnect
      ? [{ name: 'NetworkPrediction', value: false, comment: `NetworkPrediction false: ${PREDICTION_COMMENT}` }]
      : []),
  ];
}

/** For README.md, with `--no-preconnect`. */
function getPredictionNote(browser: DeployOptions['browser']): HardeningNote {
  return {
    name: browser === 'firefox' ? 'NetworkPrediction' : 'NetworkPredictionOptions',
    valueText: browser === 'firefox' ? 'false' : '2 (NetworkPredictionNever)',
    protects:
      "Not even a TLS handshake reaches an AI tool before its nudge. Without it, the browser's prediction may open " +
      'a connection to the tool while the person types its address: the vendor learns that this network asked ' +
      'for its host name, and nothing else (no request, no page, no cookie).' +
      (browser === 'firefox' ? ' Firefox ESR 153 opened none in our measurement; this keeps it so.' : ''),
    cost: PREDICTION_COST,
  };
}

/** For README.md: each hardening policy, what it protects against, what it costs. */
export function getHardeningNotes(options: DeployOptions): readonly HardeningNote[] {
  const notes =
    options.browser === 'firefox' ? getFirefoxNotes() : getChromiumNotes(options.browser, options.extensionId);
  return options.noPreconnect ? [...notes, getPredictionNote(options.browser)] : notes;
}

function getChromiumNotes(browser: ChromiumBrowser, extensionId: string): readonly HardeningNote[] {
  const product = PRODUCT_SHORT[browser];
  const { policy: incognito, windows: privateWindows } = privateWindowsOf(browser);
  const extensionsPage = browser === 'chrome' ? 'chrome://extensions' : 'edge://extensions';
  return [
    {
      name: 'DeveloperToolsAvailability',
      valueText: '0 (DeveloperToolsDisallowedForForceInstalledExtensions)',
      protects:
        "Nobody can open the developer tools on Daylight's service worker and pages, so nobody can read or change " +
        'its stored policy and usage counts.',
      cost: `None for most people: the developer tools still work on websites. (0 is ${product}'s default; setting it keeps anyone from loosening it.)`,
    },
    {
      name: 'ExtensionDeveloperModeSettings',
      valueText: '1 (Disallow)',
      protects: `No developer mode on ${extensionsPage}: nobody loads an unpacked extension beside Daylight, such as a modified copy of it or one that undoes its redirects.`,
      cost: 'People who build browser extensions cannot load their own unpacked builds in this browser.',
    },
    {
      name: incognito,
      valueText: '1 (disabled)',
      protects: `No ${privateWindows} windows. Extensions run there only if the person allows it, so an AI tool opened in one would bypass Daylight.`,
      cost: `No private browsing: people who use ${privateWindows} windows to try a second sign-in or to leave no history need another profile.`,
    },
    {
      name: 'BrowserGuestModeEnabled',
      valueText: 'false',
      protects: 'No Guest windows, which run without any extension, Daylight included.',
      cost: 'Nobody can hand the browser to a guest; guests need a profile of their own.',
    },
    {
      name: 'ExtensionInstallBlocklist and ExtensionInstallAllowlist',
      valueText: `["*"] and ["${extensionId}"]`,
      protects:
        "Only allowed extensions install, so no other extension can send AI tools around Daylight's redirects, " +
        'hide its pages, or read what people type into AI tools.',
      cost:
        'People can install only the extensions you allow, and extensions already installed that are not allowed ' +
        `are turned off. ${EXTENSION_ALLOWLIST_NOTE}`,
    },
  ];
}

function getFirefoxNotes(): readonly HardeningNote[] {
  return [
    {
      name: 'ExtensionSettings "*"',
      valueText: '"installation_mode": "blocked"',
      protects:
        "No add-on but Daylight (and those you list), so none can send AI tools around Daylight's redirects, hide " +
        'its pages, or read what people type into AI tools.',
      cost:
        'Firefox also removes add-ons already installed that are not listed. Give each add-on your organization ' +
        'approves an entry of its own in ExtensionSettings ("installation_mode": "allowed") before you roll this out.',
    },
    {
      name: 'DisableDeveloperTools',
      valueText: 'true',
      protects:
        'No developer tools, and no about:debugging, where a temporary add-on (a modified Daylight, or one that ' +
        'undoes its redirects) would be loaded, nor about:devtools-toolbox to inspect Daylight.',
      cost:
        "Web developers lose Firefox's developer tools entirely (inspector, console, network panel) and cannot load " +
        'temporary add-ons: leave them out of the hardened configuration, or give them another browser for development.',
    },
  ];
}
