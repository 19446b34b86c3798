/**
 * `daylight serve --tls-cert FILE --tls-key FILE`: the collector speaks HTTPS itself, so that the admin token, the
 * session cookie and the fleet's reports never cross the network in clear when no TLS proxy stands in front.
 *
 * Renewal is a file copy. The files' folders are watched, as policy-file.ts does (certbot and editors replace a file
 * by renaming a new one over it, which a watch on the file itself misses), and a new pair goes into the running
 * server through setSecureContext: new connections get it, open ones keep theirs. A pair that does not load (a
 * half-copied file, the key of another certificate) leaves the last good pair in force, with the reason logged.
 * https://nodejs.org/api/tls.html#serversetsecurecontextoptions
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { isIP } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { hostName } from './hosts';
import type { Log } from './log';

export interface TlsFiles {
  /** PEM: the server's certificate, then any intermediates (certbot's fullchain.pem). */
  readonly certFile: string;
  /** PEM: its private key, without a passphrase. */
  readonly keyFile: string;
}

interface TlsPair {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The certificate's SHA-256 fingerprint, to say in the log which one is in force. */
  readonly fingerprint: string;
  readonly validTo: Date;
}

/** One year, the usual value: browsers then refuse plain HTTP to this host for that long after one HTTPS visit. */
export const HSTS = 'max-age=31536000';

/**
 * Whether an answer to a request naming `host` carries HSTS: only for a name. Browsers ignore it for an IP address
 * (RFC 6797 §8.1), and on localhost it would pin every local server of the admin's machine to HTTPS for a year.
 */
export function hstsFor(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = hostName(host);
  const lower = name.toLowerCase();
  return isIP(name) === 0 && lower !== 'localhost' && !lower.endsWith('.localhost');
}

/** A certificate that expires sooner than this is logged as a warning at every load. */
const EXPIRY_WARNING_DAYS = 14;

/** cp writes the certificate and the key in two steps; one load after both settle. */
const SETTLE_MS = 200;

/** A watch can miss changes (network file systems, some container mounts): the files are read again this often. */
const RECHECK_MS = 60 * 60 * 1000;

const reason = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));

function readPem(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${option} ${file}: cannot read it (${reason(error)})`, { cause: error });
  }
}

/** Reads and checks a pair; throws, naming the option and the file, when it cannot serve. */
function loadTlsPair(files: TlsFiles): TlsPair {
  const cert = readPem(files.certFile, '--tls-cert');
  const key = readPem(files.keyFile, '--tls-key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new Error(`--tls-cert ${files.certFile}: not a PEM certificate (${reason(error)})`, { cause: error });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new Error(`--tls-key ${files.keyFile}: not a PEM private key without a passphrase (${reason(error)})`, {
      cause: error,
    });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`--tls-key ${files.keyFile}: not the key of the certificate in --tls-cert ${files.certFile}`);
  }
  // The whole chain as the server will take it: an intermediate cut short (a copy half done) fails here, not in
  // setSecureContext, where it would end the process.
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new Error(`--tls-cert ${files.certFile}: not a PEM certificate chain (${reason(error)})`, { cause: error });
  }
  return { cert, key, fingerprint: certificate.fingerprint256, validTo: new Date(certificate.validTo) };
}

function logLoaded(pair: TlsPair, log: Log, msg: string, now: Date): void {
  const daysLeft = Math.floor((pair.validTo.getTime() - now.getTime()) / 86_400_000);
  log({
    level: daysLeft < EXPIRY_WARNING_DAYS ? 'warn' : 'info',
    msg: daysLeft < 0 ? `${msg}; the certificate has expired` : msg,
    fingerprint: pair.fingerprint,
    validTo: pair.validTo.toISOString(),
    daysLeft,
  });
}

const DAY_MS = 86_400_000;

/**
 * Watches the pair's files and gives each new good pair to `use`; the last good one stays otherwise. The whole
 * folder is watched, not the two names: Kubernetes swaps a `..data` link to renew a secret's files.
 */
function watchTlsPair(files: TlsFiles, first: TlsPair, use: (pair: TlsPair) => void, log: Log): () => void {
  let current = first;
  let settle: NodeJS.Timeout | undefined;
  let expiryWarned = Date.now();
  const reload = () => {
    let pair: TlsPair;
    try {
      pair = loadTlsPair(files);
      if (pair.cert.equals(current.cert) && pair.key.equals(current.key)) {
        // A renewal that stopped says so while there is time: once a day in the last two weeks.
        if (pair.validTo.getTime() - Date.now() < EXPIRY_WARNING_DAYS * DAY_MS && Date.now() - expiryWarned >= DAY_MS) {
          expiryWarned = Date.now();
          logLoaded(pair, log, 'TLS certificate not renewed yet', new Date());
        }
        return;
      }
      use(pair);
    } catch (error) {
      log({ level: 'error', msg: 'the TLS files do not load; still serving the last good pair', error: reason(error) });
      return;
    }
    current = pair;
    logLoaded(pair, log, 'TLS certificate reloaded', new Date());
  };
  const watchers: FSWatcher[] = [...new Set([dirname(files.certFile), dirname(files.keyFile)])].map((folder) => {
    const watcher = watch(folder, { persistent: false }, () => {
      clearTimeout(settle);
      settle = setTimeout(reload, SETTLE_MS);
      settle.unref();
    });
    watcher.on('error', (error) => {
      log({ level: 'error', msg: 'cannot watch the TLS files any more; read again hourly', error: error.message });
    });
    return watcher;
  });
  const recheck = setInterval(reload, RECHECK_MS);
  recheck.unref();
  return () => {
    clearTimeout(settle);
    clearInterval(recheck);
    for (const watcher of watchers) watcher.close();
  };
}

interface ListenerOptions {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly connectionsCheckingInterval: number;
}

/**
 * The collector's server: HTTPS with `tls`, HTTP without. `stop` ends the watch of the TLS files. Throws, naming the
 * option, when the TLS files do not load.
 */
export function createListener(
  options: ListenerOptions,
  tls: TlsFiles | undefined,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  log: Log,
): { server: Server; stop: () => void } {
  if (tls === undefined) return { server: createHttpServer(options, handle), stop: () => undefined };
  const pair = loadTlsPair(tls);
  logLoaded(pair, log, 'TLS certificate loaded', new Date());
  // A handshake gets as long as the headers would: the default (120 s) lets idle sockets pile up.
  const server = createHttpsServer(
    { ...options, handshakeTimeout: options.headersTimeout, cert: pair.cert, key: pair.key },
    handle,
  );
  const stop = watchTlsPair(tls, pair, ({ cert, key }) => server.setSecureContext({ cert, key }), log);
  return { server, stop };
}
