/**
 * What happens when a page opens: every top-level navigation is decided, counted
 * (docs/spec/report-protocol.md "What is counted"), and sent to the nudge page when DNR did not
 * redirect it already (ARCHITECTURE.md "Nudge before the request leaves", the second line: a
 * percent-encoded path, a pushState into a path-scoped tool).
 */
import type { PolicyIndex } from '../../lib/policy/compile';
import { tryDecide } from '../../lib/policy/decide';
import { isNudge } from '../../lib/policy/dnr-rules';
import { nudgeUrl, originalUrl } from '../../lib/protocol/nudge-url';
import { localDay, nudgeShownEvent, type UsageEvent } from '../../lib/protocol/usage';
import type { BackgroundContext, NavigationDetails } from './context';
import type { PolicyLoader } from './policy-loader';
import { decidePage } from './pages';
import type { Snoozes } from './snoozes';
import type { TabState } from './state';

export type Counter = (tool: string, event: UsageEvent) => Promise<void>;

/** Adds one to today's counter. A failed write is logged, never thrown: it must not stop a nudge. */
export function createCounter({ usage, now }: BackgroundContext): Counter {
  return async (tool, event) => {
    try {
      await usage.add(localDay(new Date(now())), tool, event);
    } catch (error) {
      console.error('Daylight: could not count', event, error);
    }
  };
}

// Long: a factory; the per-tab queues it closes over are shared by the short functions inside.
export function createNavigation(
  ctx: BackgroundContext,
  { loader, snoozes, count }: { loader: PolicyLoader; snoozes: Snoozes; count: Counter },
) {
  const { browser, now, state, nudgePageUrl } = ctx;

  /** A tab's state, removed rather than stored when there is nothing to remember. */
  async function saveTab(tabId: number | string, next: TabState): Promise<void> {
    const item = state.tab(tabId);
    await (next.tool === null && next.redirect === null ? item.remove() : item.set(next));
  }

  /** Tabs let through once (snoozeMinutes 0) keep that until they load a page of another tool. */
  async function setContinuedTab(tabKey: string, tool: string | null): Promise<void> {
    const rest = Object.fromEntries(Object.entries(await state.continuedTabs.get()).filter(([key]) => key !== tabKey));
    await state.continuedTabs.set(tool === null ? rest : { ...rest, [tabKey]: tool });
  }

  async function handle(details: NavigationDetails, kind: 'committed' | 'history'): Promise<void> {
    const { result } = await loader.policy();
    const tabKey = String(details.tabId);
    const asked = originalUrl(nudgePageUrl, details.url);
    if (asked !== null) {
      if (kind === 'committed') await nudgePageCommitted(details, asked, result.index);
      return;
    }
    const decision = tryDecide(result.index, details.url);
    if (decision === null) return;
    if (kind === 'committed') await snoozes.endPass(tabKey);
    const continued = await state.continuedTabs.get();
    if (kind === 'committed' && continued[tabKey] !== undefined && continued[tabKey] !== decision.tool) {
      await setContinuedTab(tabKey, null);
    }
    const tab = await state.tab(tabKey).get();
    const tool = decision.tool;
    await saveTab(tabKey, { tool, redirect: kind === 'committed' ? null : tab.redirect });
    // "redirected": the person reached the approved tool the redirect page offered (countdown, Go now or a link).
    if (kind === 'committed' && tab.redirect !== null && tab.redirect.to === tool) {
      await count(tab.redirect.from, 'redirected');
    }
    if (tool === null) return;
    // A page load counts; a same-document navigation only when it enters the tool.
    const visit = () => (kind === 'committed' || tab.tool !== tool ? count(tool, 'visit') : Promise.resolve());
    if (!isNudge(decision)) return visit();
    // A snooze lets a tool through only while it warns: a tool the policy now blocks is nudged regardless.
    const active = (await snoozes.all())[tool];
    if (decision.action === 'warn' && active !== undefined && active.until > now()) {
      if (active.once) {
        // "Ask every time": this page was let through once; its own pushState/replaceState stays with it.
        await setContinuedTab(tabKey, tool);
        await snoozes.end(tool);
      }
      return visit();
    }
    if (decision.action === 'warn' && kind === 'history' && continued[tabKey] === tool) return visit();
    await browser.tabs.update(details.tabId, { url: nudgeUrl(nudgePageUrl, details.url) });
  }

  /**
   * The nudge page appeared in a tab, from a DNR redirect or from the second line: the nudge is
   * counted here, once. A reload of it, or going back or forward to it, shows the same nudge again.
   */
  async function nudgePageCommitted(details: NavigationDetails, asked: string, index: PolicyIndex): Promise<void> {
    const again =
      details.transitionType === 'reload' || details.transitionQualifiers?.includes('forward_back') === true;
    const decision = tryDecide(index, asked);
    const event = decision === null ? null : nudgeShownEvent(decision);
    const tool = decision?.tool ?? null;
    if (!again && event !== null && tool !== null) await count(tool, event);
    const target = decision?.action === 'redirect' ? decidePage(index, decision.redirectTo ?? '') : null;
    const to = target?.decision.tool ?? null;
    await saveTab(details.tabId, { tool: null, redirect: tool !== null && to !== null ? { from: tool, to } : null });
  }

  /** Navigation events of each tab, one after another: a commit and the page's own replaceState arrive together. */
  const tabQueues = new Map<number, Promise<void>>();

  /** Every top-level navigation, committed or same-document ("history"). */
  function onNavigation(details: NavigationDetails, kind: 'committed' | 'history'): Promise<void> {
    if (details.frameId !== 0) return Promise.resolve();
    const handled = (tabQueues.get(details.tabId) ?? Promise.resolve()).then(() => handle(details, kind));
    const settled = handled.catch(() => undefined);
    tabQueues.set(details.tabId, settled);
    void settled.then(() => {
      if (tabQueues.get(details.tabId) === settled) tabQueues.delete(details.tabId);
    });
    return handled;
  }

  /** A closed tab's state goes with it. */
  async function onTabRemoved(tabId: number): Promise<void> {
    const tabKey = String(tabId);
    await state.tab(tabKey).remove();
    await setContinuedTab(tabKey, null);
    await snoozes.endPass(tabKey);
  }

  return { onNavigation, onTabRemoved };
}
