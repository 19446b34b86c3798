import { render } from 'preact';
import { browser } from 'wxt/browser';
import type { FrameRequest, FrameResponse } from '../../lib/protocol/messages';
import { FRAMED_PAGE_PATH, originalUrl } from '../../lib/protocol/nudge-url';
import type { Translate } from '../../components/i18n';
import { FramedPage } from '../../components/framed-page';
import '../../components/theme.css';
import '../../components/framed-page.css';

// The URL the frame asked for travels in the fragment (lib/protocol/nudge-url.ts), as on the nudge page.
const asked = originalUrl(browser.runtime.getURL(FRAMED_PAGE_PATH), location.href) ?? '';
const ask = (request: FrameRequest) => browser.runtime.sendMessage<FrameRequest, FrameResponse>(request);
const t: Translate = (key, substitutions) => browser.i18n.getMessage(key, substitutions);

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = t('nudgePageTitle');
const root = document.getElementById('app');
if (root) {
  render(
    <FramedPage
      originalUrl={asked}
      load={() => ask({ type: 'frame:get', url: asked })}
      pass={() => ask({ type: 'frame:pass', url: asked })}
      openInTab={() => ask({ type: 'frame:open', url: asked })}
      navigate={(url) => location.replace(url)}
      t={t}
    />,
    root,
  );
}
