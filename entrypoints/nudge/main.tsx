import { render } from 'preact';
import { browser } from 'wxt/browser';
import type { NudgeRequest, NudgeResponse } from '../../lib/protocol/messages';
import { NUDGE_PAGE_PATH, originalUrl } from '../../lib/protocol/nudge-url';
import type { Translate } from '../../components/i18n';
import { NudgePage } from '../../components/nudge-page';
import '../../components/theme.css';
import '../../components/nudge-page.css';

// The exact URL the person asked for travels in the fragment (lib/protocol/nudge-url.ts); it is used only to continue.
const asked = originalUrl(browser.runtime.getURL(NUDGE_PAGE_PATH), location.href) ?? '';
const ask = (request: NudgeRequest) => browser.runtime.sendMessage<NudgeRequest, NudgeResponse>(request);
const t: Translate = (key, substitutions) => browser.i18n.getMessage(key, substitutions);

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = t('nudgePageTitle');
const root = document.getElementById('app');
// Never inside another site's frame: a page could otherwise dress up Continue as its own button.
if (root && window.top === window) {
  render(
    <NudgePage
      originalUrl={asked}
      load={() => ask({ type: 'nudge:get', url: asked })}
      pass={() => ask({ type: 'nudge:pass', url: asked })}
      continueTo={(reason) => ask({ type: 'nudge:continue', url: asked, ...(reason !== undefined && { reason }) })}
      navigate={(url) => location.replace(url)}
      t={t}
      locale={browser.i18n.getUILanguage()}
    />,
    root,
  );
}
