/**
 * URL normalization for matching, exactly as docs/spec/policy-format.md "Deciding a URL"
 * steps 1–3 describe. Matching fails closed: every spelling a server would
 * treat as the same page normalizes to the same host and path.
 */

/** Step 2: every trailing dot is removed (`talkbot.example..` is `talkbot.example`). */
export function stripTrailingDots(host: string): string {
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 0x2e) end--;
  return end === host.length ? host : host.slice(0, end);
}

const ALL_DIGITS = /^[0-9]+$/;

/**
 * Whether a host the WHATWG parser produced is an IP literal. IPv6 keeps its
 * brackets; IPv4 in any notation comes out as dotted decimal, and a domain
 * never ends in an all-digit label (the parser would have read it as IPv4).
 */
export function isIpHost(host: string): boolean {
  if (host.charCodeAt(0) === 0x5b) return true;
  const lastLabel = host.slice(host.lastIndexOf('.') + 1);
  return lastLabel !== '' && ALL_DIGITS.test(lastLabel);
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** `localhost`, `*.localhost`, 127.0.0.0/8 and [::1]: where plain http is acceptable for local trials. */
export function isLoopbackHost(host: string): boolean {
  const h = stripTrailingDots(host);
  return h === 'localhost' || h.endsWith('.localhost') || LOOPBACK_V4.test(h) || h === '[::1]';
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Percent-decodes once; an invalid escape such as `%zz` stays as it is. */
export function percentDecodeOnce(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      const end = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
      for (const b of utf8Encoder.encode(text.slice(i, end))) bytes.push(b);
      i = end - 1;
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/**
 * Step 3: the path used for matching. Decoded once, lowercased, `\` read as `/`, runs of `/`
 * collapsed, each segment cut at its first `;` (matrix parameters), `.` and `..` resolved, so
 * `/%63hat`, `/CHAT`, `//chat`, `/chat;x=1` and `/x/..%2fchat` are all `/chat`.
 */
export function normalizePath(rawPath: string): string {
  if (isPlainPath(rawPath)) return rawPath;
  const out: string[] = [];
  const segments = percentDecodeOnce(rawPath).toLowerCase().split(SEPARATOR);
  for (let i = 0; i < segments.length; i++) {
    const full = segments[i] as string;
    const semicolon = full.indexOf(';');
    const segment = semicolon === -1 ? full : full.slice(0, semicolon);
    const isLast = i === segments.length - 1;
    if (segment === '' && !isLast) continue;
    if (segment === '.') {
      if (isLast) out.push('');
      continue;
    }
    if (segment === '..') {
      out.pop();
      if (isLast) out.push('');
      continue;
    }
    out.push(segment);
  }
  return '/' + out.join('/');
}

/** After decoding, `/` and `\` both end a segment: servers such as IIS read an encoded `\` as `/`. */
const SEPARATOR = /[/\\]/;

/** An encoded `/` or `\`, or a segment that a `;` empties or leaves as `.` or `..` (checked on the raw path). */
const AMBIGUOUS_PATH = /%2f|%5c|\/(?:\.|%2e){0,2}(?:;|%3b)/i;

/**
 * Step 3's second reading, for a path whose segments a server may split or resolve differently
 * (an encoded `/` or `\`, `..;`): the path read at its literal `/` only, each segment decoded,
 * lowercased and cut at its first `;`, nothing resolved. `/blocked/..%2fok` is `/blocked/../ok` here,
 * under `/blocked`, which is where a server that does not decode `%2f` routes it. Null when there is
 * no second reading.
 */
export function literalPath(rawPath: string): string | null {
  if (!AMBIGUOUS_PATH.test(rawPath)) return null;
  const segments = rawPath
    .split('/')
    .map((segment) => {
      const decoded = percentDecodeOnce(segment).toLowerCase();
      const semicolon = decoded.indexOf(';');
      return semicolon === -1 ? decoded : decoded.slice(0, semicolon);
    })
    .filter((segment) => segment !== '');
  return '/' + segments.join('/');
}

/** Fast path: a path with no escape, `;`, upper case, `//` or dot segment is already normal. */
function isPlainPath(path: string): boolean {
  if (path.charCodeAt(0) !== 0x2f) return false;
  let previous = 0x2f;
  for (let i = 1; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 0x25 || code === 0x3b || (code >= 0x41 && code <= 0x5a) || code >= 0x80) return false;
    if (code === 0x2f && previous === 0x2f) return false;
    if (code === 0x2e && previous === 0x2f) return false;
    previous = code;
  }
  return true;
}
