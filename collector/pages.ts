/**
 * The collector's own HTML: the sign-in page, and the page shown instead of
 * the dashboard (dashboard/, served by dashboard-assets.ts) when it was not
 * built. Plain forms, no script, so they work with JavaScript off; light and
 * dark follow the system. The one stylesheet is inline and allowed by its
 * hash, so the CSP can stay at default-src 'self' with no 'unsafe-inline'.
 */
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import PALETTE from '../components/palette.css?raw';
import { BASE_HEADERS } from './http';

const STYLE = `
${PALETTE}
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 28rem; margin: 4rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input { box-sizing: border-box; width: 100%; font: inherit; padding: 0.5rem; color: inherit; background: var(--bg); border: 1px solid var(--border); border-radius: 6px; }
button { font: inherit; font-weight: 600; margin-top: 1rem; padding: 0.5rem 1.25rem; color: var(--accent-fg); background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
a { color: var(--accent); }
.hint { color: var(--muted); font-size: 0.875rem; }
.error { color: var(--error); font-weight: 600; }
.warning { padding: 0.75rem 1rem; border: 2px solid var(--error); border-radius: 6px; }
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export const HTML_HEADERS: OutgoingHttpHeaders = {
  ...BASE_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'self'; style-src ${STYLE_HASH}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'`,
  'referrer-policy': 'no-referrer',
};

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Daylight collector</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
}

/**
 * The sign-in form; `error` is shown above it and announced to screen readers. `plainHttp`: the page was reached
 * over the network without TLS, so the token would cross it in clear; said before the field, where it is read first.
 */
export function loginPage(error: string | null, plainHttp = false): string {
  const described = [error === null ? '' : 'login-error', plainHttp ? 'plain-http' : '', 'token-hint']
    .filter(Boolean)
    .join(' ');
  return page(
    'Sign in',
    `<h1>Daylight collector</h1>
${plainHttp ? `<p id="plain-http" class="warning"><strong>Not encrypted.</strong> This collector is reached over plain HTTP, so the admin token and the counts cross the network in clear. Give it a certificate (<code>daylight serve --tls-cert</code>) or put a TLS proxy in front of it (docs/deploy.md).</p>` : ''}
${error === null ? '' : `<p id="login-error" class="error" role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus aria-describedby="${described}"${error === null ? '' : ' aria-invalid="true"'}>
<p id="token-hint" class="hint">In <code>admin-token</code> of the collector's data folder, written at its first start, or the value of DAYLIGHT_ADMIN_TOKEN.</p>
<button type="submit">Sign in</button>
</form>`,
  );
}

/**
 * What a signed-in admin sees at / when the dashboard was not built (dist/dashboard is made by
 * `npm run build:dashboard`, which `npm install` runs): how to build it, and the counts meanwhile.
 */
export function dashboardMissingPage(): string {
  return page(
    'Dashboard not built',
    `<h1>Daylight collector</h1>
<p role="alert" class="error">The dashboard has not been built.</p>
<p>Run <code>npm run build:dashboard</code> where Daylight is installed, then reload this page.</p>
<p>Meanwhile, the counts per day, tool, event, group and policy revision:
<a href="/api/v1/counts.csv">download as CSV</a> or <a href="/api/v1/counts">as JSON</a>.</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`,
  );
}
