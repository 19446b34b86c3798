/**
 * AI tools inside another site's frames (`<iframe src="https://tool/">`, or a "wrapper" site): the
 * policy applies there too (ARCHITECTURE.md "Frames"). DNR sends a framed nudge to framed.html, which
 * fits a frame and offers the whole nudge in a tab; the nudge page itself never renders in a frame,
 * where a page could dress up its Continue as its own button. Here: the webNavigation second line for
 * frames, counting framed visits and nudges as top-level ones are counted, and the framed page's messages.
 */
import { tryDecide } from '../../lib/policy/decide';
import { isNudge } from '../../lib/policy/dnr-rules';
import type { FrameRequest, FrameResponse } from '../../lib/protocol/messages';
import { nudgeUrl, originalUrl } from '../../lib/protocol/nudge-url';
import { nudgeShownEvent, type UsageEvent } from '../../lib/protocol/usage';
import type { BackgroundContext, MessageSender, NavigationDetails } from './context';
import { eventually } from './eventually';
import type { Counter } from './navigation';
import type { PolicyLoader } from './policy-loader';
import type { Snoozes } from './snoozes';
import type { FrameState } from './state';

const NO_FRAME: FrameState = { tool: null, nudging: null, nudged: null };

export interface FrameDeps {
  readonly loader: PolicyLoader;
  readonly snoozes: Snoozes;
  readonly count: Counter;
  /** Opens the nudge page about `url` in a new tab next to `openerTabId`, as shown for `tool`. */
  readonly openNudgeTab: (url: string, tool: string, openerTabId: number) => Promise<void>;
}

