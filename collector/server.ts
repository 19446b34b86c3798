/**
 * The collector (ARCHITECTURE.md "The collector"): receives usage reports
 * (docs/spec/report-protocol.md), serves the policy to the fleet, and shows the counts
 * to admins who signed in. node:http and nothing else: a dozen routes do not
 * need a framework, and ingestion stays fast.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AdminAuth } from './admin-auth';
import { countsCsv, parseCountFilter } from './counts-api';
import { DEFAULT_K, createDashboardApi, type DashboardApi } from './dashboard-api';
import { ASSETS_ROUTE, createDashboardAssets, findDashboardDir, routeName } from './dashboard-assets';
import { BASE_HEADERS, JSON_TYPE, pathOf, reply, replyJson, type Exchange } from './http';
import { stdoutLog, timestamped, type Log } from './log';
import { hostCheck, isLoopbackHost, publicHost } from './hosts';
import { createSignIn, redirect } from './sign-in';
import { unknownValues } from './known-values';
import { PolicyFile, type ServedFile } from './policy-file';
import { DEFAULT_RETAIN_DAYS, scheduleRetention } from './retention';
import { ADMIN_TOKEN_FILE, REPORTING_TOKEN_FILE, reportingToken, writeTokenFile } from './tokens';
import { createReportsHandler } from './reports';
import { startShownMaker } from './shown-maker';
import { openSqliteStore } from './sqlite-store';
import { TokenBucket } from './token-bucket';
import { HSTS, createListener, hstsFor, type TlsFiles } from './tls';

export const DEFAULT_PORT = 8787;
/** Far above what a fleet sends (50,000 devices reporting daily is under 1 a second) and well under what one core ingests. */
export const DEFAULT_MAX_REPORTS_PER_SECOND = 1000;
/** Headers must arrive within 10 s and a whole request within 30 s, so slow clients cannot hold connections (slowloris). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for connections past those limits (its default, 30 s, would let them last 40 s). */
const TIMEOUT_CHECK_MS = 2_000;
/** On close, requests under way get this long to finish before their connections are cut. */
const CLOSE_GRACE_MS = 5_000;

export interface CollectorOptions {
  /** Default 8787; 0 picks a free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1; `daylight serve` listens on 0.0.0.0. */
  readonly host?: string | undefined;
  /** Where the database lives; created if missing. */
  readonly dataDir: string;
  /**
   * A policy file to serve at /v1/policy (and FILE.sig at /v1/policy.sig). With it, a report's policyRevision must
   * be one this collector has served (docs/spec/report-protocol.md "Groups and revisions").
   */
  readonly policyFile?: string | undefined;
  /** The groups a report may name (collector/groups-file.ts); without them, any group. */
  readonly groups?: readonly string[] | undefined;
  /**
   * The collector is behind a reverse proxy that appends X-Forwarded-For: limits per client address (sign-in tries,
   * reports in flight) go by the address it names, not by the proxy's. Off by default: a client could name any.
   */
  readonly trustProxy?: boolean | undefined;
  /** Days kept (retention.ts); older ones are deleted, and reports of them refused. Default DEFAULT_RETAIN_DAYS. */
  readonly retainDays?: number | undefined;
  /** HTTPS with this certificate and key (tls.ts), reloaded when the files change; plain HTTP without. */
  readonly tls?: TlsFiles | undefined;
  /** The URL the fleet and the admins reach the collector at: requests naming another Host get 421 (hosts.ts). */
  readonly publicUrl?: string | undefined;
  /** Without it, a token is generated at first start (see `generatedAdminToken`) and kept hashed. */
  readonly adminToken?: string | undefined;
  /**
   * Reports must carry `Authorization: Bearer <reportingToken>`. Without it, a token is generated at first start
   * (see `generatedReportingToken`) and kept hashed; null runs the collector open, with no token.
   */
  readonly reportingToken?: string | null | undefined;
  /** Server-wide; past it, 429 with Retry-After. Default DEFAULT_MAX_REPORTS_PER_SECOND, bursts of one second's worth. */
  readonly maxReportsPerSecond?: number | undefined;
  /** The dashboard hides a group's cell that fewer than k people are behind (docs/spec/report-protocol.md). Default 5. */
  readonly k?: number | undefined;
  /** Receives every log entry (default: a JSON line on stdout). */
  readonly log?: ((entry: Record<string, unknown>) => void) | undefined;
  /** The built dashboard (index.html, assets/); default dist/dashboard of this package. */
  readonly dashboardDir?: string | undefined;
}

export interface Collector {
  /** Where to reach it from this machine, e.g. http://127.0.0.1:8787 or https://127.0.0.1:8443 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The admin token generated at this start; null when it was given or generated earlier. Never printed. */
  readonly generatedAdminToken: string | null;
  /** Likewise the reporting token, for the fleet's managed `reportingToken`. */
  readonly generatedReportingToken: string | null;
  /** The file (0600) holding the generated admin token, while it is there; null when the token was given. */
  readonly adminTokenFile: string | null;
  /** Likewise for the reporting token; null when it was given or is off. */
  readonly reportingTokenFile: string | null;
  /** Whether reports need a token. */
  readonly reportingTokenRequired: boolean;
  /** Stops listening, lets requests under way finish, closes the database. */
  close(): Promise<void>;
}

