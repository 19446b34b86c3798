/**
 * Other spellings of a path-scoped pattern, as someone who wants around the nudge would write them
 * (docs/spec/policy-format.md "Deciding a URL" step 3): any case, escaped unreserved characters,
 * runs of `/`, an encoded `/`, literal and encoded dot segments, `..;`, `;` parameters literal or
 * encoded, and what may follow the path. Each URL is given as the browser sends it (`new URL().href`):
 * that is what declarativeNetRequest sees.
 */
import fc from 'fast-check';

const hex = (code: number, upper: boolean): string => {
  const digits = code.toString(16).padStart(2, '0');
  return `%${upper ? digits.toUpperCase() : digits}`;
};

/** One character: itself, the other case, or escaped (in either case of hex digit). */
const spelledChar = (c: string): fc.Arbitrary<string> =>
  fc.constantFrom(c, c.toUpperCase(), hex(c.charCodeAt(0), false), hex(c.charCodeAt(0), true));

const spelledSegment = (segment: string): fc.Arbitrary<string> =>
  fc.tuple(...[...segment].map(spelledChar)).map((chars) => chars.join(''));

const separator = fc.constantFrom('/', '/', '/', '//', '///', '%2f', '/%2F');
const parameters = fc.constantFrom('', '', '', ';', ';x=1', ';jsessionid=AB12', '%3bx', '%3B', ';x%2fy', ';%5cy');
/** What may come before the pattern's path and take the server back to it. */
const detour = fc.constantFrom(
  '',
  '',
  '',
  '/x/..',
  '/x/%2e%2e',
  '/x/.%2E',
  '/x/..%2f',
  '/x/..;',
  '/x/%2e%2e%3b',
  '/.',
  // A first segment that `;` empties or leaves as a dot segment.
  '/;',
  '/;x',
  '/.;',
  '/..;',
  '/%3bx',
  '/x%2f..',
);
const ending = fc.constantFrom('', '', '/', '%2f', '%2F', '/more', '/more/deep', '?q=1', '#top', '/?q=/x', '/.');

/** `https://<host><spelled path>` for the pattern's path (`/a/b`), as the browser would send it. */
export function pathSpelling(host: string, path: string): fc.Arbitrary<string> {
  const segments = path.slice(1).split('/');
  const spelled = segments.map((segment) =>
    fc.tuple(separator, spelledSegment(segment), parameters).map((parts) => parts.join('')),
  );
  return fc
    .tuple(
      fc.constantFrom('', 'www.', 'app.'),
      fc.constantFrom(host, host.toUpperCase()),
      fc.constantFrom('', ':443'),
      detour,
      fc.tuple(...spelled),
      ending,
    )
    .map(([sub, h, port, before, parts, after]) => {
      // An encoded first separator would be part of the host: the path starts at a literal `/`.
      const first = parts[0]?.startsWith('%') === true ? `/${parts.join('')}` : parts.join('');
      return new URL(`https://${sub}${h}${port}${before}${first}${after}`).href;
    });
}
