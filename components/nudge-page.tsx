/**
 * The nudge page: one page for warn, redirect and block. Helpful, never
 * accusatory: it says who set the policy and why, puts the approved tools
 * one click away, and (for a warning) lets the person continue. Admin text
 * is rendered as text.
 */
import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { NudgeResponse, NudgeView } from '../lib/protocol/messages';
import { isWebUrl } from '../lib/protocol/nudge-url';
import { formatDuration, type Translate } from './i18n';
import { TrainingLinks } from './training-links';

export interface NudgePageProps {
  readonly originalUrl: string;
  readonly load: () => Promise<NudgeResponse>;
  readonly continueTo: (reason?: string) => Promise<NudgeResponse>;
  /** For a page that turned out to be allowed: lets this tab through to it once. */
  readonly pass: () => Promise<NudgeResponse>;
  readonly navigate: (url: string) => void;
  readonly t: Translate;
  /** Seconds before a redirect; tests shorten it. */
  readonly redirectSeconds?: number;
  /** The browser's language, for durations. */
  readonly locale: string;
}

type State =
  { readonly kind: 'loading' } | { readonly kind: 'error' } | { readonly kind: 'ready'; readonly view: NudgeView };

// Long: one page's markup, in the order a person reads it; its parts are the components below.
export function NudgePage({
  originalUrl,
  load,
  continueTo,
  pass,
  navigate,
  t,
  locale,
  redirectSeconds = 5,
}: NudgePageProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  // Keyboard users start on the main action: the first approved tool, else Continue (a redirect focuses Go now).
  const firstAlternative = useRef<HTMLAnchorElement>(null);
  const continueButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (state.kind !== 'ready' || state.view.decision.action === 'redirect') return;
    (firstAlternative.current ?? continueButton.current)?.focus();
  }, [state.kind]);
  useEffect(() => {
    load().then(
      async (response) => {
        if (!('view' in response)) return setState({ kind: 'error' });
        const { decision } = response.view;
        // The browser's rules see a URL undecoded and may catch a page the policy allows: go on to it.
        const allowed = decision.action === 'allow' || decision.action === 'monitor' || response.view.snoozed;
        if (allowed && isWebUrl(originalUrl) && (await pass()).ok) return navigate(originalUrl);
        setState({ kind: 'ready', view: response.view });
      },
      () => setState({ kind: 'error' }),
    );
  }, []);

  if (state.kind === 'loading') return <main class="nudge" aria-busy="true" />;
  if (state.kind === 'error') {
    return (
      <main class="nudge">
        <p role="alert">{t('nudgeLoadError')}</p>
      </main>
    );
  }
  const { view } = state;
  const { decision } = view;
  const tool = decision.toolName ?? new URL(originalUrl).hostname;
  const organization = view.organizationName ?? t('nudgeYourOrganization');
  const heading = {
    warn: t('nudgeTitleWarn', [tool]),
    redirect: t('nudgeTitleRedirect', [organization]),
    block: t('nudgeTitleBlock', [tool]),
    allow: t('nudgeTitleAllowed', [tool]),
    monitor: t('nudgeTitleAllowed', [tool]),
  }[decision.action];
  // The tab says what the page says, for people who switch tabs and for screen readers' tab lists.
  document.title = `${heading} · ${t('nudgePageTitle')}`;

  return (
    <main class="nudge">
      {/* The focused main action is described by this summary, so a screen reader reads why before what. */}
      <header id="nudge-summary">
        <h1>{heading}</h1>
        {decision.action === 'redirect' && <p>{t('nudgeRedirectOpened', [tool])}</p>}
        <p class="policy-note">{t('nudgePolicyNote', [organization])}</p>
        {decision.message !== null && <p class="message">{decision.message}</p>}
      </header>

      {decision.action === 'redirect' && decision.redirectTo !== null && (
        <RedirectCountdown
          target={decision.redirectTo}
          targetName={decision.alternatives.find((a) => a.url === decision.redirectTo)?.name ?? decision.redirectTo}
          seconds={redirectSeconds}
          navigate={navigate}
          t={t}
        />
      )}

      {decision.alternatives.length > 0 && (
        <section aria-labelledby="alternatives-heading">
          <h2 id="alternatives-heading">{t('nudgeAlternativesHeading')}</h2>
          <ul class="alternatives">
            {decision.alternatives.map((alternative, position) => (
              <li key={alternative.id}>
                <a
                  ref={position === 0 ? firstAlternative : null}
                  aria-describedby={position === 0 ? 'nudge-summary' : undefined}
                  class="alternative"
                  href={alternative.url}
                  rel="noopener"
                >
                  <span class="alternative-name">{t('nudgeOpenAlternative', [alternative.name])}</span>
                  {alternative.description !== null && (
                    <span class="alternative-description">{alternative.description}</span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}

      {decision.action === 'warn' && (
        <ContinueForm
          tool={tool}
          view={view}
          continueTo={continueTo}
          navigate={() => navigate(originalUrl)}
          t={t}
          locale={locale}
          buttonRef={continueButton}
        />
      )}
      {(decision.action === 'allow' || decision.action === 'monitor') &&
        decision.tool !== null &&
        isWebUrl(originalUrl) && (
          <p>
            <a class="button primary" href={originalUrl}>
              {t('nudgeAllowedContinue')}
            </a>
          </p>
        )}

      <TrainingLinks links={decision.training} t={t} newTab={false} />

      <footer>
        {view.requestAccessUrl !== null && decision.action !== 'allow' && (
          <a href={view.requestAccessUrl} rel="noopener">
            {t('nudgeRequestAccess', [tool])}
          </a>
        )}
        {view.supportUrl !== null && (
          <a href={view.supportUrl} rel="noopener">
            {t('nudgeSupport')}
          </a>
        )}
      </footer>
    </main>
  );
}

// Long: the Continue form's markup, with the reason field a policy may ask for.
function ContinueForm({
  tool,
  view,
  continueTo,
  navigate,
  t,
  locale,
  buttonRef,
}: {
  tool: string;
  view: NudgeView;
  continueTo: (reason?: string) => Promise<NudgeResponse>;
  navigate: () => void;
  t: Translate;
  locale: string;
  buttonRef: Ref<HTMLButtonElement>;
}) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (view.requireReason && reason.trim() === '') {
      setProblem(t('nudgeReasonRequired'));
      return;
    }
    setBusy(true);
    const response = await continueTo(view.requireReason ? reason.trim() : undefined).catch(
      (error: unknown): NudgeResponse => ({ ok: false, error: String(error) }),
    );
    if (response.ok) navigate();
    else {
      setProblem(t('nudgeContinueError', [response.error]));
      setBusy(false);
    }
  };
  return (
    <form class="continue" onSubmit={(event) => void submit(event)}>
      {view.requireReason && (
        <p>
          <label for="reason">{t('nudgeReasonLabel', [tool])}</label>
          <textarea
            id="reason"
            rows={2}
            maxLength={1000}
            aria-required="true"
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </p>
      )}
      {problem !== null && <p role="alert">{problem}</p>}
      <button ref={buttonRef} type="submit" class="button" disabled={busy} aria-describedby="nudge-summary">
        {t('nudgeContinue', [tool])}
      </button>
      <p class="hint">
        {view.snoozeMinutes === 0
          ? t('nudgeSnoozeNoteEveryTime')
          : t('nudgeSnoozeNote', [tool, formatDuration(locale, view.snoozeMinutes)])}
      </p>
    </form>
  );
}

function RedirectCountdown({
  target,
  targetName,
  seconds,
  navigate,
  t,
}: {
  target: string;
  targetName: string;
  seconds: number;
  navigate: (url: string) => void;
  t: Translate;
}) {
  const [left, setLeft] = useState(seconds);
  const [stopped, setStopped] = useState(false);
  const goNow = useRef<HTMLAnchorElement>(null);
  useEffect(() => goNow.current?.focus(), []);
  useEffect(() => {
    if (stopped) return;
    if (left <= 0) {
      navigate(target);
      return;
    }
    const timer = setTimeout(() => setLeft(left - 1), 1000);
    return () => clearTimeout(timer);
  }, [left, stopped]);
  return (
    <section class="redirect" aria-live="polite">
      <p>{stopped ? t('nudgeRedirectStopped') : t('nudgeRedirectCountdown', [targetName, String(left)])}</p>
      <p class="actions">
        <a ref={goNow} class="button primary" href={target} aria-describedby="nudge-summary">
          {t('nudgeRedirectGoNow')}
        </a>
        {!stopped && (
          <button type="button" class="button" onClick={() => setStopped(true)}>
            {t('nudgeRedirectStay')}
          </button>
        )}
      </p>
    </section>
  );
}
