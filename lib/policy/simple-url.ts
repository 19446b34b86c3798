/**
 * A fast path in front of the WHATWG parser for the URLs browsers and logs
 * are made of: `http(s)://lowercase.ascii.host[:port][/path][?query][#fragment]`.
 * It answers only when it is certain that `new URL()` would accept the string
 * and give this exact host (and, for simpleRawPath, a path that normalizes
 * the same); for anything else (upper case, IDN, IP addresses, user info,
 * backslashes, whitespace…) it answers null and the caller parses for real.
 * Most URLs name no AI tool, and for those the host alone decides: skipping
 * the full parse is what keeps decide() within 1.5× of `new URL()`.
 * tests/unit/lib/policy/simple-url.test.ts holds it to the WHATWG parser.
 */

export interface SimpleWebUrl {
  readonly host: string;
  /** Index of the first character after the host and port: `/`, `?`, `#` or the end. */
  readonly pathStart: number;
}

const isHostChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
const endsAuthority = (c: number): boolean => c === 0x2f || c === 0x3f || c === 0x23;

export function scanSimpleWebUrl(input: string): SimpleWebUrl | null {
  let start: number;
  if (input.startsWith('https://')) start = 8;
  else if (input.startsWith('http://')) start = 7;
  else return null;
  const length = input.length;
  let labelStart = start;
  let i = start;
  for (; i < length; i++) {
    const c = input.charCodeAt(i);
    if (isHostChar(c)) continue;
    if (c !== 0x2e || i === labelStart) break;
    labelStart = i + 1;
  }
  // An empty host, an empty label (`a..b`, a trailing dot) or a stray character: let the parser decide.
  if (i === start || labelStart === i) return null;
  let pathStart = i;
  if (i < length) {
    const c = input.charCodeAt(i);
    if (c === 0x3a) {
      let port = 0;
      let j = i + 1;
      for (; j < length; j++) {
        const digit = input.charCodeAt(j) - 0x30;
        if (digit < 0 || digit > 9) break;
        port = port * 10 + digit;
        if (port > 65535) return null;
      }
      if (j < length && !endsAuthority(input.charCodeAt(j))) return null;
      pathStart = j;
    } else if (!endsAuthority(c)) {
      return null;
    }
  }
  // A last label starting with a digit may be IPv4 in some notation, and `xn--` labels need IDNA checks.
  const lastLabelFirst = input.charCodeAt(labelStart);
  if (lastLabelFirst >= 0x30 && lastLabelFirst <= 0x39) return null;
  const host = input.slice(start, i);
  if (host.includes('xn--')) return null;
  return { host, pathStart };
}

/**
 * The path of a simple URL as written, when the WHATWG parser would change
 * nothing in it that normalizePath() does not undo: printable ASCII other
 * than `\`, and no dot segment. (The parser resolves `..` before runs of `/`
 * are collapsed, so `//a//..` is `//a/` to it, and the spec normalizes that
 * parsed path: dot segments must go through the parser.) Null otherwise.
 */
export function simpleRawPath(input: string, pathStart: number): string | null {
  if (pathStart === input.length || input.charCodeAt(pathStart) !== 0x2f) {
    return pathStart === input.length || endsAuthority(input.charCodeAt(pathStart)) ? '/' : null;
  }
  let end = pathStart;
  for (; end < input.length; end++) {
    const c = input.charCodeAt(end);
    if (c === 0x3f || c === 0x23) break;
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return null;
    // `/.` starts every dot segment; `%2e` may be one too.
    if (c === 0x2e && input.charCodeAt(end - 1) === 0x2f) return null;
    if (c === 0x25 && input.charCodeAt(end + 1) === 0x32 && (input.charCodeAt(end + 2) | 0x20) === 0x65) return null;
  }
  return input.slice(pathStart, end);
}
