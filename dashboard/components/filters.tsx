/**
 * The filters: a plain GET form to `/` (so it works by keyboard, and the view it makes is a URL to
 * bookmark or share), handled in the page so applying one does not reload it.
 */
import { useEffect, useState } from 'preact/hooks';
import { csvUrl, pageUrl, type Filters } from '../query';
import { text } from '../strings';

export interface FilterFormProps {
  /** As the URL has them. */
  readonly filters: Filters;
  /** The period the collector answered for (its default when the URL names none); null before it answered. */
  readonly shown: { readonly from: string; readonly to: string } | null;
  readonly groups: readonly string[];
  readonly revisions: readonly string[];
  readonly onApply: (filters: Filters) => void;
}

interface Fields {
  from: string;
  to: string;
  /** The select's value: '' all groups, NO_GROUP, or `=` and a group's name (no name can be taken for the others). */
  group: string;
  revision: string;
}

const NO_GROUP = 'none';
const groupValue = (group: string | undefined): string =>
  group === undefined ? '' : group === '' ? NO_GROUP : `=${group}`;
const groupOf = (value: string): string | undefined =>
  value === '' ? undefined : value === NO_GROUP ? '' : value.slice(1);

const fieldsOf = (filters: Filters, shown: FilterFormProps['shown']): Fields => ({
  from: filters.from ?? shown?.from ?? '',
  to: filters.to ?? shown?.to ?? '',
  group: groupValue(filters.group),
  revision: filters.revision ?? '',
});

/** The options, with the selected value kept even when the collector no longer lists it. */
const withSelected = (values: readonly string[], selected: string): readonly string[] =>
  selected === '' || values.includes(selected) ? values : [selected, ...values];

// Long: the filter form's markup, one labelled field after another.
export function FilterForm({ filters, shown, groups, revisions, onApply }: FilterFormProps) {
  const [fields, setFields] = useState<Fields>(() => fieldsOf(filters, shown));
  // A new URL (applied, back/forward) or the collector's default period: the fields follow.
  useEffect(() => setFields(fieldsOf(filters, shown)), [filters, shown?.from, shown?.to]);
  const set = (name: keyof Fields) => (event: Event) => {
    const { value } = event.currentTarget as HTMLInputElement | HTMLSelectElement;
    setFields((current) => ({ ...current, [name]: value }));
  };

  const submit = (event: Event) => {
    event.preventDefault();
    // The default period stays implicit unless changed, so a bookmark keeps meaning "the last 30 days".
    const keep = (name: 'from' | 'to'): string | undefined =>
      fields[name] === '' || (filters[name] === undefined && fields[name] === shown?.[name]) ? undefined : fields[name];
    const next: { -readonly [K in keyof Filters]: Filters[K] } = {};
    const from = keep('from');
    const to = keep('to');
    if (from !== undefined) next.from = from;
    if (to !== undefined) next.to = to;
    const group = groupOf(fields.group);
    if (group !== undefined) next.group = group;
    if (fields.revision !== '') next.revision = fields.revision;
    onApply(next);
  };

  return (
    <form class="filters" method="get" action="/" role="search" aria-label={text.filtersLabel} onSubmit={submit}>
      <div class="field">
        <label for="filter-from">{text.from}</label>
        <input
          id="filter-from"
          name="from"
          type="date"
          value={fields.from}
          max={fields.to === '' ? undefined : fields.to}
          onInput={set('from')}
        />
      </div>
      <div class="field">
        <label for="filter-to">{text.to}</label>
        <input
          id="filter-to"
          name="to"
          type="date"
          value={fields.to}
          min={fields.from === '' ? undefined : fields.from}
          onInput={set('to')}
        />
      </div>
      <div class="field">
        <label for="filter-group">{text.group}</label>
        <select id="filter-group" name="group" value={fields.group} onChange={set('group')}>
          <option value="">{text.allGroups}</option>
          {withSelected(groups, groupOf(fields.group) ?? '').map((group) => (
            <option key={group} value={groupValue(group)}>
              {group}
            </option>
          ))}
          <option value={NO_GROUP}>{text.noGroup}</option>
        </select>
      </div>
      <div class="field">
        <label for="filter-revision">{text.revision}</label>
        <select id="filter-revision" name="revision" value={fields.revision} onChange={set('revision')}>
          <option value="">{text.allRevisions}</option>
          {withSelected(revisions, fields.revision).map((revision) => (
            <option key={revision} value={revision}>
              {revision}
            </option>
          ))}
        </select>
      </div>
      <div class="actions">
        <button type="submit" class="button primary">
          {text.apply}
        </button>
        <a
          class="button"
          href={pageUrl({})}
          onClick={(event) => {
            event.preventDefault();
            onApply({});
          }}
        >
          {text.reset}
        </a>
      </div>
    </form>
  );
}

/** "Download CSV" for exactly what is shown: the period answered for, the group and revision asked for. */
export function CsvLink({ filters }: { readonly filters: Filters }) {
  return (
    <a class="csv" href={csvUrl(filters)} download data-testid="csv-link">
      {text.downloadCsv}
      <span class="visually-hidden">{`: ${text.downloadCsvHint}`}</span>
    </a>
  );
}
