import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../../collector/hosts';
import { EXIT_OK, EXIT_UNUSABLE, UsageError, type Io } from '../io';

export const serveHelp = `Usage: daylight serve [--port N] [--host H] [--public-url URL] [--data DIR]
                      [--tls-cert FILE --tls-key FILE] [--admin-port N [--admin-host H]]
                      [--policy FILE] [--groups FILE]

Runs the collector: receives the extension's usage reports, serves the policy
to the fleet, and shows the counts to admins who signed in. Logs one JSON
object a line on stdout (no IP address, user agent, token or body, ever);
stops cleanly on Ctrl-C or SIGTERM.

  POST /v1/reports            usage reports from the extension
  GET  /v1/policy             the --policy file, with an ETag (/v1/policy.sig: FILE.sig)
  GET  /login                 sign in with the admin token
  GET  /api/v1/counts[.csv]   the counts, as JSON or CSV, small groups hidden (signed in)
  GET  /api/v1/dashboard[.csv]  what the dashboard shows, small groups hidden (signed in)
  GET  /healthz               {"status":"ok"} while it runs

Options:
  -p, --port N                     port to listen on (default 8787)
      --host H                     address to listen on (default 0.0.0.0: every interface)
      --public-url URL             the URL the fleet and the admins use (https://daylight.example.com):
                                   a request naming another host is refused with 421, so a web page
                                   cannot reach the collector by DNS rebinding
      --tls-cert FILE              serve HTTPS with this PEM certificate (and its intermediates, as
                                   certbot's fullchain.pem); needs --tls-key. Both files are read
                                   again when they change: renewal is a file copy, no restart
      --tls-key FILE               the certificate's PEM private key, without a passphrase
      --admin-port N               serve the sign-in, the dashboard and its APIs on this port only,
                                   and on --port only what the fleet needs (reports, the policy), so
                                   that the fleet's network cannot reach the sign-in
      --admin-host H               address of the admin port (default 127.0.0.1: this machine, or an
                                   SSH tunnel to it)
  -d, --data DIR                   where the database lives (default ./data, created if missing)
      --policy FILE                a policy to serve: refused at start when invalid; when edited,
                                   reloaded, or kept at the last valid one if the edit is not.
                                   Reports must then carry a revision of it this collector served
      --groups FILE                the groups reports may name (the fleet's managed group), one a
                                   line; a report of another group is refused (default: any group)
      --max-reports-per-second N   server-wide limit, past it 429 with Retry-After (default 1000)
      --trust-proxy                behind a reverse proxy that appends X-Forwarded-For: limits per
                                   client (sign-in tries, reports in flight) go by the address it
                                   names, not the proxy's (a client could name any without a proxy)
      --retain-days N              days of counts kept (default 400); older ones are deleted at start
                                   and every hour, and reports of them refused
      --k N                        the dashboard hides a number when fewer than N people (browsers)
                                   are behind it (default 5)
      --no-reporting-token         accept reports from anyone who reaches the collector (default:
                                   reports must carry the fleet's reporting token)
  -h, --help                       show this help

Environment:
  DAYLIGHT_PORT              as --port (the option wins)
  DAYLIGHT_DATA_DIR          as --data (the option wins)
  DAYLIGHT_PUBLIC_URL        as --public-url (the option wins)
  DAYLIGHT_TLS_CERT          as --tls-cert (the option wins)
  DAYLIGHT_TLS_KEY           as --tls-key (the option wins)
  DAYLIGHT_ADMIN_PORT        as --admin-port (the option wins)
  DAYLIGHT_K                 as --k (the option wins)
  DAYLIGHT_RETAIN_DAYS       as --retain-days (the option wins)
  DAYLIGHT_ADMIN_TOKEN       the admin token, 16 characters or more; without it one is
                             generated at first start, written to DIR/admin-token (0600)
                             and kept only hashed in the database
  DAYLIGHT_REPORTING_TOKEN   the token reports must carry ("Authorization: Bearer <token>"); without
                             it one is generated at first start, written to DIR/reporting-token
                             (0600): put it in the fleet's managed reportingToken

Exit code: 0 after a clean stop, 2 when it cannot start (bad option, invalid policy or
groups file, port in use).
`;

/** Where a token is, never the token itself. */
function tokenWhere(generated: string | null, file: string | null, variable: string): string {
  if (file === null) {
    return generated === null && process.env[variable] !== undefined
      ? variable
      : `the one generated at the first start; its file in the data folder was removed (set ${variable} to replace it)`;
  }
  return `${generated === null ? 'in' : 'generated, written to'} ${file} (readable by this user only; set ${variable} to use your own)`;
}

function whole(value: string, name: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return number;
}

