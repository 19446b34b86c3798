/**
 * Every word the dashboard shows, in one place. The dashboard is for the
 * admins who run the collector and is in English only; dates and numbers are
 * written the British way (25 Nov 2026, 1,234), whatever the browser's locale,
 * so two admins comparing screenshots see the same thing.
 */

export const LOCALE = 'en-GB';

const numberFormat = new Intl.NumberFormat(LOCALE);
const percentFormat = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 });
const dayFormat = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const shortDayFormat = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export const formatCount = (n: number): string => numberFormat.format(n);
/** 0.654 → "65%". */
export const formatPercent = (ratio: number): string => percentFormat.format(ratio);
/** "2026-11-25" → "25 Nov 2026" (the day as written, never shifted by a time zone). */
export const formatDay = (day: string): string => dayFormat.format(new Date(`${day}T00:00:00Z`));
/** "2026-11-25" → "25 Nov". */
export const formatShortDay = (day: string): string => shortDayFormat.format(new Date(`${day}T00:00:00Z`));
export const formatRange = (from: string, to: string): string =>
  from === to ? formatDay(from) : `${formatDay(from)} – ${formatDay(to)}`;

/**
 * A count with nothing the collector released behind it (collector/dashboard-numbers.ts): what there was, if
 * anything, had fewer than k people behind it. Whether there was anything is not said (that alone would single
 * out a small team), so the cell is neither 0 nor "< 5".
 */
export const HIDDEN = 'not shown';
/** A count, or "not shown" when the collector released none. */
export const formatHidden = (value: number | null): string => (value === null ? HIDDEN : formatCount(value));

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

