/** Approved versus other AI tools, per day: stacked bars, with the days as a table. */
import type { DailyRow } from '../../lib/protocol/dashboard-api';
import { stackedDaysConfig, type Series } from '../charts';
import { busiestDay, dayVisits, totals } from '../model';
import { formatCount, formatDay, formatPercent, formatRange, formatShortDay, text } from '../strings';
import { BarChart } from './bar-chart';
import { ChartCard, Legend } from './chart-card';
import { CountCell } from './count';

export interface DailyCardProps {
  /** Every day of the period (model.everyDay). */
  readonly days: readonly DailyRow[];
  readonly from: string;
  readonly to: string;
  readonly k: number;
}

// Long: one chart card's markup: the chart, its summary and its table.
export function DailyCard({ days, from, to, k }: DailyCardProps) {
  const all = totals(days);
  const range = formatRange(from, to);
  let summary = text.dailySummary(
    range,
    all.visits,
    all.share === null ? null : formatPercent(all.share),
    busiestDay(days),
  );
  if (all.allHidden) summary = text.allHidden(k);

  const labels = days.map((row) => formatShortDay(row.day));
  const build = (theme: Parameters<typeof stackedDaysConfig>[2]) => {
    const series: Series[] = [
      { label: text.approved, values: days.map((row) => row.sanctioned), fill: theme.approved },
      { label: text.shadow, values: days.map((row) => row.shadow), fill: theme.shadow },
    ];
    return stackedDaysConfig(labels, series, theme);
  };
  const hasData = all.visits > 0;

  return (
    <ChartCard
      id="daily"
      className="wide"
      title={text.dailyHeading}
      summary={summary}
      legend={
        <Legend
          items={[
            { label: text.approved, swatch: 'swatch-approved' },
            { label: text.shadow, swatch: 'swatch-shadow' },
          ]}
        />
      }
      chart={
        hasData ? (
          <BarChart
            build={build}
            dataKey={JSON.stringify(days)}
            label={text.chartImage(text.dailyHeading)}
            testId="daily-chart"
          />
        ) : null
      }
      table={
        <table>
          <caption>{`${text.dailyHeading}, ${range}`}</caption>
          <thead>
            <tr>
              <th scope="col">{text.day}</th>
              <th scope="col">{text.approved}</th>
              <th scope="col">{text.shadow}</th>
              <th scope="col">{text.total}</th>
              <th scope="col">{text.peopleApproved}</th>
              <th scope="col">{text.peopleShadow}</th>
            </tr>
          </thead>
          <tbody>
            {days.map((row) => (
              <tr key={row.day}>
                <th scope="row">{formatDay(row.day)}</th>
                <CountCell value={row.sanctioned} />
                <CountCell value={row.shadow} />
                <CountCell value={dayVisits(row)} />
                <CountCell value={row.sanctionedPeople} />
                <CountCell value={row.shadowPeople} />
              </tr>
            ))}
          </tbody>
          {!all.allHidden && (
            <tfoot>
              <tr>
                <th scope="row">{text.total}</th>
                <td class="num">{formatCount(all.approved)}</td>
                <td class="num">{formatCount(all.shadow)}</td>
                <td class="num">{formatCount(all.visits)}</td>
                <td />
                <td />
              </tr>
            </tfoot>
          )}
        </table>
      }
    />
  );
}
