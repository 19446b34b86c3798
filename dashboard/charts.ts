/**
 * Chart.js, with only the bar chart registered (tree-shaken: ~60 kB of the
 * library instead of ~200 kB). Its colours come from the stylesheet's custom
 * properties, so light and dark follow the system like the rest of the page;
 * "not approved" is striped as well as coloured, so no chart relies on colour
 * alone. Chart.js sets styles through the CSSOM only (canvas.style.*), which
 * the page's CSP (no 'unsafe-inline') allows.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import { formatCount, LOCALE } from './strings';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export type Fill = string | CanvasPattern;

export interface ChartTheme {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly approved: Fill;
  readonly shadow: Fill;
  readonly warned: Fill;
  readonly proceeded: Fill;
  readonly redirected: Fill;
  readonly blocked: Fill;
  readonly font: string;
}

/** A fill of `color` crossed by diagonal stripes of `gap`: tells "not approved" apart without colour. */
function stripes(color: string, gap: string): Fill {
  const size = 8;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d');
  if (context === null) return color;
  context.fillStyle = color;
  context.fillRect(0, 0, size, size);
  context.strokeStyle = gap;
  context.lineWidth = 2;
  context.beginPath();
  // Three segments so the stripes continue across tile edges.
  for (const offset of [-size, 0, size]) {
    context.moveTo(offset, size);
    context.lineTo(offset + size, 0);
  }
  context.stroke();
  return context.createPattern(canvas, 'repeat') ?? color;
}

/** The chart colours as the stylesheet has them now (dashboard.css, light or dark). */
export function readTheme(root: Element = document.documentElement): ChartTheme {
  const style = getComputedStyle(root);
  const value = (name: string) => style.getPropertyValue(name).trim();
  const card = value('--card');
  return {
    text: value('--fg'),
    muted: value('--muted'),
    grid: value('--grid'),
    approved: value('--approved'),
    shadow: stripes(value('--shadow'), card),
    warned: value('--warned'),
    proceeded: stripes(value('--shadow'), card),
    redirected: value('--approved'),
    blocked: value('--blocked'),
    font: style.fontFamily,
  };
}

/** Writes each bar's value at its end, so the numbers are read without hovering. Horizontal bars only. */
const valueLabels: Plugin<'bar'> = {
  id: 'daylightValueLabels',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    const color = chart.options.color;
    ctx.fillStyle = typeof color === 'string' ? color : '#000';
    ctx.font = `600 12px ${chart.options.font?.family ?? 'sans-serif'}`;
    ctx.textBaseline = 'middle';
    chart.data.datasets.forEach((dataset, index) => {
      chart.getDatasetMeta(index).data.forEach((bar, i) => {
        const value = dataset.data[i];
        if (typeof value !== 'number') return;
        const { x, y } = bar.getProps(['x', 'y'], true) as { x: number; y: number };
        ctx.fillText(formatCount(value), x + 6, y);
      });
    });
    ctx.restore();
  },
};

const base = (theme: ChartTheme) => ({
  responsive: true,
  maintainAspectRatio: false,
  // No motion: the numbers are there at once, for people who asked for less motion and for the tests.
  animation: false as const,
  locale: LOCALE,
  color: theme.text,
  font: { family: theme.font },
});

export interface Series {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly fill: Fill;
}

/** Bars per day, one stacked segment per series. */
export function stackedDaysConfig(
  labels: readonly string[],
  series: readonly Series[],
  theme: ChartTheme,
): ChartConfiguration<'bar', (number | null)[], string> {
  return {
    type: 'bar',
    data: {
      labels: [...labels],
      datasets: series.map((s) => ({
        label: s.label,
        data: [...s.values],
        backgroundColor: s.fill,
        borderColor: theme.text,
        borderWidth: 0,
        stack: 'visits',
      })),
    },
    options: {
      ...base(theme),
      plugins: { legend: { display: false } },
      scales: {
        x: {
          stacked: true,
          ticks: { color: theme.muted, maxRotation: 0, autoSkipPadding: 12 },
          grid: { display: false },
        },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { color: theme.muted, precision: 0 },
          grid: { color: theme.grid },
          border: { display: false },
        },
      },
    },
  };
}

/** Horizontal bars, one per label, each with its own fill, the value written at its end. */
export function horizontalBarsConfig(
  labels: readonly string[],
  values: readonly number[],
  fills: readonly Fill[],
  theme: ChartTheme,
): ChartConfiguration<'bar', number[], string> {
  const max = Math.max(1, ...values);
  return {
    type: 'bar',
    data: {
      labels: [...labels],
      datasets: [{ label: '', data: [...values], backgroundColor: [...fills], barPercentage: 0.8 }],
    },
    options: {
      ...base(theme),
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: {
        // Room at the end of the longest bar for its number.
        x: { display: false, beginAtZero: true, suggestedMax: max * 1.25 },
        y: { ticks: { color: theme.text, font: { size: 13 } }, grid: { display: false }, border: { display: false } },
      },
    },
    plugins: [valueLabels],
  };
}

export { Chart };
