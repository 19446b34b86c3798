/**
 * What `daylight deploy` knows about each browser: extension ids, store update URLs, where each operating
 * system keeps browser policy. Every registry path, preference domain and policy name here is the one the
 * browser vendor documents (links beside each); none is guessed.
 */

export const BROWSERS = ['chrome', 'edge', 'firefox'] as const;
export const OPERATING_SYSTEMS = ['windows', 'macos', 'linux'] as const;
export type Browser = (typeof BROWSERS)[number];
export type Os = (typeof OPERATING_SYSTEMS)[number];
export type ChromiumBrowser = Exclude<Browser, 'firefox'>;

/** The id every Chrome and Edge build has: the manifest carries the public half of a key (README "The extension"). */
export const DEFAULT_CHROMIUM_EXTENSION_ID = 'pjldjipjgdlklngggfgapcpfejoijdfe';
/** browser_specific_settings.gecko.id of the Firefox build. */
export const DEFAULT_FIREFOX_ADDON_ID = 'daylight@daylight-extension.org';

/**
 * The stores' update URLs, for ExtensionSettings `update_url`:
 * https://support.google.com/chrome/a/answer/9867568 (Chrome Web Store) and
 * https://learn.microsoft.com/deployedge/microsoft-edge-manage-extensions-ref-guide (Edge Add-ons).
 */
export const STORE_UPDATE_URLS: Readonly<Record<ChromiumBrowser, string>> = {
  chrome: 'https://clients2.google.com/service/update2/crx',
  edge: 'https://edge.microsoft.com/extensionwebstorebase/v1/crx',
};

export const PRODUCT_NAMES: Readonly<Record<Browser, string>> = {
  chrome: 'Google Chrome',
  edge: 'Microsoft Edge',
  firefox: 'Mozilla Firefox',
};

export const OS_NAMES: Readonly<Record<Os, string>> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };

/**
 * Machine-wide policy keys. Chrome: https://support.google.com/chrome/a/answer/187202; Edge: "Registry settings"
 * of each policy at https://learn.microsoft.com/deployedge/microsoft-edge-policies; Firefox: "Windows (GPO)" of
 * each policy at https://mozilla.github.io/enterprise-admin-reference/.
 */
export const REGISTRY_KEYS: Readonly<Record<Browser, string>> = {
  chrome: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome',
  edge: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge',
  firefox: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mozilla\\Firefox',
};

/** macOS preference domains (the PayloadType of a configuration profile's payload). */
export const MAC_DOMAINS: Readonly<Record<Browser, string>> = {
  chrome: 'com.google.Chrome',
  edge: 'com.microsoft.Edge',
  firefox: 'org.mozilla.firefox',
};

/**
 * Chrome and Edge on macOS read an extension's managed configuration from a preference domain of its own, not
 * from a `3rdparty` key (https://www.chromium.org/administrators/configuring-policy-for-extensions/).
 */
export function getMacExtensionDomain(browser: ChromiumBrowser, extensionId: string): string {
  return `${MAC_DOMAINS[browser]}.extensions.${extensionId}`;
}

/**
 * Linux policy folders: Chrome and Chromium (chromium/src docs/enterprise/policies.md), Edge
 * (/etc/opt/edge/policies, as Chrome's), Firefox (`/etc/firefox/policies`, policy-templates README).
 */
export const LINUX_POLICY_DIRS = {
  chrome: '/etc/opt/chrome/policies/managed/',
  chromium: '/etc/chromium/policies/managed/',
  edge: '/etc/opt/edge/policies/managed/',
  firefox: '/etc/firefox/policies/',
} as const;

/** Chrome and Edge: 32 letters a–p (the first 128 bits of the key's SHA-256, one letter per 4 bits). */
export const CHROMIUM_ID_PATTERN = /^[a-p]{32}$/;
/**
 * A Firefox add-on id: a GUID in braces or an email-like id (the form addons-linter accepts,
 * https://extensionworkshop.com/documentation/develop/extensions-and-the-add-on-id/), at most 80 characters.
 */
export const GECKO_ID_PATTERN =
  /^(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|[a-zA-Z0-9-._]*@[a-zA-Z0-9-._]+)$/;
export const GECKO_ID_MAX_LENGTH = 80;

export function isBrowser(value: string): value is Browser {
  return (BROWSERS as readonly string[]).includes(value);
}

export function isOs(value: string): value is Os {
  return (OPERATING_SYSTEMS as readonly string[]).includes(value);
}
