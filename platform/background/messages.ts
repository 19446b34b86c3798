/**
 * Every message to the background, parsed at the trust boundary (ARCHITECTURE.md "Trust boundaries")
 * and answered by who sent it, as the browser (not the message) says: the banner by its tab, the
 * popup and options page by the extension's origin, the nudge page by its address.
 */
import { tryDecide } from '../../lib/policy/decide';
import { isNudge } from '../../lib/policy/dnr-rules';
import { requestAccessLink } from '../../lib/policy/request-access';
import {
  BannerRequestSchema,
  FrameRequestSchema,
  NudgeRequestSchema,
  SurfaceRequestSchema,
  type BannerRequest,
  type BannerResponse,
  type FrameRequest,
  type FrameResponse,
  type NudgeRequest,
  type NudgeResponse,
  type SurfaceRequest,
  type SurfaceResponse,
} from '../../lib/protocol/messages';
import type { BackgroundContext, MessageSender } from './context';
import { eventually } from './eventually';
import type { Counter } from './navigation';
import type { PolicyLoader } from './policy-loader';
import type { Snoozes } from './snoozes';

export interface MessageDeps {
  readonly loader: PolicyLoader;
  readonly snoozes: Snoozes;
  readonly count: Counter;
  readonly onSurfaceMessage: (request: SurfaceRequest) => Promise<SurfaceResponse>;
  readonly onFrameMessage: (request: FrameRequest, sender: MessageSender) => Promise<FrameResponse>;
}

// Long: a factory; each handler inside it is a short function over the parts it closes over.
export function createMessages(
  { now, nudgePageUrl, framedPageUrl, extensionOrigin, state }: BackgroundContext,
  deps: MessageDeps,
) {
  const { loader, snoozes, count, onSurfaceMessage, onFrameMessage } = deps;

  /**
   * The banner on a tool the person continued to after a warning. The URL is the tab's, from the
   * browser; a page cannot make the banner speak for another site.
   */
  async function onBannerMessage(request: BannerRequest, sender: MessageSender): Promise<BannerResponse> {
    const url = sender.frameId === 0 ? sender.tab?.url : undefined;
    if (url === undefined) return { show: false };
    const { result } = await loader.policy();
    const decision = tryDecide(result.index, url);
    const tool = decision?.tool ?? null;
    if (decision?.action !== 'warn' || tool === null) return { show: false };
    switch (request.type) {
      case 'banner:dismiss':
        await snoozes.dismissBanner(tool);
        return { show: false };
      case 'banner:get': {
        const snoozed = (await snoozes.all())[tool];
        if (snoozed === undefined || snoozed.until <= now() || snoozed.bannerDismissed === true) return { show: false };
        const alternative = decision.alternatives[0];
        return {
          show: true,
          toolName: decision.toolName ?? tool,
          organizationName: result.policy.organization.name ?? null,
          alternative: alternative === undefined ? null : { name: alternative.name, url: alternative.url },
        };
      }
    }
  }

  /** Whether the extension showed its nudge for `tool` in the tab; the page's Continue may come first. */
  const nudgedInTab = (tabId: number, tool: string): Promise<boolean> =>
    eventually(async () => (await state.tab(tabId).get()).nudged.includes(tool));

  /** The nudge page: what to show, the one-time pass when DNR over-nudged, and Continue. */
  async function onNudgeMessage(request: NudgeRequest, sender: MessageSender): Promise<NudgeResponse> {
    const { result } = await loader.policy();
    const decision = tryDecide(result.index, request.url);
    if (decision === null) return { ok: false, error: 'not a valid URL' };
    const { policy: p } = result;
    switch (request.type) {
      case 'nudge:get': {
        const template = p.organization.requestAccessUrl;
        const host = new URL(request.url).hostname;
        return {
          ok: true,
          view: {
            decision,
            organizationName: p.organization.name ?? null,
            supportUrl: p.organization.supportUrl ?? null,
            requestAccessUrl:
              template === undefined || decision.tool === null
                ? null
                : requestAccessLink(template, decision.tool, host),
            requireReason: p.warn.requireReason,
            snoozeMinutes: p.warn.snoozeMinutes,
            snoozed: await snoozes.holdsFor(decision),
          },
        };
      }
      case 'nudge:pass': {
        const tabId = sender.tab?.id;
        const passable = !isNudge(decision) || (await snoozes.holdsFor(decision));
        // From the top of a tab only: in a frame the nudge page renders nothing, and a frame has frame:pass.
        if (!passable || tabId === undefined || sender.frameId !== 0) return { ok: false, error: 'not allowed' };
        await snoozes.passOnce(tabId, request.url);
        return { ok: true, passed: true };
      }
      case 'nudge:continue': {
        // Continue is for warnings only: a blocked or redirected tool cannot be let through by a message.
        if (decision.action !== 'warn' || decision.tool === null) return { ok: false, error: 'nothing to continue to' };
        // And only on a warning the extension showed, in the tab itself: not on a nudge page that a web
        // page opened or framed (docs/spec/report-protocol.md "What is counted").
        const tabId = sender.tab?.id;
        const shownHere = tabId !== undefined && (await nudgedInTab(tabId, decision.tool));
        if (sender.frameId !== 0 || !shownHere) return { ok: false, error: 'not allowed' };
        if (p.warn.requireReason && (request.reason ?? '').trim() === '')
          return { ok: false, error: 'a reason is required' };
        await snoozes.snooze(decision.tool, p.warn.snoozeMinutes, result.index);
        await count(decision.tool, 'proceeded');
        return { ok: true, continued: true };
      }
    }
  }

  return async function onMessage(
    message: unknown,
    sender: MessageSender,
  ): Promise<NudgeResponse | BannerResponse | SurfaceResponse | FrameResponse> {
    const senderUrl = sender.url;
    const banner = BannerRequestSchema.safeParse(message);
    if (banner.success && sender.tab !== undefined) return onBannerMessage(banner.data, sender);
    const surface = SurfaceRequestSchema.safeParse(message);
    // The popup and the options page: pages of this extension. A content script's sender URL is its page's.
    if (surface.success && senderUrl?.startsWith(extensionOrigin) === true) return onSurfaceMessage(surface.data);
    // The framed page, by its address: the tab and frame it is in are the browser's word.
    if (senderUrl?.startsWith(framedPageUrl) === true) {
      const frame = FrameRequestSchema.safeParse(message);
      return frame.success ? onFrameMessage(frame.data, sender) : { ok: false, error: 'malformed message' };
    }
    // Only the extension's own nudge page may ask the rest; content scripts and web pages may not.
    if (senderUrl === undefined || !senderUrl.startsWith(nudgePageUrl)) return { ok: false, error: 'not allowed' };
    const parsed = NudgeRequestSchema.safeParse(message);
    if (!parsed.success) return { ok: false, error: 'malformed message' };
    return onNudgeMessage(parsed.data, sender);
  };
}
