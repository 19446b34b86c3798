/**
 * The Host check of `daylight serve --public-url URL`. A web page an employee opens can point a name of its own at
 * the collector's address (DNS rebinding) and talk to it as its own origin: the browser then sends that name as
 * Host. The collector answers only the public URL's host, and the loopback names on its own port (an admin on the
 * machine itself); anything else gets 421. https://developer.mozilla.org/docs/Web/HTTP/Status/421
 */

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** Whether a request's Host header names this collector; every Host passes without a public URL. */
export type HostCheck = (host: string | undefined) => boolean;

/**
 * The Host values `publicUrl` and the loopback names on `port` may come with. Throws, naming the option, when the
 * URL is not an http(s) URL of a host alone.
 */
export function hostCheck(publicUrl: string | undefined, port: number): HostCheck {
  if (publicUrl === undefined) return () => true;
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new Error(`--public-url must be a URL such as https://daylight.example.com, not "${publicUrl}"`);
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined || url.username !== '' || url.password !== '') {
    throw new Error(`--public-url must be an http or https URL without user or password, not "${publicUrl}"`);
  }
  const allowed = new Set([url.host, `${url.hostname}:${url.port === '' ? defaultPort : url.port}`]);
  if (url.port === '') allowed.add(url.hostname);
  for (const loopback of LOOPBACK_NAMES) allowed.add(`${loopback}:${port}`);
  return (host) => host !== undefined && allowed.has(host.toLowerCase());
}

/**
 * The Host values of the admins' port (`--admin-port`), on any port (an SSH tunnel's local port, a proxy of the
 * admins'): the loopback names, the address it listens on, and the public URL's host name. A rebinding page can send
 * none of these, which are names it does not control. Without a public URL, a port that listens on the network
 * takes any Host, like the main port.
 */
export function adminHostCheck(publicUrl: string | undefined, adminHost: string): HostCheck {
  const onNetwork = ['0.0.0.0', '::', ''].includes(adminHost);
  if (publicUrl === undefined && onNetwork) return () => true;
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (!onNetwork) names.add(adminHost.toLowerCase());
  if (publicUrl !== undefined) names.add(hostName(new URL(publicUrl).host));
  return (host) => host !== undefined && names.has(hostName(host).toLowerCase());
}

/** The name a Host header gives, without its port or an IPv6 address's brackets: `[::1]:8787` is `::1`. */
export const hostName = (host: string): string =>
  host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');

/** The public URL's host, for the answer that refuses another. */
export const publicHost = (publicUrl: string): string => new URL(publicUrl).host;

/** Addresses no other machine reaches, so neither a rebinding page nor a listener on the network. */
export const isLoopbackHost = (host: string): boolean => ['127.0.0.1', '::1', 'localhost'].includes(host);
