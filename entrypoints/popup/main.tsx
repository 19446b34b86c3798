import { render } from 'preact';
import { browser } from 'wxt/browser';
import { PopupStatus } from '../../components/popup-status';

const root = document.getElementById('app');
if (root) render(<PopupStatus t={(key) => browser.i18n.getMessage(key)} />, root);
