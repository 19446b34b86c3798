/**
 * The banner on an AI tool the person continued to after a warning: the
 * approved alternative one click away, dismissible, and nothing else. Plain
 * DOM (no framework: it runs inside every page of the tool, so it stays
 * small), in a closed shadow root so the page's styles cannot break it and
 * its scripts cannot read it.
 */
import type { BannerRequest, BannerResponse } from '../lib/protocol/messages';
import PALETTE from './palette.css?raw';

export interface BannerDeps {
  readonly document: Document;
  readonly send: (request: BannerRequest) => Promise<BannerResponse>;
  readonly t: (key: string, substitutions?: string[]) => string;
}

// `all: initial` resets the page's inherited styles, not custom properties, so the palette's stay.
const STYLE = `
:host { all: initial; }
${PALETTE}
.banner { position: fixed; z-index: 2147483647; right: 16px; bottom: 16px; max-width: 22rem;
  display: flex; gap: 12px; align-items: flex-start; padding: 12px 14px; border-radius: 10px;
  font: 14px/1.45 system-ui, sans-serif; background: var(--card); color: var(--fg);
  border: 1px solid var(--border); box-shadow: 0 4px 16px rgba(0, 0, 0, 0.18); }
.text { margin: 0; }
a { color: var(--accent); font-weight: 600; }
button { flex: none; font: inherit; line-height: 1; padding: 4px 8px; border-radius: 6px; cursor: pointer;
  background: transparent; color: inherit; border: 1px solid var(--border); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
`;

export async function showBanner({ document, send, t }: BannerDeps): Promise<void> {
  const answer = await send({ type: 'banner:get' });
  if (!answer.show) return;
  const organization = answer.organizationName ?? t('nudgeYourOrganization');

  const host = document.createElement('daylight-banner');
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = STYLE;
  const banner = document.createElement('section');
  banner.className = 'banner';
  banner.setAttribute('role', 'region');
  banner.setAttribute('aria-label', t('bannerLabel'));

  const text = document.createElement('p');
  text.className = 'text';
  if (answer.alternative === null) {
    text.textContent = t('bannerReminder', [organization, answer.toolName]);
  } else {
    text.append(`${t('bannerAlternative', [organization, answer.alternative.name])} `);
    const link = document.createElement('a');
    link.href = answer.alternative.url;
    link.textContent = t('nudgeOpenAlternative', [answer.alternative.name]);
    text.append(link);
  }

  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '✕';
  close.setAttribute('aria-label', t('bannerDismiss'));
  close.addEventListener('click', () => {
    host.remove();
    void send({ type: 'banner:dismiss' });
  });

  banner.append(text, close);
  root.append(style, banner);
  document.documentElement.append(host);
}
