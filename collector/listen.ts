/**
 * The collector's listening sockets: one, or two with `daylight serve --admin-port` (dispatch.ts). Each is HTTP or
 * HTTPS (tls.ts) with the same limits on slow clients, and closes the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';
import { AddressCounts } from './address-counts';
import { limitKey } from './http';
import type { Log } from './log';
import { createListener, type TlsFiles } from './tls';

/** Headers must arrive within 10 s and a whole request within 30 s, so slow clients cannot hold connections (slowloris). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for connections past those limits (its default, 30 s, would let them last 40 s). */
const TIMEOUT_CHECK_MS = 2_000;
/** On close, requests under way get this long to finish before their connections are cut. */
const CLOSE_GRACE_MS = 5_000;
/**
 * Open connections one client address may hold; one more is closed as it is accepted, before any byte of it is read.
 * Four times the reports one address may have in flight (reports.ts): a slow-body attacker's surplus connections
 * then cost a TCP accept, not a request parsed and refused. Held in memory only, like every per-address limit.
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 256;

/** Refused connections are logged at most this often, as a count: never which address. */
const REFUSED_LOG_MS = 60_000;

/** Closes a client address's connections past MAX_CONNECTIONS_PER_ADDRESS as they come (an IPv6 /64 is one). */
function limitConnectionsPerAddress(server: Server, log: Log): void {
  const open = new AddressCounts();
  let refused = 0;
  let lastLogged = 0;
  server.on('connection', (socket: Socket) => {
    const address = limitKey(socket.remoteAddress ?? '');
    if (open.of(address) >= MAX_CONNECTIONS_PER_ADDRESS) {
      socket.destroy();
      refused++;
      if (Date.now() - lastLogged >= REFUSED_LOG_MS) {
        log({
          level: 'warn',
          msg: 'connections refused: one address holds too many',
          refused,
          max: MAX_CONNECTIONS_PER_ADDRESS,
        });
        lastLogged = Date.now();
        refused = 0;
      }
      return;
    }
    open.add(address);
    socket.once('close', () => open.remove(address));
  });
}

export interface Bound {
  /** Where to reach it from this machine, e.g. http://127.0.0.1:8787 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Stops listening, lets requests under way finish (CLOSE_GRACE_MS at most), stops watching the TLS files. */
  readonly close: () => Promise<void>;
}

/** A listening address as this machine reaches it: the wildcard addresses through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Listens on `host`:`port` (0: a free port); throws, having closed what it opened, when it cannot. `perAddress`:
 * each client address holds MAX_CONNECTIONS_PER_ADDRESS connections at most (not behind a proxy, where every
 * connection comes from the proxy's).
 */
export async function bind(
  port: number,
  host: string,
  tls: TlsFiles | undefined,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  log: Log,
  perAddress: boolean,
): Promise<Bound> {
  const timeouts = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
  const { server, stop } = createListener(timeouts, tls, handle, log);
  if (perAddress) limitConnectionsPerAddress(server, log);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    stop();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  log({ level: 'info', msg: 'listening', host, port: bound });
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${urlHost(host)}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        stop();
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
