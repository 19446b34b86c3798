import { render } from 'preact';
import { App } from './app';
import { text } from './strings';
import '../components/theme.css';
import './dashboard.css';

document.title = text.documentTitle;
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
