/**
 * One request, from its arrival to its route's handler: the Host check (hosts.ts), HSTS, the sign-in an admin route
 * needs, 404 and 405, and a handler's error turned into a 500 that says nothing of the request.
 *
 * A route belongs to the fleet's surface (reports, the policy) or the admins' (the sign-in, the dashboard, the
 * APIs behind it). With `daylight serve --admin-port`, each listener serves its own surface only: the fleet's port
 * knows nothing of the sign-in, so the network the fleet reaches it from cannot try tokens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf, replyJson, type Exchange } from './http';
import type { HostCheck } from './hosts';
import type { Log } from './log';
import { redirect } from './sign-in';
import { HSTS, hstsFor } from './tls';

export type Handler = (ex: Exchange) => void | Promise<void>;

export type Surface = 'fleet' | 'admin';

export interface Route {
  /** Which listener serves it when the admins have a port of their own; /healthz is on both. */
  readonly surface: Surface | 'both';
  /** public: the fleet's routes and signing in; admin: everything else needs a session. */
  readonly access: 'public' | 'admin';
  /** How "not signed in" is answered: 401 for an API, a redirect to the sign-in page for a page. */
  readonly kind: 'api' | 'page';
  readonly methods: Readonly<Partial<Record<string, Handler>>>;
}

export interface Listening {
  /** The surfaces this listener serves: both, or the one of its port. */
  readonly surfaces: readonly Surface[];
  /** Whether a request's Host names this listener (hosts.ts). */
  readonly knownHost: HostCheck;
  /** What a request naming another host is told: the name to use. */
  readonly otherHost: string;
}

export interface DispatchOptions {
  readonly routes: ReadonlyMap<string, Route>;
  /** The route a path belongs to (dashboard-assets.ts: every file under /assets/ is one route). */
  readonly routeName: (path: string) => string;
  readonly hasSession: (req: IncomingMessage) => boolean;
  /** HTTPS: answers to a host name carry HSTS. */
  readonly tls: boolean;
  readonly log: Log;
}

/** A thrown error's words for the log: its message only, never a request's content. */
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// Long: the checks of every request, in order, each a few lines; one place so that no route skips one.
export function createDispatch(options: DispatchOptions) {
  const { routes, log } = options;
  return async function dispatch(req: IncomingMessage, res: ServerResponse, listening: Listening): Promise<void> {
    const path = pathOf(req.url);
    const name = options.routeName(path);
    const found = routes.get(name);
    const route =
      found === undefined || (found.surface !== 'both' && !listening.surfaces.includes(found.surface))
        ? undefined
        : found;
    const ex: Exchange = { req, res, route: route === undefined ? '(unknown)' : name, started: performance.now(), log };
    // /healthz says nothing, and a load balancer's check may name the address rather than the public host.
    if (name !== '/healthz' && !listening.knownHost(req.headers.host)) {
      replyJson(ex, 421, { error: listening.otherHost });
      return;
    }
    if (options.tls && hstsFor(req.headers.host)) res.setHeader('strict-transport-security', HSTS);
    // Unknown paths are private too: without a session, nothing says which paths exist. A port of the fleet's has
    // no sign-in to send anyone to.
    const admins = listening.surfaces.includes('admin');
    const access = route?.access ?? (admins ? 'admin' : 'public');
    const kind = route?.kind ?? (path.startsWith('/api/') || path.startsWith('/v1/') ? 'api' : 'page');
    try {
      if (access === 'admin' && !options.hasSession(req)) {
        if (kind === 'api') replyJson(ex, 401, { error: 'not signed in; sign in at /login' });
        else redirect(ex, '/login');
        return;
      }
      if (route === undefined) {
        replyJson(ex, 404, { error: 'no such route' });
        return;
      }
      const handler = route.methods[req.method ?? ''] ?? (req.method === 'HEAD' ? route.methods.GET : undefined);
      if (handler === undefined) {
        const allowed = Object.keys(route.methods);
        if (allowed.includes('GET')) allowed.push('HEAD');
        replyJson(ex, 405, { error: `use ${allowed.join(' or ')}` }, { allow: allowed.join(', ') });
        return;
      }
      await handler(ex);
    } catch (error) {
      if (res.headersSent || req.destroyed) {
        log({
          level: 'info',
          msg: 'request ended early',
          method: req.method,
          route: ex.route,
          reason: errorMessage(error),
        });
        return;
      }
      log({ level: 'error', msg: 'request failed', method: req.method, route: ex.route, error: errorMessage(error) });
      replyJson(ex, 500, { error: 'internal error' }, { connection: 'close' });
    }
  };
}
