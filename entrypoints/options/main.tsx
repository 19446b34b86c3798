import { render } from 'preact';
import { browser } from 'wxt/browser';
import type { Translate } from '../../components/i18n';
import { OptionsPage } from '../../components/options-page';
import type { SurfaceRequest, SurfaceResponse } from '../../lib/protocol/messages';
import '../../components/theme.css';
import '../../components/options-page.css';

const t: Translate = (key, substitutions) => browser.i18n.getMessage(key, substitutions);
const locale = browser.i18n.getUILanguage();

document.documentElement.lang = locale;
document.title = t('optionsTitle');
const root = document.getElementById('app');
if (root) {
  render(
    <OptionsPage
      load={() => browser.runtime.sendMessage<SurfaceRequest, SurfaceResponse>({ type: 'options:get' })}
      sendNow={() => browser.runtime.sendMessage<SurfaceRequest, SurfaceResponse>({ type: 'options:send-now' })}
      t={t}
      locale={locale}
    />,
    root,
  );
}
