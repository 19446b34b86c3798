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

/**
 * Preact writes `innerHTML` for `dangerouslySetInnerHTML` only, which Daylight never uses (admin text is
 * rendered as text). Firefox's add-on linter flags that one assignment (UNSAFE_VAR_ASSIGNMENT, the only
 * `web-ext lint` warning; https://extensionworkshop.com/documentation/develop/build-a-secure-extension/)
 * and AMO reviewers ask about every such warning. It becomes a throw in every build, so no raw HTML can
 * ever be rendered; the build fails if a Preact update no longer has exactly that one assignment.
 */
function noRawHtml(): Plugin {
  const assignment = /\b\w+\.innerHTML=\w+\.__html\b/g;
  return {
    name: 'daylight:no-raw-html',
    transform(code, id) {
      if (!id.endsWith('/node_modules/preact/dist/preact.mjs')) return null;
      const found = code.match(assignment)?.length ?? 0;
      if (found !== 1) this.error(`expected 1 innerHTML assignment in ${id}, found ${found}`);
      const refusal = '(()=>{throw Error("dangerouslySetInnerHTML is not allowed in Daylight")})()';
      return { code: code.replace(assignment, refusal), map: null };
    },
  };
}

// https://wxt.dev/api/config.html
/** Every web page, any host and port: what `<all_urls>` covers less file://, ftp:// and the other schemes. */
const WEB_PAGES = ['http://*/*', 'https://*/*'];

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact(), slimCatalog(), noRawHtml()] }),
  manifest: ({ browser, mode }) => ({
    name: '__MSG_extensionName__',
    description: '__MSG_extensionDescription__',
    default_locale: 'en',
    // declarativeNetRequestWithHostAccess: redirects apply only where the extension has host access
    // (docs/browsers.md "declarativeNetRequest"), and the policy may name any host.
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
    // Firefox MV3 treats these as optional: since Firefox 127 they are granted at install (https://bugzil.la/1889402,
    // below strict_min_version), temporary add-ons included, and a person can withdraw them in about:addons.
    // Web pages only: AI tools are http(s) sites, and the nudge needs nothing of files, ftp or other schemes.
    host_permissions: WEB_PAGES,
    // Pages may link to an AI tool or frame one; the redirect to the nudge page (a tab) or the framed page (a
    // frame) must then be reachable from them, or Chromium answers ERR_BLOCKED_BY_CLIENT (docs/browsers.md
    // "declarativeNetRequest").
    web_accessible_resources: [{ resources: ['nudge.html', 'framed.html'], matches: WEB_PAGES }],
    // The public half of the signing key: it fixes the extension id (pjldjipjgdlklngggfgapcpfejoijdfe) so
    // IT can name it in policy files (docs/spec/managed-config.md). The private half is never committed.
    ...(browser !== 'firefox' && {
      key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7ZTzT6qEQjlnAVwrOZZ56WTqpYLgdKWwrAKZILpyTMBiEkeU2c9fjDQXVr5ZhotJx23AQ3rD5ysgXpRd6WamTuMHUfBvRgA2rf/26U6mUkfeBnspsMbHJGVYTu/KRFSkFQMNyplBUBqzSBhWLfkxeGSpyoJuJNnAEaGv62ky32PzHD7bK6v7j0Czp95JZOqgcRhIu5+KEIJ+ovemqeXwBHED1HuIRizMr8zJqEiKNURGF+wDmCcRrLkm9Wv1LH1iWIqIGG76qgfFBfAZGJcMPt3+X1em0PtpinctApBIKTWYeWRq2z1Mi3sAknED/H2yEvks3qsvl66MtsnrMffxBwIDAQAB',
      // Chromium drops managed values whose keys the schema does not declare (docs/spec/managed-config.md).
      storage: { managed_schema: 'managed_schema.json' },
    }),
    ...(browser === 'firefox' && {
      browser_specific_settings: {
        gecko: {
          id: 'daylight@daylight-extension.org',
          strict_min_version: '142.0',
          // When the organization turns reporting on, Daylight uploads per-day counts of visits to AI tools: no
          // URL, but still a summary of "the websites you visit", which Mozilla's taxonomy calls browsingActivity
          // (https://extensionworkshop.com/documentation/develop/firefox-builtin-data-consent/#specifying-data-types).
          // Declared, not hidden; with reporting off nothing leaves the device (docs/spec/report-protocol.md).
          data_collection_permissions: { required: ['browsingActivity'] },
        },
      },
    }),
  }),
});
