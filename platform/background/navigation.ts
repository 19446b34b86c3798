/**
 * What happens when a page opens: every top-level navigation is decided, counted
 * (docs/spec/report-protocol.md "What is counted"), and sent to the nudge page when DNR did not
 * redirect it already (ARCHITECTURE.md "Nudge before the request leaves", the second line: a
 * pushState into a path-scoped tool, a path pattern past the regex budget). Frames' navigations go to
 * frames.ts, in the same per-tab order.
 */
import type { PolicyIndex } from '../../lib/policy/compile';
import { tryDecide } from '../../lib/policy/decide';
import { isNudge } from '../../lib/policy/dnr-rules';
import { nudgeUrl, originalUrl } from '../../lib/protocol/nudge-url';
import { localDay, nudgeShownEvent, type UsageEvent } from '../../lib/protocol/usage';
import type { BackgroundContext, NavigationDetails } from './context';
import { createFrames } from './frames';
import type { PolicyLoader } from './policy-loader';
import { decidePage } from './pages';
import type { Snoozes } from './snoozes';
import type { TabState } from './state';

/** `sanctioned`: the policy in force sanctions the tool (a visit to it is a visit to an approved tool). */
export type Counter = (tool: string, event: UsageEvent, sanctioned?: boolean) => Promise<void>;

