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

export type NudgeResponse =
  | { readonly ok: true; readonly view: NudgeView }
  | { readonly ok: true; readonly continued: true }
  | { readonly ok: false; readonly error: string };
