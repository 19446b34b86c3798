/** The small pieces of HTTP every route uses: replying (and logging the reply), reading a bounded body. */
import { isIP } from 'node:net';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Log, LogEntry } from './log';

/** One request and its answer; `route` is the matched route's name, what the log says instead of the URL. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: string;
  readonly started: number;
  readonly log: Log;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** On every answer: nothing is sniffed, cached by a proxy, or framed. */
export const BASE_HEADERS: OutgoingHttpHeaders = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/** Writes the answer and logs one line for it: method, route, status, time taken, and `extra`. */
export function reply(
  ex: Exchange,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer,
  extra?: LogEntry,
): void {
  ex.res.writeHead(status, headers);
  ex.res.end(body);
  ex.log({
    level: status >= 500 ? 'error' : 'info',
    msg: 'request',
    method: ex.req.method,
    route: ex.route,
    status,
    ms: Math.round((performance.now() - ex.started) * 100) / 100,
    ...extra,
  });
}

export function replyJson(ex: Exchange, status: number, value: unknown, headers?: OutgoingHttpHeaders): void {
  const body = JSON.stringify(value);
  reply(
    ex,
    status,
    { ...BASE_HEADERS, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers },
    body,
  );
}

/** The path of a request target, without its query. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The whole body, or null as soon as it grows past `limit` bytes (a chunked body
 * has no Content-Length to refuse it by). Rejects when the client goes away, or
 * sends nothing for `idleMs` (the connection is then closed).
 */
export function readBody(req: IncomingMessage, limit: number, idleMs?: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A client that stops sending in the middle of its body gives up its connection (and whatever it held).
    let idle: NodeJS.Timeout | undefined;
    const stillSending = () => {
      if (idleMs === undefined) return;
      clearTimeout(idle);
      idle = setTimeout(() => req.destroy(), idleMs);
      idle.unref();
    };
    stillSending();
    const onData = (chunk: Buffer) => {
      stillSending();
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        // Not read any further: the answer closes the connection (CLOSE).
        clearTimeout(idle);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      clearTimeout(idle);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
    req.on('close', () => {
      clearTimeout(idle);
      if (!req.complete) reject(new Error('the client went away'));
    });
  });
}

/** For an answer sent before the body was read: the connection is not reused, so the rest is never read. */
export const CLOSE: OutgoingHttpHeaders = { connection: 'close' };

/** `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/**
 * The key a client's address is limited by: the address itself for IPv4 (an IPv4-mapped IPv6 address as IPv4), and
 * its /64 for IPv6, since one host commonly holds a whole /64 and could otherwise take a fresh address per try.
 */
export function limitKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] as string;
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const front = head === '' ? [] : head.split(':');
  // "a:b::c" leaves out the zero groups between: fill them in before taking the first four.
  const groups =
    tail === undefined ? front : [...front, ...Array<string>(8 - front.length - tail.split(':').length).fill('0')];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * The client's address, as limitKey keys it, for limits held in memory only (never stored or logged): the
 * socket's, or behind a reverse proxy that `trustProxy` says is there, the last X-Forwarded-For entry, which that
 * proxy appended (the ones before it are the client's to write).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const socket = req.socket.remoteAddress ?? '';
  if (!trustProxy) return limitKey(socket);
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.at(-1) : forwarded)?.split(',').at(-1)?.trim();
  return limitKey(last === undefined || last === '' ? socket : last);
}
