/** A count in a table cell: the number, or "hidden" (strings.ts HIDDEN), never 0, when the collector hid it. */
import { formatHidden } from '../strings';

/** A numeric table cell; hidden cells are marked for styling and tests. */
export function CountCell({ value }: { readonly value: number | null }) {
  return <td class={value === null ? 'num suppressed' : 'num'}>{formatHidden(value)}</td>;
}
