/**
 * Messages between extension pages and the background, typed and validated:
 * the background parses every message at the trust boundary (ARCHITECTURE.md
 * "Trust boundaries"), and trusts the sender, not the message, for who
 * is asking.
 */
import * as z from 'zod/mini';
import type { Decision, TrainingLink } from '../policy/compile';
import type { PolicySourceName, UpdateProblem } from '../policy/source';
import type { UsageCount } from './usage';
import type { UploadOutcome, UploadPreview } from './report';

export const NudgeRequestSchema = z.discriminatedUnion('type', [
  /** The nudge page asks what to show for the URL it was sent from. */
  z.object({ type: z.literal('nudge:get'), url: z.string().check(z.maxLength(65536)) }),
  /**
   * DNR sent an allowed page here (it sees /x/..%2fpath undecoded, so a broader nudge won over a
   * sanctioned path): let this tab through to it once.
   */
  z.object({ type: z.literal('nudge:pass'), url: z.string().check(z.maxLength(65536)) }),
  /** "Continue to <tool>" on a warning: snooze the tool, then the page goes to the URL. */
  z.object({
    type: z.literal('nudge:continue'),
    url: z.string().check(z.maxLength(65536)),
    reason: z.optional(z.string().check(z.maxLength(1000))),
  }),
]);
export type NudgeRequest = z.infer<typeof NudgeRequestSchema>;

/**
 * From the framed page (framed.html): a nudged tool inside another site's frame. The URL is the one its
 * address carries; the background trusts the sender's tab and frame, not the message, for where it is.
 */
export const FrameRequestSchema = z.discriminatedUnion('type', [
  /** What to show for the URL. */
  z.object({ type: z.literal('frame:get'), url: z.string().check(z.maxLength(65536)) }),
  /** The policy allows the URL after all (DNR saw it undecoded): let this frame through to it once. */
  z.object({ type: z.literal('frame:pass'), url: z.string().check(z.maxLength(65536)) }),
  /** "Open in a new tab": the whole nudge for the URL, in a tab next to this one. */
  z.object({ type: z.literal('frame:open'), url: z.string().check(z.maxLength(65536)) }),
]);
export type FrameRequest = z.infer<typeof FrameRequestSchema>;

/** What fits in a frame: what the policy does with the tool, and who set it. */
export interface FrameView {
  readonly action: Decision['action'];
  readonly toolName: string | null;
  readonly organizationName: string | null;
  /** As NudgeView's: the warning was continued past, and the frame goes on. */
  readonly snoozed: boolean;
}

export type FrameResponse =
  | { readonly ok: true; readonly view: FrameView }
  | { readonly ok: true; readonly passed: true }
  | { readonly ok: true; readonly opened: true }
  | { readonly ok: false; readonly error: string };

/** What the nudge page needs to explain a decision. */
export interface NudgeView {
  readonly decision: Decision;
  readonly organizationName: string | null;
  readonly supportUrl: string | null;
  /** requestAccessUrl with {tool} and {host} filled in, or null. */
  readonly requestAccessUrl: string | null;
  readonly requireReason: boolean;
  readonly snoozeMinutes: number;
  /**
   * The person continued past this warning and the snooze still holds: a spelling of the tool's address that
   * the browser's rules could not read (`/%63hat`) reached the nudge page anyway, which lets it through.
   */
  readonly snoozed: boolean;
}

/**
 * From the banner content script. It says nothing about where it runs: the
 * background takes the URL from `sender.tab`, which a page cannot forge.
 */
export const BannerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('banner:get') }),
  z.object({ type: z.literal('banner:dismiss') }),
]);
export type BannerRequest = z.infer<typeof BannerRequestSchema>;

/** What the banner shows on a tool the person continued to after a warning. */
export type BannerResponse =
  | { readonly show: false }
  | {
      readonly show: true;
      readonly toolName: string;
      readonly organizationName: string | null;
      readonly alternative: { readonly name: string; readonly url: string } | null;
    };

export type NudgeResponse =
  | { readonly ok: true; readonly view: NudgeView }
  | { readonly ok: true; readonly continued: true }
  | { readonly ok: true; readonly passed: true }
  | { readonly ok: false; readonly error: string };

/** From the popup and the options page, which the background recognises by their extension URL. */
export const SurfaceRequestSchema = z.discriminatedUnion('type', [
  /** The popup asks about the page in the active tab (null: a tab with no web page, such as a new tab). */
  z.object({ type: z.literal('popup:get'), url: z.nullable(z.string().check(z.maxLength(65536))) }),
  z.object({ type: z.literal('options:get') }),
  /** "Send now" (docs/spec/report-protocol.md): every waiting count goes to the collector at once. */
  z.object({ type: z.literal('options:send-now') }),
]);
export type SurfaceRequest = z.infer<typeof SurfaceRequestSchema>;

export interface ApprovedTool {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly description: string | null;
}

/** The policy in force and whether its latest update failed; the popup shows a notice then. */
export interface PolicySummary {
  readonly source: PolicySourceName;
  readonly revision: string;
  readonly organizationName: string | null;
  readonly supportUrl: string | null;
  /** Every problem with the latest update, verbatim; the last good policy stays in force meanwhile. */
  readonly errors: readonly string[];
  /** What kind of problem stopped the latest update from policyUrl, or null (none, or not fetched). */
  readonly updateProblem: UpdateProblem | null;
}

export interface PopupView {
  /** The decision for the active tab's page; null when it is not a web page. */
  readonly decision: Decision | null;
  readonly host: string | null;
  /** requestAccessUrl filled in for this tool, or null. */
  readonly requestAccessUrl: string | null;
  /** When the person continued past this tool's warning: when Daylight asks again (ms since the epoch). */
  readonly snoozedUntil: number | null;
  readonly approved: readonly ApprovedTool[];
  readonly training: readonly TrainingLink[];
  readonly policy: PolicySummary;
}

export interface OptionsView {
  readonly policy: PolicySummary;
  /** When the policy in force was last loaded or checked (ms since the epoch), or null. */
  readonly checkedAt: number | null;
  /** The policy URL from managed configuration, and its last fetch; null when the policy is not fetched. */
  readonly fetch: {
    readonly url: string;
    readonly answeredAt: number | null;
    readonly nextAttemptAt: number | null;
    readonly error: string | null;
  } | null;
  readonly signed: boolean;
  /** Where counts go, or null when they stay on this device (no reporting URL, or disableReporting). */
  readonly reportingHost: string | null;
  readonly reportingIntervalMinutes: number | null;
  readonly group: string | null;
  readonly counts: readonly (UsageCount & { readonly toolName: string })[];
  /** The next upload, exactly; null when reporting is off. */
  readonly upload: UploadPreview | null;
}

export type SurfaceResponse =
  | { readonly ok: true; readonly popup: PopupView }
  | { readonly ok: true; readonly options: OptionsView }
  | { readonly ok: true; readonly sent: UploadOutcome }
  | { readonly ok: false; readonly error: string };