export const text = {
  documentTitle: 'Dashboard · Daylight collector',
  product: 'Daylight collector',
  title: 'AI tool usage',
  signOut: 'Sign out',

  filtersLabel: 'Filters',
  from: 'From',
  to: 'To',
  group: 'Group',
  allGroups: 'All groups',
  revision: 'Policy revision',
  allRevisions: 'All revisions',
  apply: 'Apply',
  reset: 'Reset',
  downloadCsv: 'Download CSV',
  downloadCsvHint: 'the numbers on this page, for a spreadsheet',

  loading: 'Loading the counts…',
  loadFailed: (reason: string) => `The counts could not be loaded: ${reason}.`,
  retry: 'Try again',
  showing: (range: string, group: string | undefined, revision: string | undefined) =>
    `${range} · ${group ?? 'all groups'} · ${revision === undefined ? 'all policy revisions' : `policy ${revision}`}`,

  headlineHeading: 'Summary',
  approvedShare: 'Visits on approved tools',
  approvedShareOf: (approved: number, visits: number) =>
    `${formatCount(approved)} of ${plural(visits, 'visit', 'visits')}`,
  noVisits: 'No visits to AI tools in this period.',
  shadowVisits: 'Visits to other AI tools',
  shadowHint: 'not approved by the policy (shadow AI)',
  continued: 'Continued past a warning',
  continuedOf: (proceeded: number, warned: number) =>
    `${formatCount(proceeded)} of ${plural(warned, 'warning', 'warnings')}`,
  noWarnings: 'no warnings shown',
  steered: 'Redirected or blocked',
  steeredDetail: (redirected: number, blocked: number) =>
    `${formatCount(redirected)} sent to an approved tool, ${formatCount(blocked)} blocked`,
  trendPoints: (points: number, days: number) =>
    points === 0
      ? `no change from the ${days} days before`
      : `${points > 0 ? '▲ up' : '▼ down'} ${plural(Math.abs(points), 'point', 'points')} from the ${days} days before`,
  trendChange: (ratio: number, days: number) =>
    ratio === 0
      ? `no change from the ${days} days before`
      : `${ratio > 0 ? '▲ up' : '▼ down'} ${formatPercent(Math.abs(ratio))} from the ${days} days before`,
  trendNew: (days: number) => `none in the ${days} days before`,

  hiddenValue: 'Not shown',
  disagreements: (tools: readonly { name: string; devices: boolean }[]) =>
    `The browsers counted these tools under this collector's policy revision otherwise than its policy file says: ${tools
      .map((tool) => `${tool.name} (${tool.devices ? 'approved on the browsers' : 'not approved on the browsers'})`)
      .join(
        ', ',
      )}. The dashboard follows the browsers; the collector may be serving another file than the one your fleet uses.`,
  refused: (reasons: readonly { reason: string; n: number }[]) =>
    `${plural(
      reasons.reduce((sum, { n }) => sum + n, 0),
      'report was',
      'reports were',
    )} refused in this period and counted nowhere, by the field at fault: ${reasons
      .map(({ reason, n }) => `${reason} ${formatCount(n)}`)
      .join(', ')}. Many refusals of one field can mean an outdated extension, or someone sending made-up reports.`,
  hiddenExplained: (k: number) =>
    `Every number leaves out what fewer than ${k} people of a group did on a day (and, now and then, one more group's day, so that a total cannot give it away). “${HIDDEN}”: nothing with ${k} people behind it, which may also mean nothing at all. People are counted per day, without knowing who: a group's people are those of its busiest day. A small team is never singled out.`,
  allHidden: (k: number) => `Not shown: no day of this period had ${k} people behind it, if it had anything at all.`,

  showTable: 'Show as table',
  showChart: 'Show as chart',
  chartImage: (title: string) => `${title}: chart. The same numbers are in the table that follows.`,

  dailyHeading: 'Approved versus other AI tools, per day',
  day: 'Day',
  approved: 'Approved tools',
  shadow: 'Other AI tools',
  total: 'Total',
  dailySummary: (
    range: string,
    visits: number,
    share: string | null,
    busiest: { day: string; visits: number } | null,
  ) =>
    [
      `${range}: ${plural(visits, 'visit', 'visits')} to AI tools`,
      share === null ? '.' : `, ${share} of them on approved tools.`,
      busiest === null ? '' : ` Busiest day: ${formatDay(busiest.day)}, ${plural(busiest.visits, 'visit', 'visits')}.`,
    ].join(''),

  toolsHeading: 'Most used tools',
  tool: 'Tool',
  status: 'Approved',
  visits: 'Visits',
  yes: 'Yes',
  no: 'No',
  approvedMark: '✓',
  approvedLegend: '✓ Approved',
  shadowLegend: 'Not approved',
  toolLabel: (name: string, sanctioned: boolean) => (sanctioned ? `✓ ${name}` : name),
  toolsSummary: (tools: readonly { name: string; sanctioned: boolean; visits: number }[]) =>
    tools.length === 0
      ? 'No tool was visited in this period.'
      : `Most visited: ${tools
          .map(
            (tool) => `${tool.name}${tool.sanctioned ? ' (approved)' : ' (not approved)'}, ${formatCount(tool.visits)}`,
          )
          .join('; ')}.`,

  outcomesHeading: 'Nudge outcomes',
  outcome: 'Outcome',
  count: 'Count',
  outcomeWarned: 'Warned',
  outcomeProceeded: 'Continued anyway',
  outcomeRedirected: 'Redirected to an approved tool',
  outcomeBlocked: 'Blocked',
  /** Shorter, for the chart's axis; the table has the full words. */
  outcomeRedirectedShort: 'Redirected',
  outcomesSummary: (o: { warned: number; proceeded: number; redirected: number; blocked: number }) =>
    [
      o.warned === 0
        ? 'No warnings were shown.'
        : `Of ${plural(o.warned, 'warning', 'warnings')}, ${formatCount(o.proceeded)} (${formatPercent(o.proceeded / o.warned)}) ${o.proceeded === 1 ? 'was' : 'were'} continued past.`,
      ` ${formatCount(o.redirected)} ${o.redirected === 1 ? 'visit was' : 'visits were'} redirected to an approved tool and ${formatCount(o.blocked)} blocked.`,
    ].join(''),

  groupsHeading: 'By group',
  groupColumn: 'Group',
  peopleApproved: 'People on approved tools',
  peopleShadow: 'People on other AI tools',
  busiestDayNote: '(busiest day)',
  noGroup: '(no group)',
  shareColumn: 'On approved tools',
  groupsEmpty: 'No reports in this period.',
} as const;
