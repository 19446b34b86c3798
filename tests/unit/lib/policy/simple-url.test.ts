import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../../../lib/policy/bundled';
import { decide, decideUrl, InvalidUrlError } from '../../../../lib/policy/decide';
import { parsePolicy } from '../../../../lib/policy/validate';
import { scanSimpleWebUrl, simpleRawPath } from '../../../../lib/policy/simple-url';
import { normalizePath, stripTrailingDots } from '../../../../lib/policy/url';

/** URL-shaped strings from an alphabet of everything that trips parsers. */
const piece = fc.constantFrom(
  'a',
  'b',
  'Z',
  '0',
  '9',
  '-',
  '.',
  '..',
  '/',
  '//',
  '\\',
  ':',
  '@',
  '?',
  '#',
  '%',
  '%2e',
  '%2E',
  '%2f',
  '%41',
  '%zz',
  ' ',
  '\t',
  '\n',
  '\u0000',
  'é',
  'ｃ',
  '。',
  'xn--',
  'xn--bcher-kva',
  '0x7f',
  '127',
  '[::1]',
  '_',
  '~',
  '"',
  '<',
  '{',
  'chat',
  'CHAT',
  'example',
  'com',
  '65535',
  '65536',
  '8080',
  '',
);
const tail = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));
const urlLike = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('https://', 'http://', 'HTTPS://', 'https:', 'https:/', 'https:///', ' https://', 'ftp://', ''),
      tail,
    )
    .map(([a, b]) => a + b),
  fc
    .tuple(
      fc.constantFrom('https://', 'http://'),
      fc.stringMatching(/^[a-z0-9.-]{1,20}$/),
      fc.constantFrom('', ':', ':0', ':443', ':99999'),
      // Mostly a path, where dot segments, escapes and case meet normalization.
      fc.oneof(
        tail,
        tail.map((t) => `/${t}`),
      ),
    )
    .map((parts) => parts.join('')),
);

describe('the simple-URL fast path agrees with the WHATWG parser', () => {
  it('whenever it answers: the URL parses, with the same host and a path that normalizes the same', () => {
    fc.assert(
      fc.property(urlLike, (input) => {
        const simple = scanSimpleWebUrl(input);
        if (simple === null) return;
        const url = new URL(input);
        expect(url.protocol === 'https:' || url.protocol === 'http:').toBe(true);
        expect(stripTrailingDots(url.hostname)).toBe(simple.host);
        const rawPath = simpleRawPath(input, simple.pathStart);
        if (rawPath !== null) expect(normalizePath(rawPath)).toBe(normalizePath(url.pathname));
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers for the URLs browsers and proxy logs are made of', () => {
    for (const input of [
      'https://www.google.com/search?q=a#b',
      'http://intranet.corp.example:8080/',
      'https://chatgpt.com',
      'https://github.com/Microsoft/TypeScript',
    ]) {
      expect(scanSimpleWebUrl(input), input).not.toBeNull();
    }
    expect(simpleRawPath('https://github.com/Microsoft/TypeScript?tab=1', 18)).toBe('/Microsoft/TypeScript');
  });

  it.each([
    'https://a.example//a//..',
    'https://a.example/x/./y',
    'https://a.example/x/%2E%2e/y',
    'https://a.example/a\\b',
    'https://a.example/a b',
  ])('leaves the path of %j to the full parser', (input) => {
    expect(simpleRawPath(input, 'https://a.example'.length)).toBeNull();
  });

  it("keeps the parser's order on dot segments: //a//.. is //a/ before normalization (found by fast-check)", () => {
    const parsed = parsePolicy(
      {
        schemaVersion: 1,
        revision: 'r',
        catalog: 'none',
        tools: [{ id: 'a', name: 'A', category: 'chat', match: ['x.example/a'] }],
      },
      BUNDLED_CATALOG,
    );
    if (!parsed.ok) throw new Error('invalid');
    expect(decide(parsed.index, 'https://x.example//a//..').tool).toBe('a');
    expect(decide(parsed.index, 'https://x.example/a/..').tool).toBeNull();
  });

  it.each([
    'https://WWW.example.com/',
    'https://bücher.example/',
    'https://xn--bcher-kva.example/',
    'https://127.0.0.1/',
    'https://0x7f.1/',
    'https://a@b.example/',
    'https://a.example./',
    'https://a..example/',
    'https://a.example:65536/',
    'https:\\\\a.example/',
    ' https://a.example/',
    'https://a.example\\x',
  ])('leaves %j to the full parser', (input) => {
    expect(scanSimpleWebUrl(input)).toBeNull();
  });

  it('so decide() equals the decision on the fully parsed URL, for any string', () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('default policy invalid');
    const hosts = fc.constantFrom(
      'chatgpt.com',
      'bing.com',
      'github.com',
      'huggingface.co',
      'claude.ai',
      'example.org',
      'www.bing.com',
    );
    const aiLike = fc.tuple(fc.constantFrom('https://', 'http://'), hosts, tail).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(urlLike, aiLike), (input) => {
        let expected;
        try {
          expected = decideUrl(parsed.index, new URL(input));
        } catch {
          expect(() => decide(parsed.index, input)).toThrow(InvalidUrlError);
          return;
        }
        expect(decide(parsed.index, input)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });
});
