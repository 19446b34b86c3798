/**
 * The options page answers "what does this extension know about me, and
 * what does it send?": the policy in force and where it came from, the last
 * update and its errors verbatim, the counts kept on this device, and a
 * privacy statement in plain words that follows the actual configuration.
 */
import { useEffect, useState } from 'preact/hooks';
import type { OptionsView, SurfaceResponse } from '../lib/protocol/messages';
import type { UploadPreview } from '../lib/protocol/report';
import type { UsageEvent } from '../lib/protocol/usage';
import { formatDay, formatDuration, formatTime, type MessageKey, type Translate } from './i18n';

export interface OptionsPageProps {
  readonly load: () => Promise<SurfaceResponse>;
  /** "Send now": uploads every waiting count at once (docs/spec/report-protocol.md). */
  readonly sendNow: () => Promise<SurfaceResponse>;
  readonly t: Translate;
  /** The browser's language, for dates and numbers. */
  readonly locale: string;
}

type State =
  { readonly kind: 'loading' } | { readonly kind: 'error' } | { readonly kind: 'ready'; readonly view: OptionsView };

/** Each usage event in words, as the options page lists the counts. */
export const EVENT_LABELS: Record<UsageEvent, MessageKey> = {
  visit: 'eventVisit',
  warned: 'eventWarned',
  proceeded: 'eventProceeded',
  redirected: 'eventRedirected',
  blocked: 'eventBlocked',
  'sensitive-paste': 'eventSensitivePaste',
};

export function OptionsPage({ load, sendNow, t, locale }: OptionsPageProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const refresh = () =>
    load().then(
      (response) => setState('options' in response ? { kind: 'ready', view: response.options } : { kind: 'error' }),
      () => setState({ kind: 'error' }),
    );
  useEffect(() => void refresh(), []);

  if (state.kind === 'loading') return <main class="options" aria-busy="true" />;
  if (state.kind === 'error') {
    return (
      <main class="options">
        <h1>{t('optionsTitle')}</h1>
        <p role="alert">{t('popupLoadError')}</p>
      </main>
    );
  }
  const { view } = state;
  return (
    <main class="options">
      <h1>{t('optionsTitle')}</h1>
      <p class="lead">{t('optionsIntro')}</p>
      <PolicySection view={view} t={t} locale={locale} />
      <UsageSection view={view} t={t} locale={locale} />
      {view.upload !== null && (
        <UploadSection upload={view.upload} sendNow={sendNow} refresh={refresh} t={t} locale={locale} />
      )}
      <PrivacySection view={view} t={t} locale={locale} />
    </main>
  );
}