// Long: the flags' table, then each flag or its environment variable read in the order of --help.
export async function serveCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      data: { type: 'string', short: 'd' },
      policy: { type: 'string' },
      groups: { type: 'string' },
      'public-url': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'admin-port': { type: 'string' },
      'admin-host': { type: 'string' },
      'max-reports-per-second': { type: 'string' },
      k: { type: 'string' },
      'retain-days': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'no-reporting-token': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    io.out(serveHelp);
    return EXIT_OK;
  }
  const env = process.env;
  const portText = values.port ?? env.DAYLIGHT_PORT;
  const port =
    portText === undefined ? 8787 : whole(portText, values.port === undefined ? 'DAYLIGHT_PORT' : '--port', 0, 65535);
  const rateText = values['max-reports-per-second'];
  const maxReportsPerSecond =
    rateText === undefined ? undefined : whole(rateText, '--max-reports-per-second', 1, 1_000_000_000);
  const kText = values.k ?? env.DAYLIGHT_K;
  const k = kText === undefined ? undefined : whole(kText, values.k === undefined ? 'DAYLIGHT_K' : '--k', 1, 1_000_000);
  const retainText = values['retain-days'] ?? env.DAYLIGHT_RETAIN_DAYS;
  const retainDays =
    retainText === undefined
      ? undefined
      : whole(retainText, values['retain-days'] === undefined ? 'DAYLIGHT_RETAIN_DAYS' : '--retain-days', 1, 100_000);
  const dataDir = resolve(values.data ?? env.DAYLIGHT_DATA_DIR ?? 'data');
  const host = values.host ?? '0.0.0.0';
  const publicUrl = values['public-url'] ?? env.DAYLIGHT_PUBLIC_URL;
  const adminPortText = values['admin-port'] ?? env.DAYLIGHT_ADMIN_PORT;
  const adminPort =
    adminPortText === undefined
      ? undefined
      : whole(adminPortText, values['admin-port'] === undefined ? 'DAYLIGHT_ADMIN_PORT' : '--admin-port', 0, 65535);
  if (values['admin-host'] !== undefined && adminPort === undefined) {
    throw new UsageError('--admin-host goes with --admin-port');
  }
  const certFile = values['tls-cert'] ?? env.DAYLIGHT_TLS_CERT;
  const keyFile = values['tls-key'] ?? env.DAYLIGHT_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both (or DAYLIGHT_TLS_CERT and DAYLIGHT_TLS_KEY)');
  }
  const tls =
    certFile === undefined || keyFile === undefined
      ? undefined
      : { certFile: resolve(certFile), keyFile: resolve(keyFile) };
  if (tls !== undefined && publicUrl?.startsWith('http:') === true) {
    throw new UsageError(`--public-url must be an https URL with --tls-cert, not "${publicUrl}"`);
  }
  // An https public URL without TLS of its own: a TLS proxy is in front (docs/deploy.md), which the warning below
  // would wrongly deny. The sign-in page still warns a request that did not come through it.
  const plainOnNetwork = tls === undefined && !isLoopbackHost(host) && publicUrl?.startsWith('https:') !== true;

  // Loaded here only: the other commands must not pay for the server and SQLite at every start.
  const { startCollector } = await import('../../collector/server');
  const { readGroupsFile } = await import('../../collector/groups-file');
  let collector;
  try {
    collector = await startCollector({
      groups: values.groups === undefined ? undefined : readGroupsFile(resolve(values.groups)),
      publicUrl,
      tls,
      port,
      host,
      adminPort,
      adminHost: values['admin-host'],
      dataDir,
      policyFile: values.policy === undefined ? undefined : resolve(values.policy),
      adminToken: env.DAYLIGHT_ADMIN_TOKEN,
      reportingToken: values['no-reporting-token'] === true ? null : env.DAYLIGHT_REPORTING_TOKEN,
      maxReportsPerSecond,
      k,
      retainDays,
      trustProxy: values['trust-proxy'] === true,
    });
  } catch (error) {
    io.err(`daylight serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_UNUSABLE;
  }

  // Listening for the signals before saying it is ready: whoever reads that line may stop it at once.
  const stopped = new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // stderr, so that stdout stays JSON lines for a log collector. No token is ever printed: journald or docker keep
  // what a service prints. A generated one is in a file of the data folder that only its owner may read.
  io.err(
    `Daylight collector listening on ${host}:${collector.port} (${tls === undefined ? 'HTTP' : 'HTTPS'}); data in ${dataDir}\n` +
      `Reports: POST /v1/reports${collector.reportingTokenRequired ? ' (reporting token required)' : ' (open to anyone: --no-reporting-token)'}` +
      `${values.policy === undefined ? '' : `; policy: GET /v1/policy (${values.policy})`}\n` +
      (collector.adminUrl === null
        ? `Sign in: ${publicUrl === undefined ? '' : `${publicUrl.replace(/\/+$/, '')}/login, or on this machine `}${collector.url}/login\n`
        : `Sign in: ${collector.adminUrl}/login (the admin port; port ${collector.port} serves the fleet only)\n`) +
      (publicUrl === undefined && !isLoopbackHost(host)
        ? 'Warning: no --public-url, so any host name is answered: a web page could reach this collector by DNS rebinding\n'
        : '') +
      (plainOnNetwork
        ? 'Warning: plain HTTP on the network, so the admin token, the session and the reports cross it in clear: ' +
          'give --tls-cert and --tls-key, or put a TLS proxy in front (docs/deploy.md)\n'
        : '') +
      `Admin token: ${tokenWhere(collector.generatedAdminToken, collector.adminTokenFile, 'DAYLIGHT_ADMIN_TOKEN')}\n` +
      (collector.reportingTokenRequired
        ? `Reporting token, for the fleet's managed reportingToken: ${tokenWhere(collector.generatedReportingToken, collector.reportingTokenFile, 'DAYLIGHT_REPORTING_TOKEN')}\n`
        : ''),
  );

  await stopped;
  await collector.close();
  return EXIT_OK;
}
