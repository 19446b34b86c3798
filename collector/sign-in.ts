/**
 * GET and POST /login, POST /logout: the admin's sign-in with the admin token (admin-auth.ts), paused per address and
 * never for the right token (login-limits.ts), on the sign-in page of pages.ts.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { clearedSessionCookieHeader, isHttps, sessionCookieHeader, type AdminAuth } from './admin-auth';
import { BASE_HEADERS, clientAddress, readBody, reply, type Exchange } from './http';
import { HTML_HEADERS, loginPage } from './pages';

const MAX_LOGIN_BODY_BYTES = 4096;

function replyHtml(ex: Exchange, status: number, html: string, headers?: OutgoingHttpHeaders): void {
  reply(ex, status, { ...HTML_HEADERS, 'content-length': Buffer.byteLength(html), ...headers }, html);
}

/** 303 to `location`. */
export function redirect(ex: Exchange, location: string, headers?: OutgoingHttpHeaders): void {
  reply(ex, 303, { ...BASE_HEADERS, location, 'content-length': 0, ...headers }, '');
}

/**
 * `trustProxy`: the collector is behind a reverse proxy that appends X-Forwarded-For (http.ts clientAddress).
 * `plainHttpOnNetwork`: it listens on the network without TLS of its own; a sign-in that did not come through a TLS
 * proxy (X-Forwarded-Proto: https) is then warned that the token crosses the network in clear.
 */
export function createSignIn(auth: AdminAuth, trustProxy: boolean, plainHttpOnNetwork: boolean) {
  const page = (ex: Exchange, error: string | null): string => loginPage(error, plainHttpOnNetwork && !isHttps(ex.req));

  function tooManyWrongTokens(ex: Exchange, seconds: number, why: string): void {
    replyHtml(ex, 429, page(ex, `${why} Try again in ${seconds} seconds.`), { 'retry-after': String(seconds) });
  }

  function showLogin(ex: Exchange): void {
    if (auth.hasSession(ex.req)) redirect(ex, '/');
    else replyHtml(ex, 200, page(ex, null));
  }

  async function login(ex: Exchange): Promise<void> {
    const limits = auth.loginLimits;
    // Held by the limits in memory only: never stored or logged.
    const address = clientAddress(ex.req, trustProxy);
    // Taken before the token is read: an address out of tries has none looked at, right or wrong, for a while.
    const paused = limits.tryFrom(address);
    if (paused > 0) {
      tooManyWrongTokens(ex, paused, 'Too many wrong tokens were tried from here.');
      return;
    }
    const body = await readBody(ex.req, MAX_LOGIN_BODY_BYTES);
    const token = body === null ? null : new URLSearchParams(body.toString('utf8')).get('token');
    if (token !== null && auth.isAdminToken(token)) {
      redirect(ex, '/', { 'set-cookie': sessionCookieHeader(auth.startSession(), isHttps(ex.req)) });
      return;
    }
    limits.wrongToken();
    // Past the ceiling of wrong tokens from everywhere: the right token was still taken above.
    const everywhere = limits.serverPausedFor();
    if (everywhere > 0) {
      tooManyWrongTokens(ex, everywhere, 'Too many wrong tokens were tried.');
      return;
    }
    replyHtml(ex, 401, page(ex, 'That is not the admin token.'), body === null ? { connection: 'close' } : undefined);
  }

  function logout(ex: Exchange): void {
    auth.endSession(ex.req);
    redirect(ex, '/login', { 'set-cookie': clearedSessionCookieHeader(isHttps(ex.req)) });
  }

  return { showLogin, login, logout };
}
