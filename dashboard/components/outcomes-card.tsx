/** What people did when nudged: warned, and of those who continued; redirected; blocked. */
import type { Outcomes } from '../../lib/protocol/dashboard-api';
import { horizontalBarsConfig, type ChartTheme } from '../charts';
import { text } from '../strings';
import { BarChart } from './bar-chart';
import { ChartCard } from './chart-card';
import { CountCell } from './count';

export interface OutcomesCardProps {
  /** Null when the collector hid them (fewer than k reports). */
  readonly outcomes: Outcomes | null;
  readonly k: number;
}

const ROWS = [
  ['warned', text.outcomeWarned, text.outcomeWarned],
  ['proceeded', text.outcomeProceeded, text.outcomeProceeded],
  ['redirected', text.outcomeRedirected, text.outcomeRedirectedShort],
  ['blocked', text.outcomeBlocked, text.outcomeBlocked],
] as const;

export function OutcomesCard({ outcomes, k }: OutcomesCardProps) {
  const total = outcomes === null ? 0 : outcomes.warned + outcomes.redirected + outcomes.blocked;
  const build = (theme: ChartTheme) =>
    horizontalBarsConfig(
      ROWS.map(([, , short]) => short),
      ROWS.map(([key]) => outcomes?.[key] ?? 0),
      ROWS.map(([key]) => theme[key]),
      theme,
    );
  return (
    <ChartCard
      id="outcomes"
      title={text.outcomesHeading}
      summary={outcomes === null ? text.allHidden(k) : text.outcomesSummary(outcomes)}
      chart={
        outcomes !== null && total > 0 ? (
          <BarChart
            build={build}
            dataKey={JSON.stringify(outcomes)}
            label={text.chartImage(text.outcomesHeading)}
            testId="outcomes-chart"
          />
        ) : null
      }
      table={
        <table>
          <caption>{text.outcomesHeading}</caption>
          <thead>
            <tr>
              <th scope="col">{text.outcome}</th>
              <th scope="col">{text.count}</th>
            </tr>
          </thead>
          <tbody>
            {ROWS.map(([key, label]) => (
              <tr key={key}>
                <th scope="row">{label}</th>
                <CountCell value={outcomes?.[key] ?? null} />
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
