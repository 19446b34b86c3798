import { showBanner } from '../components/banner-view';
import type { BannerResponse } from '../lib/protocol/messages';

/** The two calls the banner makes; both return promises natively in Chrome MV3 and in Firefox. */
interface BannerApi {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  i18n: { getMessage(key: string, substitutions?: string[]): string };
}

// The native API instead of wxt/browser: webextension-polyfill would be two thirds of this script, which
// runs in every page of the tools the policy names (target: 15 kB).
const api = (globalThis as { browser?: BannerApi }).browser ?? (globalThis as unknown as { chrome: BannerApi }).chrome;

// An unlisted script, injected at run time for the policy's hosts only (platform/content-scripts.ts): a WXT
// content-script entrypoint would bring its context helper, and with it the polyfill.
export default defineUnlistedScript(() => {
  void showBanner({
    document,
    send: (request) => api.runtime.sendMessage(request) as Promise<BannerResponse>,
    t: (key, substitutions) => api.i18n.getMessage(key, substitutions),
  });
});
