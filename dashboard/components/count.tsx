/** A count in a table cell: the number, or "not shown" (strings.ts HIDDEN) when the collector released none, never 0. */
import { formatHidden } from '../strings';

/** A numeric table cell; hidden cells are marked for styling and tests. */
export function CountCell({ value }: { readonly value: number | null }) {
  return <td class={value === null ? 'num suppressed' : 'num'}>{formatHidden(value)}</td>;
}
