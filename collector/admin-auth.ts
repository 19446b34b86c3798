/**
 * Who may see the counts: whoever holds the admin token. It comes from the
 * options (DAYLIGHT_ADMIN_TOKEN for `daylight serve`) or is generated at first
 * start (256 random bits), shown once and kept only as its SHA-256. Signing in
 * with it starts a session: a random cookie value, stored as its SHA-256 too,
 * so neither a copy of the database nor of the logs lets anyone in.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CollectorStore } from './store';
import { LoginLimits } from './login-limits';
import { givenOrGenerated, sha256 } from './tokens';

export const SESSION_COOKIE = 'daylight_session';
export const SESSION_SECONDS = 12 * 60 * 60;
/** A token someone chose must not be guessable in the few tries a minute the login allows. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

export class AdminAuth {
  readonly #store: CollectorStore;
  readonly #tokenHash: Buffer;
  /** The token generated at this start, to be shown once; null when it was given or generated before. */
  readonly generatedToken: string | null;
  /** Wrong tokens, per address and server-wide (login-limits.ts). */
  readonly loginLimits = new LoginLimits();

  /** `keep` writes a generated token where its admin finds it (tokens.ts writeTokenFile). */
  constructor(store: CollectorStore, adminToken: string | undefined, keep: (token: string) => void) {
    this.#store = store;
    if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
      throw new Error(`the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters long`);
    }
    const token = givenOrGenerated(
      adminToken,
      store.getGeneratedAdminTokenHash(),
      (hash) => store.setGeneratedAdminTokenHash(hash),
      keep,
    );
    this.#tokenHash = token.hash;
    this.generatedToken = token.generated;
    store.endSessionsOfOtherTokens(this.#tokenHash);
  }

  /** In constant time: hashes of equal length are compared, whatever was typed. */
  isAdminToken(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.#tokenHash);
  }

  /** A new session's cookie value, valid for SESSION_SECONDS. */
  startSession(): string {
    const now = Date.now();
    this.#store.deleteExpiredSessions(now);
    const value = randomBytes(32).toString('base64url');
    this.#store.addSession(sha256(value), now + SESSION_SECONDS * 1000);
    return value;
  }

  hasSession(req: IncomingMessage): boolean {
    const value = sessionCookie(req);
    return value !== null && this.#store.hasSession(sha256(value), Date.now());
  }

  endSession(req: IncomingMessage): void {
    const value = sessionCookie(req);
    if (value !== null) this.#store.deleteSession(sha256(value));
  }
}

function sessionCookie(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Secure when the browser reached us over https, directly or through a proxy that says so. */
export function isHttps(req: IncomingMessage): boolean {
  return (
    ('encrypted' in req.socket && req.socket.encrypted === true) ||
    req.headers['x-forwarded-proto']?.toString().split(',')[0]?.trim().toLowerCase() === 'https'
  );
}

export function sessionCookieHeader(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${SESSION_SECONDS}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookieHeader(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
