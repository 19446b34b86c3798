/**
 * The framed page: a nudged AI tool inside another site's frame. It fits a small frame, says what the
 * policy does and who set it, and offers the whole nudge page in a tab, where the approved tools,
 * training and (for a warning) Continue are. It has no Continue of its own: the site around it could
 * dress any button in this frame up as its own (ARCHITECTURE.md "Frames").
 */
import { useEffect, useState } from 'preact/hooks';
import type { FrameResponse, FrameView } from '../lib/protocol/messages';
import { isWebUrl } from '../lib/protocol/nudge-url';
import type { Translate } from './i18n';

export interface FramedPageProps {
  readonly originalUrl: string;
  readonly load: () => Promise<FrameResponse>;
  /** For a page that turned out to be allowed: lets this frame through to it once. */
  readonly pass: () => Promise<FrameResponse>;
  readonly openInTab: () => Promise<FrameResponse>;
  readonly navigate: (url: string) => void;
  readonly t: Translate;
}

type State =
  { readonly kind: 'loading' } | { readonly kind: 'error' } | { readonly kind: 'ready'; readonly view: FrameView };

export function FramedPage({ originalUrl, load, pass, openInTab, navigate, t }: FramedPageProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [openProblem, setOpenProblem] = useState(false);
  useEffect(() => {
    load().then(
      async (response) => {
        if (!('view' in response)) return setState({ kind: 'error' });
        // The browser's rules see a URL undecoded and may catch a page the policy allows: go on to it.
        const { action, snoozed } = response.view;
        const allowed = action === 'allow' || action === 'monitor' || snoozed;
        if (allowed && isWebUrl(originalUrl) && (await pass()).ok) return navigate(originalUrl);
        setState({ kind: 'ready', view: response.view });
      },
      () => setState({ kind: 'error' }),
    );
  }, []);

  if (state.kind === 'loading') return <main class="framed" aria-busy="true" />;
  if (state.kind === 'error') {
    return (
      <main class="framed">
        <p role="alert">{t('nudgeLoadError')}</p>
      </main>
    );
  }
  const { view } = state;
  const tool = view.toolName ?? (isWebUrl(originalUrl) ? new URL(originalUrl).hostname : '');
  const organization = view.organizationName ?? t('nudgeYourOrganization');
  const heading =
    view.action === 'block'
      ? t('nudgeTitleBlock', [tool])
      : view.action === 'redirect'
        ? t('nudgeTitleRedirect', [organization])
        : t('nudgeTitleWarn', [tool]);
  const open = async () => {
    const response = await openInTab().catch((): FrameResponse => ({ ok: false, error: 'failed' }));
    setOpenProblem(!response.ok);
  };
  return (
    <main class="framed">
      <h1 id="framed-summary">{heading}</h1>
      <p>{t('framedExplain', [tool, organization])}</p>
      {openProblem && <p role="alert">{t('framedOpenError')}</p>}
      <button type="button" class="button primary" aria-describedby="framed-summary" onClick={() => void open()}>
        {t('framedOpenInTab')}
      </button>
    </main>
  );
}
