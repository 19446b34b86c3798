import { render } from 'preact';
import { browser } from 'wxt/browser';
import type { Translate } from '../../components/i18n';
import { Popup } from '../../components/popup';
import type { SurfaceRequest, SurfaceResponse } from '../../lib/protocol/messages';
import { NUDGE_PAGE_PATH, originalUrl } from '../../lib/protocol/nudge-url';
import '../../components/theme.css';
import '../../components/popup.css';

const t: Translate = (key, substitutions) => browser.i18n.getMessage(key, substitutions);

/**
 * The page of the active tab. `?tab=<id>` names another tab: the popup is then opened as a page (the
 * screenshots and end-to-end tests do that, since a headless browser has no toolbar to click).
 */
async function currentPageUrl(): Promise<string | null> {
  const named = Number(new URLSearchParams(location.search).get('tab'));
  const tab =
    Number.isInteger(named) && named > 0
      ? await browser.tabs.get(named)
      : (await browser.tabs.query({ active: true, currentWindow: true }))[0];
  const url = tab?.url ?? null;
  // On the nudge page, the person is asking about the tool they tried to open, whose URL it carries.
  return url === null ? null : (originalUrl(browser.runtime.getURL(NUDGE_PAGE_PATH), url) ?? url);
}

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = t('extensionName');
const root = document.getElementById('app');
if (root) {
  render(
    <Popup
      load={async () =>
        browser.runtime.sendMessage<SurfaceRequest, SurfaceResponse>({ type: 'popup:get', url: await currentPageUrl() })
      }
      openOptions={() => void browser.runtime.openOptionsPage().then(() => window.close())}
      t={t}
      locale={browser.i18n.getUILanguage()}
    />,
    root,
  );
}
