/** The decision about a web page, for the navigation handler and the popup alike. */
import type { Decision, PolicyIndex } from '../../lib/policy/compile';
import { tryDecide } from '../../lib/policy/decide';

/** The decision about a web page, or null for any other URL (a new tab, the browser's own pages). */
export function decidePage(index: PolicyIndex, url: string): { decision: Decision; host: string } | null {
  if (!/^https?:/i.test(url)) return null;
  const decision = tryDecide(index, url);
  return decision === null ? null : { decision, host: new URL(url).hostname };
}
