/** A Chart.js bar chart on a canvas, drawn again when its data or the colour scheme changes. */
import type { ChartConfiguration } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Chart, readTheme, type ChartTheme } from '../charts';

export type BarConfig = ChartConfiguration<'bar', (number | null)[], string>;

const DARK = '(prefers-color-scheme: dark)';

/** 'dark' or 'light' as the system has it now; a change re-renders (the canvas colours are not CSS). */
export function useColorScheme(): 'light' | 'dark' {
  const [dark, setDark] = useState(() => matchMedia(DARK).matches);
  useEffect(() => {
    const query = matchMedia(DARK);
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return dark ? 'dark' : 'light';
}

export interface BarChartProps {
  /** The chart for the current colours. */
  readonly build: (theme: ChartTheme) => BarConfig;
  /** What the chart shows: the chart is drawn again when this changes. */
  readonly dataKey: string;
  /** The canvas's accessible name; the numbers themselves are in the card's table. */
  readonly label: string;
  readonly testId: string;
}

export function BarChart({ build, dataKey, label, testId }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const scheme = useColorScheme();
  // The latest build, without making every render draw the chart anew.
  const latest = useRef(build);
  latest.current = build;
  useEffect(() => {
    const element = canvas.current;
    if (element === null) return undefined;
    const chart = new Chart(element, latest.current(readTheme()));
    return () => chart.destroy();
  }, [dataKey, scheme]);
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} data-scheme={scheme} />
    </div>
  );
}
