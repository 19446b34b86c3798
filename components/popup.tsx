/**
 * The toolbar popup answers "is this tool OK to use here, and what should I
 * use instead?": the current site's status, the approved tools one click
 * away, training, request access, and a notice when the policy could not be
 * updated. Admin text is rendered as text; admin links are https (the
 * policy schema refuses any other).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApprovedTool, PopupView, SurfaceResponse } from '../lib/protocol/messages';
import type { Decision } from '../lib/policy/compile';
import type { UpdateProblem } from '../lib/policy/source';
import { formatLater, type MessageKey, type Translate } from './i18n';
import { TrainingLinks } from './training-links';

export interface PopupProps {
  readonly load: () => Promise<SurfaceResponse>;
  readonly openOptions: () => void;
  readonly t: Translate;
  /** The browser's language, for times. */
  readonly locale: string;
  readonly now?: () => number;
}

/** Why the update was not taken, in the person's words; the options page shows the error itself. */
const UPDATE_PROBLEM_MESSAGES = {
  unavailable: 'popupUpdateUnavailable',
  invalid: 'popupUpdateInvalid',
  signature: 'popupUpdateSignature',
  rollback: 'popupUpdateRollback',
  audience: 'popupUpdateAudience',
} as const satisfies Record<UpdateProblem, MessageKey>;

type State =
  { readonly kind: 'loading' } | { readonly kind: 'error' } | { readonly kind: 'ready'; readonly view: PopupView };

// Long: the popup's markup, in the order a person reads it.
export function Popup({ load, openOptions, t, locale, now = Date.now }: PopupProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    load().then(
      (response) => setState('popup' in response ? { kind: 'ready', view: response.popup } : { kind: 'error' }),
      () => setState({ kind: 'error' }),
    );
  }, []);

  if (state.kind === 'loading') return <main class="popup" aria-busy="true" />;
  if (state.kind === 'error') {
    return (
      <main class="popup">
        <h1>{t('extensionName')}</h1>
        <p role="alert">{t('popupLoadError')}</p>
      </main>
    );
  }
  const { view } = state;
  const organization = view.policy.organizationName ?? t('popupYourOrganization');
  const { decision } = view;
  const notApproved = decision !== null && decision.tool !== null && !isApproved(decision);
  // The tools approved for what this site does come first, and the first of them is the main action.
  const alternativeIds = new Set(notApproved ? decision.alternatives.map((alternative) => alternative.id) : []);
  const approved = [
    ...view.approved.filter((tool) => alternativeIds.has(tool.id)),
    ...view.approved.filter((tool) => !alternativeIds.has(tool.id)),
  ];

  return (
    <main class="popup">
      <header>
        <h1>{t('extensionName')}</h1>
        {view.policy.organizationName !== null && <p class="muted">{view.policy.organizationName}</p>}
      </header>

      {view.policy.errors.length > 0 && (
        <p class="notice" role="status">
          {t('popupPolicyNotUpdated', [view.policy.revision])}{' '}
          {view.policy.updateProblem !== null && <>{t(UPDATE_PROBLEM_MESSAGES[view.policy.updateProblem])} </>}
          <button type="button" class="link" onClick={openOptions}>
            {t('popupShowDetails')}
          </button>
        </p>
      )}

      <SiteStatus view={view} organization={organization} t={t} locale={locale} now={now} />

      <section aria-labelledby="approved-heading">
        <h2 id="approved-heading">{t('popupApprovedHeading', [organization])}</h2>
        {approved.length === 0 ? (
          <p class="muted">{t('popupNoApproved')}</p>
        ) : (
          <ul class="tools">
            {approved.map((tool, position) => (
              <ApprovedToolItem
                key={tool.id}
                tool={tool}
                suggested={alternativeIds.has(tool.id)}
                focus={notApproved && position === 0 && alternativeIds.has(tool.id)}
                t={t}
              />
            ))}
          </ul>
        )}
      </section>

      <TrainingLinks links={view.training} t={t} newTab />

      <footer>
        {view.policy.supportUrl !== null && (
          <a href={view.policy.supportUrl} target="_blank" rel="noopener">
            {t('nudgeSupport')}
          </a>
        )}
        <button type="button" class="link" onClick={openOptions}>
          {t('popupOpenOptions')}
        </button>
        <span class="muted">{t('popupRevision', [view.policy.revision])}</span>
      </footer>
    </main>
  );
}

/** Allowed without a nudge by the organization: sanctioned, or a rule that allows it. `monitor` is not approval. */
function isApproved(decision: Decision): boolean {
  return decision.sanctioned || decision.action === 'allow';
}

// Long: the site's status in words, one case of the decision after another.
function SiteStatus({
  view,
  organization,
  t,
  locale,
  now,
}: {
  view: PopupView;
  organization: string;
  t: Translate;
  locale: string;
  now: () => number;
}) {
  const { decision } = view;
  if (decision === null) {
    return (
      <section class="site" aria-label={t('popupThisSite')}>
        <p class="status">{t('popupNotAWebPage')}</p>
      </section>
    );
  }
  const tool = decision.toolName;
  if (decision.tool === null || tool === null) {
    return (
      <section class="site" aria-label={t('popupThisSite')}>
        <p class="status">{t('popupNotAnAiTool', [view.host ?? ''])}</p>
      </section>
    );
  }
  if (isApproved(decision)) {
    return (
      <section class="site approved" aria-label={t('popupThisSite')}>
        <p class="status">
          <span aria-hidden="true">✓ </span>
          {decision.sanctioned ? t('popupSanctioned', [tool, organization]) : t('popupAllowed', [tool])}
        </p>
      </section>
    );
  }
  const detail = {
    monitor: t('popupMonitorDetail'),
    warn:
      view.snoozedUntil === null
        ? t('popupWarnDetail')
        : t('popupWarnSnoozed', [formatLater(locale, view.snoozedUntil, now())]),
    redirect: t('popupRedirectDetail'),
    block: t('popupBlockDetail'),
    allow: '',
  }[decision.action];
  return (
    <section class="site not-approved" aria-label={t('popupThisSite')}>
      <p class="status">
        <span aria-hidden="true">! </span>
        {/* The bundled default policy has approved nothing: the organization has simply not reviewed the tool. */}
        {view.policy.source === 'default'
          ? t('popupNotReviewed', [tool, organization])
          : t('popupNotApproved', [tool, organization])}
      </p>
      <p>{detail}</p>
      {decision.message !== null && <p class="message">{decision.message}</p>}
      {view.requestAccessUrl !== null && (
        <p>
          <a href={view.requestAccessUrl} target="_blank" rel="noopener">
            {t('nudgeRequestAccess', [tool])}
          </a>
        </p>
      )}
    </section>
  );
}

function ApprovedToolItem({
  tool,
  suggested,
  focus,
  t,
}: {
  tool: ApprovedTool;
  suggested: boolean;
  focus: boolean;
  t: Translate;
}) {
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (focus) link.current?.focus();
  }, [focus]);
  return (
    <li>
      <a ref={link} class={suggested ? 'tool suggested' : 'tool'} href={tool.url} target="_blank" rel="noopener">
        <span class="tool-name">{tool.name}</span>
        {suggested && <span class="tool-tag">{t('popupSuggested')}</span>}
        {tool.description !== null && <span class="tool-description">{tool.description}</span>}
      </a>
    </li>
  );
}