/** Adds one to today's counter. A failed write is logged, never thrown: it must not stop a nudge. */
export function createCounter({ usage, now }: BackgroundContext): Counter {
  return async (tool, event, sanctioned = false) => {
    try {
      await usage.add(localDay(new Date(now())), tool, event, sanctioned);
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
    const empty = next.tool === null && next.redirect === null && next.nudging === null && next.nudged.length === 0;
    await (empty ? item.remove() : item.set(next));
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
    // The tab's next page ends its pass and its frames' passes (the frames went with the page).
    if (kind === 'committed') await snoozes.endPassesOfTab(tabKey);
    const continued = await state.continuedTabs.get();
    if (kind === 'committed' && continued[tabKey] !== undefined && continued[tabKey] !== decision.tool) {
      await setContinuedTab(tabKey, null);
    }
    const tab = await state.tab(tabKey).get();
    const tool = decision.tool;
    const next: TabState = {
      ...tab,
      tool,
      redirect: kind === 'committed' ? null : tab.redirect,
      nudging: kind === 'committed' ? null : tab.nudging,
    };
    await saveTab(tabKey, next);
    // "redirected": the person reached the approved tool the redirect page offered (countdown, Go now or a link).
    if (kind === 'committed' && tab.redirect !== null && tab.redirect.to === tool) {
      await count(tab.redirect.from, 'redirected');
    }
    if (tool === null) return;
    // A page load counts; a same-document navigation only when it enters the tool.
    const visit = () =>
      kind === 'committed' || tab.tool !== tool ? count(tool, 'visit', decision.sanctioned) : Promise.resolve();
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
    await saveTab(tabKey, { ...next, nudging: tool });
    await browser.tabs.update(details.tabId, { url: nudgeUrl(nudgePageUrl, details.url) });
  }

  /**
   * A top-level navigation is about to start. When its address is one the policy nudges, DNR will
   * redirect it to the nudge page: the tab remembers that the extension is sending it there. The
   * nudge page's own address (a reload of it, or a page sending the tab there) changes nothing.
   */
  async function beforeNavigate(details: NavigationDetails): Promise<void> {
    if (originalUrl(nudgePageUrl, details.url) !== null) return;
    const { result } = await loader.policy();
    const decision = tryDecide(result.index, details.url);
    const tool = decision !== null && isNudge(decision) ? decision.tool : null;
    const tab = await state.tab(details.tabId).get();
    if (tab.nudging !== tool) await saveTab(details.tabId, { ...tab, nudging: tool });
  }

  /**
   * The nudge page appeared in a tab. It is counted here, once, when the extension sent the tab there
   * (a DNR redirect or the second line): a reload of it, going back or forward to it, or a page that
   * navigated the tab to it itself counts nothing.
   */
  async function nudgePageCommitted(details: NavigationDetails, asked: string, index: PolicyIndex): Promise<void> {
    const again =
      details.transitionType === 'reload' || details.transitionQualifiers?.includes('forward_back') === true;
    const decision = tryDecide(index, asked);
    // A spelling of a continued tool's address that the browser's rules could not read: no new nudge.
    const event = decision === null || (await snoozes.holdsFor(decision)) ? null : nudgeShownEvent(decision);
    const tool = decision?.tool ?? null;
    const tab = await state.tab(details.tabId).get();
    const madeByExtension = !again && tool !== null && tab.nudging === tool;
    if (madeByExtension && event !== null) await count(tool, event);
    // A reload of a nudge the extension showed in this tab is still the extension's.
    const shown = madeByExtension || (again && tool !== null && tab.nudged.includes(tool));
    const target = decision?.action === 'redirect' ? decidePage(index, decision.redirectTo ?? '') : null;
    const to = target?.decision.tool ?? null;
    await saveTab(details.tabId, {
      tool: null,
      redirect: shown && tool !== null && to !== null ? { from: tool, to } : null,
      nudging: null,
      nudged: madeByExtension && !tab.nudged.includes(tool) ? [...tab.nudged, tool] : tab.nudged,
    });
  }

  /**
   * What happens to each tab, one after another: a commit and the page's own replaceState arrive together.
   * Its frames have a queue of their own (their state is another item), so a page that floods frame
   * navigations cannot hold up the tab's own second line.
   */
  const inTabQueue = keyedQueue();
  const inFrameQueue = keyedQueue();

  /**
   * "Open in a new tab" on a framed nudge: the whole nudge page in a tab, where Continue is accepted for
   * `tool` as in a tab the extension nudged itself. Counted already, when the frame showed it.
   */
  async function openNudgeTab(url: string, tool: string, openerTabId: number): Promise<void> {
    const { id } = await browser.tabs.create({ url: nudgeUrl(nudgePageUrl, url), openerTabId });
    if (id === undefined) return;
    await inTabQueue(id, async () => {
      const tab = await state.tab(id).get();
      if (!tab.nudged.includes(tool)) await saveTab(id, { ...tab, nudged: [...tab.nudged, tool] });
    });
  }

  const frames = createFrames(ctx, { loader, snoozes, count, openNudgeTab });

  /** Every navigation of a tab or a frame: about to start ("before"), committed, or same-document ("history"). */
  function onNavigation(details: NavigationDetails, kind: 'before' | 'committed' | 'history'): Promise<void> {
    const { tabId } = details;
    if (details.frameId !== 0) return inFrameQueue(tabId, () => frames.onFrameNavigation(details, kind));
    // A new page: its frames start afresh, before any of their own events (which arrive after this one).
    if (kind === 'committed') void inFrameQueue(tabId, () => state.frames(tabId).remove()).catch(() => undefined);
    return inTabQueue(tabId, () => (kind === 'before' ? beforeNavigate(details) : handle(details, kind)));
  }

  /** A closed tab's state goes with it, after whatever of its events is still being handled. */
  function onTabRemoved(tabId: number): Promise<void> {
    const tabKey = String(tabId);
    return Promise.all([
      inTabQueue(tabId, async () => {
        await state.tab(tabKey).remove();
        await setContinuedTab(tabKey, null);
        await snoozes.endPassesOfTab(tabKey);
      }),
      inFrameQueue(tabId, () => state.frames(tabId).remove()),
    ]).then(() => undefined);
  }

  return { onNavigation, onTabRemoved, onFrameMessage: frames.onFrameMessage };
}

/** Steps run one after another per key (a tab id); the map forgets a key once its steps are done. */
function keyedQueue(): (key: number, step: () => Promise<void>) => Promise<void> {
  const queues = new Map<number, Promise<void>>();
  return (key, step) => {
    const handled = (queues.get(key) ?? Promise.resolve()).then(step);
    const settled = handled.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return handled;
  };
}
