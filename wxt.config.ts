import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';

/**
 * The extension needs a catalog tool's id, name, category and patterns; where each was verified, its
 * homepage, vendor and region stay in the repository and the command line. Drops ~40% of the
 * background bundle, which every woken service worker parses.
 */
function slimCatalog(): Plugin {
  return {
    name: 'daylight:slim-catalog',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('/policies/catalog.json')) return null;
      const catalog = JSON.parse(code) as {
        catalogVersion: string;
        tools: { id: string; name: string; category: string; match: string[] }[];
      };
      const tools = catalog.tools.map(({ id: toolId, name, category, match }) => ({
        id: toolId,
        name,
        category,
        match,
      }));
      return { code: JSON.stringify({ catalogVersion: catalog.catalogVersion, tools }), map: null };
    },
  };
}

// https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact(), slimCatalog()] }),
  manifest: ({ browser, mode }) => ({
    name: '__MSG_extensionName__',
    description: '__MSG_extensionDescription__',
    default_locale: 'en',
    // declarativeNetRequestWithHostAccess: redirects apply only where the extension has host access
    // (browsers-here.md), and the policy may name any host.
    permissions: [
      'declarativeNetRequestWithHostAccess',
      'storage',
      'alarms',
      'webNavigation',
      // registerContentScripts: the banner runs only on the hosts the policy names, never on the rest of the web.
      'scripting',
      // Test builds only (`wxt build --mode e2e`, .output/chrome-mv3-e2e): testMatchOutcome needs it, users never do.
      ...(mode === 'e2e' ? ['declarativeNetRequestFeedback'] : []),
    ],
    host_permissions: ['<all_urls>'],
    // Pages may link to an AI tool; the redirect to the nudge page must then be reachable from them,
    // or Chromium answers ERR_BLOCKED_BY_CLIENT (browsers-here.md).
    web_accessible_resources: [{ resources: ['nudge.html'], matches: ['<all_urls>'] }],
    // The public half of the signing key: it fixes the extension id (pjldjipjgdlklngggfgapcpfejoijdfe) so
    // IT can name it in policy files (managed-config.md). The private half is never committed.
    ...(browser !== 'firefox' && {
      key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7ZTzT6qEQjlnAVwrOZZ56WTqpYLgdKWwrAKZILpyTMBiEkeU2c9fjDQXVr5ZhotJx23AQ3rD5ysgXpRd6WamTuMHUfBvRgA2rf/26U6mUkfeBnspsMbHJGVYTu/KRFSkFQMNyplBUBqzSBhWLfkxeGSpyoJuJNnAEaGv62ky32PzHD7bK6v7j0Czp95JZOqgcRhIu5+KEIJ+ovemqeXwBHED1HuIRizMr8zJqEiKNURGF+wDmCcRrLkm9Wv1LH1iWIqIGG76qgfFBfAZGJcMPt3+X1em0PtpinctApBIKTWYeWRq2z1Mi3sAknED/H2yEvks3qsvl66MtsnrMffxBwIDAQAB',
      // Chromium drops managed values whose keys the schema does not declare (managed-config.md).
      storage: { managed_schema: 'managed_schema.json' },
    }),
    ...(browser === 'firefox' && {
      browser_specific_settings: {
        gecko: {
          id: 'daylight@daylight-extension.org',
          strict_min_version: '142.0',
          // Daylight uploads counts only, never browsing data: https://extensionworkshop.com/documentation/develop/firefox-builtin-data-consent/
          data_collection_permissions: { required: ['none'] },
        },
      },
    }),
  }),
});