// Long: a factory; the frame state helpers it closes over are shared by the short functions inside.
export function createFrames(ctx: BackgroundContext, { loader, snoozes, count, openNudgeTab }: FrameDeps) {
  const { browser, state, framedPageUrl } = ctx;

  /** A frame's state, dropped from its tab's item when there is nothing to remember. */
  async function saveFrame(tabId: number, frameId: number, next: FrameState): Promise<void> {
    const item = state.frames(tabId);
    const frames = await item.get();
    const key = String(frameId);
    const empty = next.tool === null && next.nudging === null && next.nudged === null;
    if (empty && frames.byFrame[key] === undefined) return;
    const rest = Object.fromEntries(Object.entries(frames.byFrame).filter(([k]) => k !== key));
    const byFrame = empty ? rest : { ...rest, [key]: next };
    const all = { ...frames, byFrame };
    await (Object.keys(byFrame).length === 0 && all.counted.length === 0 ? item.remove() : item.set(all));
  }

  const frameOf = async (tabId: number, frameId: number): Promise<FrameState> =>
    (await state.frames(tabId).get()).byFrame[String(frameId)] ?? NO_FRAME;

  /** Counts `event` for `tool` once per page of the tab, however many of its frames show the tool. */
  async function countOnce(tabId: number, tool: string, event: UsageEvent, sanctioned = false): Promise<void> {
    const item = state.frames(tabId);
    const frames = await item.get();
    const key = `${tool} ${event}`;
    if (frames.counted.includes(key)) return;
    await item.set({ ...frames, counted: [...frames.counted, key] });
    await count(tool, event, sanctioned);
  }

  /** A frame is about to load `url`: when the policy nudges it, DNR is sending the frame to the framed page. */
  async function beforeNavigate({ tabId, frameId, url }: NavigationDetails): Promise<void> {
    if (originalUrl(framedPageUrl, url) !== null) return;
    const { result } = await loader.policy();
    const decision = tryDecide(result.index, url);
    const nudging = decision !== null && isNudge(decision) ? decision.tool : null;
    const frame = await frameOf(tabId, frameId);
    if (frame.nudging !== nudging) await saveFrame(tabId, frameId, { ...frame, nudging });
  }

  /** The framed page appeared: counted once, when the extension sent the frame there. */
  async function framedPageCommitted(details: NavigationDetails, asked: string): Promise<void> {
    const { result } = await loader.policy();
    const again =
      details.transitionType === 'reload' || details.transitionQualifiers?.includes('forward_back') === true;
    const decision = tryDecide(result.index, asked);
    const tool = decision?.tool ?? null;
    const frame = await frameOf(details.tabId, details.frameId);
    const madeByExtension = !again && tool !== null && frame.nudging === tool;
    // A spelling of a continued tool's address that the browser's rules could not read: no new nudge.
    const event = decision === null || (await snoozes.holdsFor(decision)) ? null : nudgeShownEvent(decision);
    if (madeByExtension && event !== null && tool !== null) await countOnce(details.tabId, tool, event);
    const shown = madeByExtension || (again && tool !== null && frame.nudged === tool);
    await saveFrame(details.tabId, details.frameId, { tool: null, nudging: null, nudged: shown ? tool : null });
  }

  /** A frame's page committed or changed its address: counted, and nudged when DNR did not already. */
  async function navigated(details: NavigationDetails, kind: 'committed' | 'history'): Promise<void> {
    const { tabId, frameId, url } = details;
    const asked = originalUrl(framedPageUrl, url);
    if (asked !== null) {
      if (kind === 'committed') await framedPageCommitted(details, asked);
      return;
    }
    const { result } = await loader.policy();
    const decision = tryDecide(result.index, url);
    if (decision === null) return;
    if (kind === 'committed') await snoozes.endPass(tabId, frameId);
    const frame = await frameOf(tabId, frameId);
    const tool = decision.tool;
    await saveFrame(tabId, frameId, { tool, nudging: null, nudged: frame.nudged });
    if (tool === null) return;
    const visit = () =>
      kind === 'committed' || frame.tool !== tool
        ? countOnce(tabId, tool, 'visit', decision.sanctioned)
        : Promise.resolve();
    if (!isNudge(decision)) return visit();
    if (await snoozes.holdsFor(decision)) return visit();
    await saveFrame(tabId, frameId, { tool, nudging: tool, nudged: frame.nudged });
    // Frames cannot be sent anywhere by tabs.update: the frame itself goes to the framed page.
    try {
      await browser.scripting.executeScript({
        target: { tabId, frameIds: [frameId] },
        func: (to: string) => location.replace(to),
        args: [nudgeUrl(framedPageUrl, url)],
      });
    } catch (error) {
      // The frame went away meanwhile, or shows an error page: nothing is on its way to the framed page.
      console.warn('Daylight: could not send a frame to its nudge', error);
      await saveFrame(tabId, frameId, { tool, nudging: null, nudged: frame.nudged });
    }
  }

  /** Whether the extension showed its framed nudge for `tool` in the frame; its commit may still be on its way. */
  const shownInFrame = (tabId: number, frameId: number, tool: string): Promise<boolean> =>
    eventually(async () => (await frameOf(tabId, frameId)).nudged === tool);

  /** The framed page's messages; the tab and frame are the browser's word, the URL the page's address. */
  async function onFrameMessage(request: FrameRequest, sender: MessageSender): Promise<FrameResponse> {
    const tabId = sender.tab?.id;
    const frameId = sender.frameId;
    if (tabId === undefined || frameId === undefined) return { ok: false, error: 'not allowed' };
    const { result } = await loader.policy();
    const decision = tryDecide(result.index, request.url);
    if (decision === null) return { ok: false, error: 'not a valid URL' };
    switch (request.type) {
      case 'frame:get':
        return {
          ok: true,
          view: {
            action: decision.action,
            toolName: decision.toolName,
            organizationName: result.policy.organization.name ?? null,
            snoozed: await snoozes.holdsFor(decision),
          },
        };
      case 'frame:pass':
        if ((isNudge(decision) && !(await snoozes.holdsFor(decision))) || frameId === 0)
          return { ok: false, error: 'not allowed' };
        await snoozes.passOnce(tabId, request.url, frameId);
        return { ok: true, passed: true };
      case 'frame:open':
        if (!isNudge(decision) || decision.tool === null || !(await shownInFrame(tabId, frameId, decision.tool)))
          return { ok: false, error: 'not allowed' };
        await openNudgeTab(request.url, decision.tool, tabId);
        return { ok: true, opened: true };
    }
  }

  return {
    onFrameNavigation(details: NavigationDetails, kind: 'before' | 'committed' | 'history'): Promise<void> {
      return kind === 'before' ? beforeNavigate(details) : navigated(details, kind);
    },
    onFrameMessage,
  };
}