// Long: the policy section's markup, one fact after another.
function PolicySection({ view, t, locale }: { view: OptionsView; t: Translate; locale: string }) {
  const { policy, fetch } = view;
  const source = {
    managed: t('optionsSourceManaged'),
    url: t('optionsSourceUrl'),
    default: t('optionsSourceDefault'),
  }[policy.source];
  return (
    <section aria-labelledby="policy-heading">
      <h2 id="policy-heading">{t('optionsPolicyHeading')}</h2>
      <dl>
        <dt>{t('optionsOrganization')}</dt>
        <dd>{policy.organizationName ?? t('optionsNotSet')}</dd>
        <dt>{t('optionsRevision')}</dt>
        <dd>
          <code>{policy.revision}</code>
        </dd>
        <dt>{t('optionsSource')}</dt>
        <dd>{source}</dd>
        {fetch !== null && (
          <>
            <dt>{t('optionsPolicyUrl')}</dt>
            <dd>
              <code class="wrap">{fetch.url}</code>
              {view.signed && <span class="muted"> {t('optionsSigned')}</span>}
            </dd>
            <dt>{t('optionsLastAnswer')}</dt>
            <dd>{fetch.answeredAt === null ? t('optionsNever') : formatTime(locale, fetch.answeredAt)}</dd>
            {fetch.nextAttemptAt !== null && (
              <>
                <dt>{t('optionsNextFetch')}</dt>
                <dd>{formatTime(locale, fetch.nextAttemptAt)}</dd>
              </>
            )}
          </>
        )}
        {view.checkedAt !== null && (
          <>
            <dt>{t('optionsCheckedAt')}</dt>
            <dd>{formatTime(locale, view.checkedAt)}</dd>
          </>
        )}
      </dl>
      {policy.errors.length === 0 ? (
        <p class="ok">{t('optionsNoProblems')}</p>
      ) : (
        <div class="problems" role="alert">
          <h3>{t('optionsProblemsHeading')}</h3>
          <p>{t('optionsProblemsNote', [policy.revision])}</p>
          <ul>
            {policy.errors.map((error, position) => (
              <li key={position}>
                <pre>{error}</pre>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function UsageSection({ view, t, locale }: { view: OptionsView; t: Translate; locale: string }) {
  const numbers = new Intl.NumberFormat(locale);
  return (
    <section aria-labelledby="usage-heading">
      <h2 id="usage-heading">{t('optionsUsageHeading')}</h2>
      <p>{t('optionsUsageIntro')}</p>
      {view.counts.length === 0 ? (
        <p class="muted">{t('optionsUsageEmpty')}</p>
      ) : (
        <table>
          <caption class="visually-hidden">{t('optionsUsageHeading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('optionsColumnDay')}</th>
              <th scope="col">{t('optionsColumnTool')}</th>
              <th scope="col">{t('optionsColumnEvent')}</th>
              <th scope="col" class="number">
                {t('optionsColumnCount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {view.counts.map((count) => (
              <tr key={`${count.day} ${count.tool} ${count.event}`}>
                <td>{formatDay(locale, count.day)}</td>
                <td>{count.toolName}</td>
                <td>{t(EVENT_LABELS[count.event])}</td>
                <td class="number">{numbers.format(count.n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The exact bodies of the next upload (pretty-printed: the same JSON, spaced for reading) and "Send now". */
// Long: the upload section's markup: the waiting bodies, the next one, Send now.
function UploadSection({
  upload,
  sendNow,
  refresh,
  t,
  locale,
}: {
  upload: UploadPreview;
  sendNow: () => Promise<SurfaceResponse>;
  refresh: () => Promise<void>;
  t: Translate;
  locale: string;
}) {
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState('');
  const bodies = [...upload.waiting.map((batch) => batch.body), ...upload.next];
  const send = async () => {
    setSending(true);
    setResult(t('optionsSendNowSending'));
    const response = await sendNow().catch((error: unknown): SurfaceResponse => ({ ok: false, error: String(error) }));
    if (!('sent' in response)) setResult(t('optionsSendNowFailed', [response.ok ? '' : response.error]));
    else if (response.sent.error !== null) setResult(t('optionsSendNowFailed', [response.sent.error]));
    else setResult(response.sent.sent === 0 ? t('optionsSendNowNothing') : t('optionsSendNowDone'));
    setSending(false);
    await refresh();
  };
  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading">{t('optionsUploadHeading')}</h2>
      <dl>
        <dt>{t('optionsLastSent')}</dt>
        <dd>{upload.lastSentAt === null ? t('optionsNever') : formatTime(locale, upload.lastSentAt)}</dd>
        {upload.nextUploadAt !== null && (
          <>
            <dt>{t('optionsNextUpload')}</dt>
            <dd>{formatTime(locale, upload.nextUploadAt)}</dd>
          </>
        )}
      </dl>
      {upload.waiting
        .filter((batch) => batch.lastError !== null)
        .slice(0, 1)
        .map((batch) => (
          <p key={batch.batchId} class="problems">
            {t('optionsUploadWaiting', [batch.lastError ?? '', formatTime(locale, batch.nextAttemptAt)])}
          </p>
        ))}
      {bodies.length === 0 ? (
        <p class="muted">{t('optionsUploadNothing')}</p>
      ) : (
        <>
          <p>{t('optionsUploadIntro', [upload.collectorHost])}</p>
          {bodies.map((body, position) => (
            <pre
              key={position}
              class="body"
              tabIndex={0}
              aria-label={t('optionsUploadBodyLabel', [String(position + 1)])}
            >
              {JSON.stringify(JSON.parse(body), null, 2)}
            </pre>
          ))}
        </>
      )}
      <p class="actions">
        <button type="button" class="button primary" disabled={sending} onClick={() => void send()}>
          {t('optionsSendNow')}
        </button>
        <span role="status">{result}</span>
      </p>
    </section>
  );
}

function PrivacySection({ view, t, locale }: { view: OptionsView; t: Translate; locale: string }) {
  return (
    <section aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">{t('optionsPrivacyHeading')}</h2>
      <h3>{t('optionsSeesHeading')}</h3>
      <p>{t('optionsSees')}</p>
      <h3>{t('optionsKeepsHeading')}</h3>
      <p>{t('optionsKeeps')}</p>
      <h3>{t('optionsSendsHeading')}</h3>
      <ul class="bullets">
        {view.fetch !== null && <li>{t('optionsSendsPolicyFetch', [new URL(view.fetch.url).host])}</li>}
        {view.reportingHost === null ? (
          <li>{t('optionsSendsNothing')}</li>
        ) : (
          <li>
            {t('optionsSendsCounts', [
              view.reportingHost,
              formatDuration(locale, view.reportingIntervalMinutes ?? 1440),
            ])}
            {view.group !== null && <> {t('optionsSendsGroup', [view.group])}</>}
          </li>
        )}
      </ul>
      <p>{t('optionsNeverSends')}</p>
    </section>
  );
}
