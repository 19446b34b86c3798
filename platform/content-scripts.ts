/**
 * The banner content script is registered at run time for the hosts the
 * policy names (lib/policy/dnr-rules.ts bannerMatchPatterns), never for the rest of the
 * web, and re-registered when the policy changes.
 */
import type { browser } from 'wxt/browser';

type Scripting = typeof browser.scripting;

export const BANNER_SCRIPT_ID = 'daylight-banner';

export async function registerBanner(scripting: Scripting, matches: readonly string[]): Promise<void> {
  const existing = await scripting.getRegisteredContentScripts({ ids: [BANNER_SCRIPT_ID] });
  if (matches.length === 0) {
    if (existing.length > 0) await scripting.unregisterContentScripts({ ids: [BANNER_SCRIPT_ID] });
    return;
  }
  const script = {
    id: BANNER_SCRIPT_ID,
    js: ['banner.js'],
    matches: [...matches],
    runAt: 'document_idle' as const,
    allFrames: false,
    persistAcrossSessions: true,
  };
  if (existing.length > 0) await scripting.updateContentScripts([script]);
  else await scripting.registerContentScripts([script]);
}