type Handler = (ex: Exchange) => void | Promise<void>;

interface Route {
  /** public: the fleet's routes and signing in; admin: everything else needs a session. */
  readonly access: 'public' | 'admin';
  /** How "not signed in" is answered: 401 for an API, a redirect to the sign-in page for a page. */
  readonly kind: 'api' | 'page';
  readonly methods: Readonly<Partial<Record<string, Handler>>>;
}

/** A thrown error's words for the log: its message only, never a request's content. */
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// Long: a factory; the routes table and its short handlers share the store, the sign-in and the log.
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const log: Log = timestamped(options.log ?? stdoutLog);
  const rate = options.maxReportsPerSecond ?? DEFAULT_MAX_REPORTS_PER_SECOND;
  if (!(rate > 0)) throw new RangeError(`maxReportsPerSecond must be above 0, not ${rate}`);
  const k = options.k ?? DEFAULT_K;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number from 1, not ${k}`);
  const retainDays = options.retainDays ?? DEFAULT_RETAIN_DAYS;
  if (!Number.isInteger(retainDays) || retainDays < 1) {
    throw new RangeError(`retainDays must be a whole number from 1, not ${retainDays}`);
  }
  // Made before anything opens, so that a bad URL stops the start; made again with the port listened on.
  let knownHost = hostCheck(options.publicUrl, options.port ?? DEFAULT_PORT);
  const publicHostName = options.publicUrl === undefined ? '' : publicHost(options.publicUrl);
  // Bursts of one second's worth: a fleet that wakes together is spread by Retry-After, not refused outright.
  const capacity = new TokenBucket(rate, Math.max(1, rate));
  const store = openSqliteStore(options.dataDir);
  const adminTokenFile = join(options.dataDir, ADMIN_TOKEN_FILE);
  const reportingTokenFile = join(options.dataDir, REPORTING_TOKEN_FILE);
  // Makes the shown rows between reports, from now on: after an upgrade or with a new k, every day is to be made.
  const shown = startShownMaker(store, k, log);
  const closeStore = async (): Promise<void> => {
    shown.stop();
    await shown.idle();
    store.close();
  };
  let policy: PolicyFile | null = null;
  let auth: AdminAuth;
  let dashboardApi: DashboardApi;
  let token: ReturnType<typeof reportingToken>;
  try {
    auth = new AdminAuth(store, options.adminToken, (generated) => writeTokenFile(adminTokenFile, generated));
    token = reportingToken(store, options.reportingToken, (generated) => writeTokenFile(reportingTokenFile, generated));
    if (options.policyFile !== undefined) policy = new PolicyFile(options.policyFile, log);
    dashboardApi = createDashboardApi({
      store,
      k,
      groups: options.groups ?? [],
      policy: () => policy?.current ?? null,
      now: () => new Date(),
      log,
      shownReady: () => shown.ready(),
    });
  } catch (error) {
    policy?.close();
    await closeStore();
    throw error;
  }

  /** The revision of the policy in force, kept as served (a device may report under it long after it changed). */
  const served = (): string | null => {
    if (policy === null) return null;
    const { revision } = policy.current;
    if (revision !== lastServed) store.addServedRevision((lastServed = revision));
    return revision;
  };
  let lastServed: string | null = null;
  served();
  const groups = options.groups === undefined ? null : new Set(options.groups);
  const reports = createReportsHandler({
    store,
    capacity,
    reportingTokenHash: token.hash,
    now: () => new Date(),
    daysBack: retainDays - 1,
    trustProxy: options.trustProxy === true,
    unknown: unknownValues(
      store,
      groups,
      policy === null ? null : (revision) => served() === revision || store.hasServedRevision(revision),
    ),
  });
  const dashboard = createDashboardAssets(options.dashboardDir ?? findDashboardDir());

  const host = options.host ?? '127.0.0.1';
  // Other machines reach it and nothing encrypts: the sign-in page says so to whoever is not behind a TLS proxy.
  const plainHttpOnNetwork = options.tls === undefined && !isLoopbackHost(host);
  const { showLogin, login, logout } = createSignIn(auth, options.trustProxy === true, plainHttpOnNetwork);
  const routes = new Map<string, Route>([
    ['/v1/reports', { access: 'public', kind: 'api', methods: { POST: reports } }],
    [
      '/v1/policy',
      {
        access: 'public',
        kind: 'api',
        methods: { GET: (ex) => serveFile(ex, policy?.current.policy ?? null, JSON_TYPE) },
      },
    ],
    [
      '/v1/policy.sig',
      {
        access: 'public',
        kind: 'api',
        methods: { GET: (ex) => serveFile(ex, policy?.current.signature ?? null, 'text/plain; charset=utf-8') },
      },
    ],
    ['/healthz', { access: 'public', kind: 'api', methods: { GET: (ex) => replyJson(ex, 200, { status: 'ok' }) } }],
    ['/login', { access: 'public', kind: 'page', methods: { GET: showLogin, POST: login } }],
    ['/logout', { access: 'public', kind: 'page', methods: { POST: logout } }],
    ['/', { access: 'admin', kind: 'page', methods: { GET: dashboard.index } }],
    [ASSETS_ROUTE, { access: 'admin', kind: 'page', methods: { GET: dashboard.asset } }],
    ['/api/v1/counts', { access: 'admin', kind: 'api', methods: { GET: (ex) => counts(ex, 'json') } }],
    ['/api/v1/counts.csv', { access: 'admin', kind: 'api', methods: { GET: (ex) => counts(ex, 'csv') } }],
    ['/api/v1/dashboard', { access: 'admin', kind: 'api', methods: { GET: dashboardApi.json } }],
    ['/api/v1/dashboard.csv', { access: 'admin', kind: 'api', methods: { GET: dashboardApi.csv } }],
  ]);

  async function counts(ex: Exchange, format: 'json' | 'csv'): Promise<void> {
    const query = ex.req.url?.includes('?') === true ? ex.req.url.slice(ex.req.url.indexOf('?') + 1) : '';
    const parsed = parseCountFilter(new URLSearchParams(query));
    if (!parsed.ok) {
      replyJson(ex, 400, { error: parsed.error });
      return;
    }
    await shown.ready();
    // Only what the dashboard may show too (collector/release.ts): the counts of the released group cells.
    const rows = store.shownCounts(parsed.filter, k);
    if (format === 'json') {
      replyJson(ex, 200, { rows });
      return;
    }
    const csv = countsCsv(rows);
    reply(
      ex,
      200,
      {
        ...BASE_HEADERS,
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': 'attachment; filename="daylight-counts.csv"',
        'content-length': Buffer.byteLength(csv),
      },
      csv,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    const name = routeName(path);
    const route = routes.get(name);
    const ex: Exchange = { req, res, route: route === undefined ? '(unknown)' : name, started: performance.now(), log };
    // /healthz says nothing, and a load balancer's check may name the address rather than the public host.
    if (name !== '/healthz' && !knownHost(req.headers.host)) {
      replyJson(ex, 421, { error: `this collector answers to ${publicHostName} (daylight serve --public-url)` });
      return;
    }
    if (options.tls !== undefined && hstsFor(req.headers.host)) res.setHeader('strict-transport-security', HSTS);
    // Unknown paths are private too: without a session, nothing says which paths exist.
    const access = route?.access ?? 'admin';
    const kind = route?.kind ?? (path.startsWith('/api/') || path.startsWith('/v1/') ? 'api' : 'page');
    try {
      if (access === 'admin' && !auth.hasSession(req)) {
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
  }

  let listener: ReturnType<typeof createListener> | null = null;
  try {
    listener = createListener(
      {
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      },
      options.tls,
      (req, res) => void handle(req, res),
      log,
    );
    const { server } = listener;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    listener?.stop();
    policy?.close();
    await closeStore();
    throw error;
  }
  const { server, stop: stopWatchingTls } = listener;
  const { port } = server.address() as AddressInfo;
  knownHost = hostCheck(options.publicUrl, port);
  const retention = scheduleRetention(store, retainDays, () => new Date(), log);
  const url = `${options.tls === undefined ? 'http' : 'https'}://${urlHost(host)}:${port}`;
  log({ level: 'info', msg: 'listening', host, port });

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    generatedAdminToken: auth.generatedToken,
    generatedReportingToken: token.generated,
    adminTokenFile: options.adminToken === undefined && existsSync(adminTokenFile) ? adminTokenFile : null,
    reportingTokenFile:
      options.reportingToken === undefined && existsSync(reportingTokenFile) ? reportingTokenFile : null,
    reportingTokenRequired: token.hash !== null,
    close() {
      closing ??= new Promise<void>((resolve) => {
        policy?.close();
        stopWatchingTls();
        retention.stop();
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          // A day being deleted is one transaction: the run stops between two.
          void retention
            .idle()
            .then(closeStore)
            .then(() => {
              log({ level: 'info', msg: 'stopped' });
              resolve();
            });
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** A listening address as this machine reaches it: the wildcard addresses through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches "x". */
function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

function serveFile(ex: Exchange, file: ServedFile | null, contentType: string): void {
  if (file === null) {
    replyJson(ex, 404, { error: 'not served here' });
    return;
  }
  // no-cache: kept, but asked again each time, so an edit reaches the fleet at its next refresh.
  const headers = { ...BASE_HEADERS, 'cache-control': 'no-cache', etag: file.etag };
  const ifNoneMatch = ex.req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, file.etag)) {
    reply(ex, 304, headers, '');
    return;
  }
  reply(ex, 200, { ...headers, 'content-type': contentType, 'content-length': file.body.length }, file.body);
}
