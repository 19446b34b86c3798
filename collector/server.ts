/**
 * The collector (ARCHITECTURE.md "The collector"): receives usage reports
 * (docs/spec/report-protocol.md), serves the policy to the fleet, and shows the counts
 * to admins who signed in. node:http and nothing else: a dozen routes do not
 * need a framework, and ingestion stays fast.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AdminAuth } from './admin-auth';
import { createCountsApi } from './counts-api';
import { DEFAULT_K, createDashboardApi, type DashboardApi } from './dashboard-api';
import { ASSETS_ROUTE, createDashboardAssets, findDashboardDir, routeName } from './dashboard-assets';
import { createDispatch, type Listening, type Route } from './dispatch';
import { JSON_TYPE, replyJson } from './http';
import { stdoutLog, timestamped, type Log } from './log';
import { adminHostCheck, hostCheck, isLoopbackHost, publicHost } from './hosts';
import { createSignIn } from './sign-in';
import { unknownValues } from './known-values';
import { bind, type Bound } from './listen';
import { PolicyFile, serveFile } from './policy-file';
import { DEFAULT_RETAIN_DAYS, scheduleRetention } from './retention';
import { ADMIN_TOKEN_FILE, REPORTING_TOKEN_FILE, reportingToken, writeTokenFile } from './tokens';
import { createReportsHandler } from './reports';
import { startShownMaker } from './shown-maker';
import { openSqliteStore } from './sqlite-store';
import { TokenBucket } from './token-bucket';
import type { TlsFiles } from './tls';

export const DEFAULT_PORT = 8787;
/** Far above what a fleet sends (50,000 devices reporting daily is under 1 a second) and well under what one core ingests. */
export const DEFAULT_MAX_REPORTS_PER_SECOND = 1000;
const TEXT_TYPE = 'text/plain; charset=utf-8';

export interface CollectorOptions {
  /** Default 8787; 0 picks a free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1; `daylight serve` listens on 0.0.0.0. */
  readonly host?: string | undefined;
  /**
   * A port of the admins' own (0 picks a free one): the sign-in, the dashboard and its APIs are served there only,
   * and `port` serves the fleet's routes only (dispatch.ts). Without it, one port serves both.
   */
  readonly adminPort?: number | undefined;
  /** Where the admins' port listens; default 127.0.0.1, reached through an SSH tunnel or a proxy of the admins'. */
  readonly adminHost?: string | undefined;
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
  /** Where to reach the admins' port from this machine, with `adminPort`; null when one port serves both. */
  readonly adminUrl: string | null;
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
  hostCheck(options.publicUrl, options.port ?? DEFAULT_PORT);
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
  const adminHost = options.adminHost ?? '127.0.0.1';
  const split = options.adminPort !== undefined;
  // Other machines reach the sign-in and nothing encrypts: the page says so to whoever is not behind a TLS proxy.
  const plainHttpOnNetwork = options.tls === undefined && !isLoopbackHost(split ? adminHost : host);
  // --trust-proxy is the fleet's port's: an admin port of its own takes the address of its connection, so that a
  // made-up X-Forwarded-For cannot spread one host's sign-in tries over many addresses there.
  const signInTrustsProxy = options.trustProxy === true && !split;
  const { showLogin, login, logout } = createSignIn(auth, signInTrustsProxy, plainHttpOnNetwork);
  const counts = createCountsApi(store, k, () => shown.ready());
  const fleet = (methods: Route['methods']): Route => ({ surface: 'fleet', access: 'public', kind: 'api', methods });
  const admin = (kind: Route['kind'], methods: Route['methods']): Route => ({
    surface: 'admin',
    access: 'admin',
    kind,
    methods,
  });
  const routes = new Map<string, Route>([
    ['/v1/reports', fleet({ POST: reports })],
    ['/v1/policy', fleet({ GET: (ex) => serveFile(ex, policy?.current.policy ?? null, JSON_TYPE) })],
    ['/v1/policy.sig', fleet({ GET: (ex) => serveFile(ex, policy?.current.signature ?? null, TEXT_TYPE) })],
    [
      '/healthz',
      {
        surface: 'both',
        access: 'public',
        kind: 'api',
        methods: { GET: (ex) => replyJson(ex, 200, { status: 'ok' }) },
      },
    ],
    ['/login', { surface: 'admin', access: 'public', kind: 'page', methods: { GET: showLogin, POST: login } }],
    ['/logout', { surface: 'admin', access: 'public', kind: 'page', methods: { POST: logout } }],
    ['/', admin('page', { GET: dashboard.index })],
    [ASSETS_ROUTE, admin('page', { GET: dashboard.asset })],
    ['/api/v1/counts', admin('api', { GET: (ex) => counts(ex, 'json') })],
    ['/api/v1/counts.csv', admin('api', { GET: (ex) => counts(ex, 'csv') })],
    ['/api/v1/dashboard', admin('api', { GET: dashboardApi.json })],
    ['/api/v1/dashboard.csv', admin('api', { GET: dashboardApi.csv })],
  ]);
  const dispatch = createDispatch({
    routes,
    routeName,
    hasSession: (req) => auth.hasSession(req),
    tls: options.tls !== undefined,
    log,
  });

  // Made again once the ports are known (port 0 picks one): until then no request arrives.
  let fleetListening: Listening = { surfaces: [], knownHost: () => false, otherHost: '' };
  let adminListening: Listening = fleetListening;
  const bound: Bound[] = [];
  try {
    const main = await bind(
      options.port ?? DEFAULT_PORT,
      host,
      options.tls,
      (req, res) => {
        void dispatch(req, res, fleetListening);
      },
      log,
      options.trustProxy !== true,
    );
    bound.push(main);
    fleetListening = {
      surfaces: split ? ['fleet'] : ['fleet', 'admin'],
      knownHost: hostCheck(options.publicUrl, main.port),
      otherHost: `this collector answers to ${publicHostName} (daylight serve --public-url)`,
    };
    if (options.adminPort !== undefined) {
      const admins = await bind(
        options.adminPort,
        adminHost,
        options.tls,
        (req, res) => {
          void dispatch(req, res, adminListening);
        },
        log,
        true,
      );
      bound.push(admins);
      adminListening = {
        surfaces: ['admin'],
        knownHost: adminHostCheck(options.publicUrl, adminHost),
        otherHost: 'this dashboard answers to its public name and to this machine (daylight serve --admin-port)',
      };
    }
  } catch (error) {
    await Promise.all(bound.map((listener) => listener.close()));
    policy?.close();
    await closeStore();
    throw error;
  }
  const [main, admins] = bound as [Bound, Bound | undefined];
  const retention = scheduleRetention(store, retainDays, () => new Date(), log);

  let closing: Promise<void> | null = null;
  return {
    url: main.url,
    port: main.port,
    adminUrl: admins?.url ?? null,
    generatedAdminToken: auth.generatedToken,
    generatedReportingToken: token.generated,
    adminTokenFile: options.adminToken === undefined && existsSync(adminTokenFile) ? adminTokenFile : null,
    reportingTokenFile:
      options.reportingToken === undefined && existsSync(reportingTokenFile) ? reportingTokenFile : null,
    reportingTokenRequired: token.hash !== null,
    close() {
      closing ??= (async () => {
        policy?.close();
        retention.stop();
        await Promise.all(bound.map((listener) => listener.close()));
        // A day being deleted is one transaction: the run stops between two.
        await retention.idle();
        await closeStore();
        log({ level: 'info', msg: 'stopped' });
      })();
      return closing;
    },
  };
}
