/** The most visited tools, approved ones marked with ✓ and a solid fill, the others striped. */
import type { TopTool } from '../../lib/protocol/dashboard-api';
import { horizontalBarsConfig, type ChartTheme } from '../charts';
import { formatCount, text } from '../strings';
import { BarChart } from './bar-chart';
import { ChartCard, Legend } from './chart-card';

/** How many bars fit the card at laptop height; the table has them all. */
const CHART_TOOLS = 6;

export interface ToolsCardProps {
  readonly tools: readonly TopTool[];
  readonly k: number;
  /** No day of the period has a count to show: an empty list then says nothing, not "unused". */
  readonly hidden: boolean;
}

// Long: one chart card's markup: the chart, its summary and its table.
export function ToolsCard({ tools, k, hidden }: ToolsCardProps) {
  const drawn = tools.slice(0, CHART_TOOLS);
  const summary =
    tools.length === 0 && hidden
      ? text.allHidden(k)
      : text.toolsSummary(
          tools.slice(0, 3).map((tool) => ({ name: tool.name, sanctioned: tool.sanctioned, visits: tool.visits })),
        );
  const build = (theme: ChartTheme) =>
    horizontalBarsConfig(
      drawn.map((tool) => text.toolLabel(tool.name, tool.sanctioned)),
      drawn.map((tool) => tool.visits),
      drawn.map((tool) => (tool.sanctioned ? theme.approved : theme.shadow)),
      theme,
    );
  return (
    <ChartCard
      id="tools"
      title={text.toolsHeading}
      summary={summary}
      legend={
        <Legend
          items={[
            { label: text.approvedLegend, swatch: 'swatch-approved' },
            { label: text.shadowLegend, swatch: 'swatch-shadow' },
          ]}
        />
      }
      chart={
        drawn.length > 0 ? (
          <BarChart
            build={build}
            dataKey={JSON.stringify(drawn)}
            label={text.chartImage(text.toolsHeading)}
            testId="tools-chart"
          />
        ) : null
      }
      table={
        <table>
          <caption>{text.toolsHeading}</caption>
          <thead>
            <tr>
              <th scope="col">{text.tool}</th>
              <th scope="col">{text.status}</th>
              <th scope="col">{text.visits}</th>
            </tr>
          </thead>
          <tbody>
            {tools.map((tool) => (
              <tr key={`${tool.tool} ${tool.sanctioned}`}>
                <th scope="row">{tool.name}</th>
                <td>{tool.sanctioned ? text.yes : text.no}</td>
                <td class="num">{formatCount(tool.visits)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
