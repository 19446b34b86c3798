/**
 * The four numbers an admin looks for first: how much AI use is on approved tools, how much is not,
 * and how people respond to nudges, each with its change from the period before when known.
 */
import type { Outcomes } from '../../lib/protocol/dashboard-api';
import { continuedRate, type Totals, type Trend } from '../model';
import { formatCount, formatPercent, text } from '../strings';

export interface HeadlineProps {
  readonly totals: Totals;
  /** Null while the period before is loading, or when it could not be compared. */
  readonly trend: Trend | null;
  /** Days in the period, for "from the 30 days before". */
  readonly days: number;
  readonly outcomes: Outcomes | null;
  readonly k: number;
}

function Figure(props: {
  readonly label: string;
  readonly value: string;
  readonly detail?: string;
  readonly note?: string | null;
  readonly id: string;
}) {
  return (
    <div class="figure" data-testid={props.id}>
      <dt>{props.label}</dt>
      <dd class="value">{props.value}</dd>
      {props.detail !== undefined && <dd class="detail">{props.detail}</dd>}
      {props.note != null && <dd class="trend">{props.note}</dd>}
    </div>
  );
}

export function Headline({ totals, trend, days, outcomes, k }: HeadlineProps) {
  const hidden = text.hiddenValue;
  let share: { value: string; detail: string };
  if (totals.allHidden) share = { value: hidden, detail: text.allHidden(k) };
  else if (totals.share === null) share = { value: '–', detail: text.noVisits };
  else share = { value: formatPercent(totals.share), detail: text.approvedShareOf(totals.approved, totals.visits) };

  const shareTrend = trend?.sharePoints != null ? text.trendPoints(trend.sharePoints, days) : null;
  const shadowChange = trend?.shadowChange ?? null;
  const shadowTrend =
    shadowChange === null ? null : shadowChange === 'new' ? text.trendNew(days) : text.trendChange(shadowChange, days);

  const rate = outcomes === null ? null : continuedRate(outcomes);
  return (
    <section class="headline" aria-labelledby="headline-heading">
      <h2 id="headline-heading" class="visually-hidden">
        {text.headlineHeading}
      </h2>
      <dl class="figures">
        <Figure id="figure-share" label={text.approvedShare} {...share} note={shareTrend} />
        <Figure
          id="figure-shadow"
          label={text.shadowVisits}
          value={totals.allHidden ? hidden : formatCount(totals.shadow)}
          detail={text.shadowHint}
          note={shadowTrend}
        />
        <Figure
          id="figure-continued"
          label={text.continued}
          value={outcomes === null ? hidden : rate === null ? '–' : formatPercent(rate)}
          detail={
            outcomes === null
              ? text.allHidden(k)
              : outcomes.warned === 0
                ? text.noWarnings
                : text.continuedOf(outcomes.proceeded, outcomes.warned)
          }
        />
        <Figure
          id="figure-steered"
          label={text.steered}
          value={outcomes === null ? hidden : formatCount(outcomes.redirected + outcomes.blocked)}
          detail={outcomes === null ? text.allHidden(k) : text.steeredDetail(outcomes.redirected, outcomes.blocked)}
        />
      </dl>
    </section>
  );
}
