/**
 * The admin dashboard: reads the filters from the URL, asks the collector
 * (GET /api/v1/dashboard) for what they select and for the period before (the
 * trend), and shows the headline numbers, three charts with their tables, and
 * the per-group table.
 */
import { useEffect, useState } from 'preact/hooks';
import { fetchDashboard } from './api';
import type { Dashboard } from '../lib/protocol/dashboard-api';
import { CsvLink, FilterForm } from './components/filters';
import { DailyCard } from './components/daily-card';
import { GroupTable } from './components/group-table';
import { Headline } from './components/headline';
import { OutcomesCard } from './components/outcomes-card';
import { ToolsCard } from './components/tools-card';
import { everyDay, totals, trend } from './model';
import { apiUrl, filtersQuery, pageUrl, parseFilters, previousPeriod, shownFilters, type Filters } from './query';
import { daysBetween } from '../lib/protocol/day';
import { formatRange, text } from './strings';

type Load =
  | { readonly kind: 'loading'; readonly last: Loaded | null }
  | { readonly kind: 'error'; readonly message: string; readonly last: Loaded | null }
  | ({ readonly kind: 'ready' } & Loaded);

interface Loaded {
  /** What was asked for: while the next filters load, the page goes on describing what it shows. */
  readonly filters: Filters;
  readonly data: Dashboard;
  /** The same filters over the period before; null while loading or when it failed. */
  readonly previous: Dashboard | null;
}

const lastOf = (load: Load): Loaded | null => (load.kind === 'ready' ? load : load.last);

// Long: the page's markup and its loading states, in the order a person reads them.
export function App() {
  const [filters, setFilters] = useState<Filters>(() => parseFilters(location.search));
  const [load, setLoad] = useState<Load>({ kind: 'loading', last: null });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const onPop = () => setFilters(parseFilters(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    setLoad((current) => ({ kind: 'loading', last: lastOf(current) }));
    void (async () => {
      try {
        const result = await fetchDashboard(apiUrl(filters), abort.signal);
        if (result.kind === 'signed-out') {
          location.assign('/login');
          return;
        }
        if (result.kind === 'error') {
          setLoad((current) => ({ kind: 'error', message: result.message, last: lastOf(current) }));
          return;
        }
        const { data } = result;
        setLoad({ kind: 'ready', filters, data, previous: null });
        // The trend is a second look at the period before; the page does not wait for it.
        const before = await fetchDashboard(apiUrl(previousPeriod(filters, data.from, data.to)), abort.signal);
        if (before.kind === 'ok') setLoad({ kind: 'ready', filters, data, previous: before.data });
      } catch (error) {
        if (abort.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        setLoad((current) => ({ kind: 'error', message, last: lastOf(current) }));
      }
    })();
    return () => abort.abort();
  }, [filters, attempt]);

  const apply = (next: Filters) => {
    history.pushState(null, '', pageUrl(next));
    setFilters(next);
  };

  const shown = lastOf(load);
  const data = shown?.data ?? null;
  const busy = load.kind === 'loading';

  return (
    <>
      <header class="top">
        <h1>
          <span class="product">{text.product}</span> {text.title}
        </h1>
        <form method="post" action="/logout">
          <button type="submit" class="button">
            {text.signOut}
          </button>
        </form>
      </header>
      {/* data-shown: the query of what is shown, for tests to wait on (tests/e2e/dashboard.e2e.test.ts). */}
      <main aria-busy={busy} data-shown={shown === null ? undefined : filtersQuery(shown.filters)}>
        <div class="toolbar">
          <FilterForm
            filters={filters}
            shown={data === null ? null : { from: data.from, to: data.to }}
            groups={data?.groups ?? []}
            revisions={data?.revisions ?? []}
            onApply={apply}
          />
          <div class="showing">
            <p role="status" data-testid="showing">
              {busy
                ? text.loading
                : shown !== null &&
                  text.showing(
                    formatRange(shown.data.from, shown.data.to),
                    shown.filters.group === '' ? text.noGroup : shown.filters.group,
                    shown.filters.revision,
                  )}
            </p>
            {shown !== null && <CsvLink filters={shownFilters(shown.filters, shown.data.from, shown.data.to)} />}
          </div>
        </div>
        {load.kind === 'error' && (
          <div class="error" role="alert">
            <p>{text.loadFailed(load.message)}</p>
            <button type="button" class="button" onClick={() => setAttempt(attempt + 1)}>
              {text.retry}
            </button>
          </div>
        )}
        {shown !== null && <DashboardView {...shown} />}
      </main>
    </>
  );
}

function DashboardView({ data, previous }: Loaded) {
  const days = everyDay(data.daily, data.from, data.to);
  const current = totals(days);
  const before = previous === null ? null : totals(everyDay(previous.daily, previous.from, previous.to));
  return (
    <>
      <Headline
        totals={current}
        trend={before === null ? null : trend(current, before)}
        days={daysBetween(data.from, data.to)}
        outcomes={data.outcomes}
        k={data.k}
      />
      <div class="charts">
        <DailyCard days={days} from={data.from} to={data.to} k={data.k} />
        <ToolsCard tools={data.topTools} k={data.k} hidden={current.allHidden} />
        <OutcomesCard outcomes={data.outcomes} k={data.k} />
      </div>
      <p class="note" data-testid="hidden-note">
        {text.hiddenExplained(data.k)}
      </p>
      <GroupTable rows={data.byGroup} />
      {data.disagreements.length > 0 && (
        <p class="note" data-testid="disagreements-note">
          {text.disagreements(data.disagreements)}
        </p>
      )}
      {data.refused.length > 0 && (
        <p class="note" data-testid="refused-note">
          {text.refused(data.refused)}
        </p>
      )}
    </>
  );
}
