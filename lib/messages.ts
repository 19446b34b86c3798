/**
 * Messages between extension pages and the background, typed and validated:
 * the background parses every message at the trust boundary (style.md
 * "Types and validation"), and trusts the sender, not the message, for who
 * is asking.
 */
import * as z from 'zod/mini';
import type { Decision } from './policy/compile';

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

/** What the nudge page needs to explain a decision. */
export interface NudgeView {
  readonly decision: Decision;
  readonly organizationName: string | null;
  readonly supportUrl: string | null;
  /** requestAccessUrl with {tool} and {host} filled in, or null. */
  readonly requestAccessUrl: string | null;
  readonly requireReason: boolean;
  readonly snoozeMinutes: number;
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
