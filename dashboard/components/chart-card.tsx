/**
 * A card with one chart: its heading, a text summary that says what the chart shows, the chart, and
 * its numbers as a table. The table is always in the page for screen readers (visually hidden) and
 * "Show as table" puts it in place of the chart for everyone, so the chart is never the only way to
 * the numbers.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { text } from '../strings';

export interface ChartCardProps {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** A key under the summary (swatches), or nothing. */
  readonly legend?: ComponentChildren;
  /** The chart, or null when there is nothing to draw (the table and summary still say so). */
  readonly chart: ComponentChildren | null;
  readonly table: ComponentChildren;
  readonly className?: string;
}

export function ChartCard({ id, title, summary, legend, chart, table, className }: ChartCardProps) {
  const [asTable, setAsTable] = useState(false);
  const tableShown = asTable || chart === null;
  return (
    <section class={`card chart-card ${className ?? ''}`} aria-labelledby={`${id}-heading`} data-testid={id}>
      <div class="card-head">
        <h2 id={`${id}-heading`}>{title}</h2>
        {chart !== null && (
          <button type="button" class="toggle" aria-controls={`${id}-table`} onClick={() => setAsTable(!asTable)}>
            {asTable ? text.showChart : text.showTable}
          </button>
        )}
      </div>
      <p class="summary">{summary}</p>
      {!tableShown && legend}
      {!tableShown && chart}
      <div
        id={`${id}-table`}
        class={tableShown ? 'table-wrap' : 'visually-hidden'}
        // A scrolling table must be reachable by keyboard (WCAG 2.1.1).
        {...(tableShown && { tabIndex: 0, role: 'region', 'aria-label': `${title}: table` })}
      >
        {table}
      </div>
    </section>
  );
}

export interface SwatchItem {
  readonly label: string;
  /** A class of dashboard.css: swatch-approved, swatch-shadow, ... */
  readonly swatch: string;
}

/** The key to a chart's fills; the fills differ in pattern as well as colour. */
export function Legend({ items }: { readonly items: readonly SwatchItem[] }) {
  return (
    <ul class="legend">
      {items.map((item) => (
        <li key={item.swatch}>
          <span class={`swatch ${item.swatch}`} aria-hidden="true" />
          {item.label}
        </li>
      ))}
    </ul>
  );
}
