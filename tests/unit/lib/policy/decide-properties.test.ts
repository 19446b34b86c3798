import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_CATALOG, type Catalog } from '../../../../lib/policy/catalog';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../../../lib/policy/bundled';
import { loadIndex, serializeIndex } from '../../../../lib/policy/compile';
import { decide, InvalidUrlError } from '../../../../lib/policy/decide';
import { ACTIONS, CATEGORIES } from '../../../../lib/policy/schema';
import { parsePolicy } from '../../../../lib/policy/validate';
import { referenceDecide } from '../../../support/reference-decide';

const LABELS = ['talk', 'chat', 'app', 'www', 'ai', 'x', 'b'];
const TLDS = ['example', 'test', 'co.uk'];
const SEGMENTS = [
  'chat',
  'CHAT',
  '%63hat',
  'Chat%2F',
  'x',
  'ai',
  '..',
  '.',
  '',
  '%2e%2e',
  'chatter',
  'c',
  'a%2fchat',
  'chat;x=1',
  'Chat%3B',
  ';x',
  '..;',
  '%2e%2e%3bx',
  '..%2fchat',
  'x%5c..%5cchat',
  '%zz',
];

const host = fc
  .tuple(fc.array(fc.constantFrom(...LABELS), { minLength: 1, maxLength: 3 }), fc.constantFrom(...TLDS))
  .map(([labels, tld]) => `${labels.join('.')}.${tld}`);
const patternPath = fc
  .array(fc.constantFrom('chat', 'ai', 'x', 'c'), { maxLength: 2 })
  .map((segments) => segments.map((s) => `/${s}`).join(''));
const pattern = fc.tuple(fc.boolean(), host, patternPath).map(([wild, h, p]) => `${wild ? '*.' : ''}${h}${p}`);
const category = fc.constantFrom(...CATEGORIES.slice(0, 4));
const action = fc.constantFrom(...ACTIONS);

/** Random valid policies over a small world of hosts, so that patterns collide often. */
const policy = fc
  .record({
    tools: fc.array(fc.record({ category, match: fc.array(pattern, { minLength: 1, maxLength: 3 }) }), {
      maxLength: 6,
    }),
    sanctioned: fc.array(
      fc.record({
        host,
        path: patternPath,
        categories: fc.option(fc.subarray([...CATEGORIES.slice(0, 4)]), { nil: undefined }),
        match: fc.option(fc.array(pattern, { maxLength: 2 }), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    rules: fc.array(
      fc.record({
        target: fc.oneof(
          fc.nat(7).map((n) => ({ tool: `t${n}` })),
          category.map((c) => ({ category: c })),
          fc.constant({ category: '*' }),
        ),
        action,
        redirectTo: fc.option(fc.nat(3), { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    defaultAction: action,
    catalog: fc.constantFrom('bundled', 'none'),
  })
  .map((p) => {
    const sanctioned = p.sanctioned.map((s, i) => ({
      id: `s${i}`,
      name: `S${i}`,
      url: `https://${s.host}${s.path}`,
      ...(s.categories && { categories: s.categories }),
      ...(s.match && { match: s.match }),
    }));
    return {
      schemaVersion: 1,
      revision: 'random',
      catalog: p.catalog,
      tools: p.tools.map((t, i) => ({ id: `t${i}`, name: `T${i}`, ...t })),
      sanctioned,
      rules: p.rules.map((r) => ({
        ...r.target,
        action: r.action,
        ...(r.redirectTo !== undefined && r.redirectTo < sanctioned.length && { redirectTo: `s${r.redirectTo}` }),
      })),
      defaultAction: p.defaultAction,
    };
  });

const smallCatalog: Catalog = {
  catalogVersion: 'prop',
  tools: [
    { id: 't1', name: 'Catalog T1', category: 'image', match: ['chat.example'] },
    { id: 'cat-a', name: 'A', category: 'chat', match: ['ai.test', 'www.example/chat'] },
    { id: 'cat-b', name: 'B', category: 'coding', match: ['app.co.uk/x'] },
  ],
};

const url = fc
  .record({
    scheme: fc.constantFrom('https', 'http', 'HTTPS', 'ftp', 'wss'),
    sub: fc.option(fc.constantFrom(...LABELS), { nil: undefined }),
    host,
    dots: fc.constantFrom('', '.', '..'),
    upper: fc.boolean(),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    path: fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 4 }),
  })
  .map((u) => {
    const h = `${u.sub === undefined ? '' : `${u.sub}.`}${u.host}${u.dots}`;
    return `${u.scheme}://${u.upper ? h.toUpperCase() : h}${u.port === undefined ? '' : `:${u.port}`}/${u.path.join('/')}`;
  });

describe('decide() agrees with the naive reference written from the spec', () => {
  it('on random policies and URLs', () => {
    fc.assert(
      fc.property(policy, fc.array(url, { minLength: 1, maxLength: 15 }), (input, urls) => {
        const parsed = parsePolicy(input, smallCatalog);
        if (!parsed.ok) throw new Error(`generator made an invalid policy: ${JSON.stringify(parsed.errors)}`);
        for (const u of urls) {
          const expected = referenceDecide(parsed.policy, smallCatalog, u);
          const { action, tool, category, redirectTo } = decide(parsed.index, u);
          expect({ url: u, action, tool, category, redirectTo }).toEqual({ url: u, ...(expected as object) });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('on the bundled catalog with the default policy, for every catalog pattern', () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('default policy invalid');
    for (const tool of BUNDLED_CATALOG.tools) {
      for (const p of tool.match) {
        for (const u of [`https://${p}`, `https://www.${p}/x`, `http://${p.toUpperCase()}/`]) {
          const { action, tool: id, category, redirectTo } = decide(parsed.index, u);
          expect({ action, tool: id, category, redirectTo }).toEqual(
            referenceDecide(parsed.policy, BUNDLED_CATALOG, u),
          );
        }
      }
    }
  });
});

describe('invariants of a decision', () => {
  const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
  if (!parsed.ok) throw new Error('default policy invalid');
  const { index } = parsed;
  const patterns = BUNDLED_CATALOG.tools.flatMap((tool) => tool.match);
  const catalogUrl = fc
    .tuple(fc.constantFrom(...patterns), fc.array(fc.constantFrom('x', 'c', 'new', 'api'), { maxLength: 2 }))
    .map(([p, extra]) => `https://${p}/${extra.join('/')}`);
  const label = fc.stringMatching(/^[a-z0-9]{1,10}$/).map((s) => `zz${s}`);

  it('case, port, user info, query and fragment never change it', () => {
    fc.assert(
      fc.property(
        catalogUrl,
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('', 'u@', 'u:p@', 'a%40b:c@'),
        fc.constantFrom('', '?q=1', '?next=/chat/../x', '?a=%2e%2e'),
        fc.constantFrom('', '#x', '#/chat', '#%2f'),
        (base, port, userInfo, query, fragment) => {
          const plain = new URL(base);
          const varied = `${plain.protocol.toUpperCase()}//${userInfo}${plain.hostname.toUpperCase()}:${port}${plain.pathname.toUpperCase()}${query}${fragment}`;
          expect(decide(index, varied)).toBe(decide(index, base));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('every subdomain of a matched host matches the same way', () => {
    fc.assert(
      fc.property(catalogUrl, label, (base, sub) => {
        const plain = new URL(base);
        const decision = decide(index, base);
        expect(decision.tool).not.toBeNull();
        expect(decide(index, `https://${sub}.${plain.host}${plain.pathname}`)).toBe(decision);
      }),
      { numRuns: 2000 },
    );
  });

  it('a string the URL parser rejects is an error, never allowed', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        if (URL.canParse(text)) return;
        expect(() => decide(index, text)).toThrow(InvalidUrlError);
      }),
    );
  });
});

describe('the compiled index', () => {
  it('round-trips through JSON and decides the same', () => {
    fc.assert(
      fc.property(policy, fc.array(url, { maxLength: 10 }), (input, urls) => {
        const parsed = parsePolicy(input, smallCatalog);
        if (!parsed.ok) throw new Error('invalid');
        const text = serializeIndex(parsed.index);
        const loaded = loadIndex(JSON.parse(text));
        expect(loaded).not.toBeNull();
        if (loaded === null) return;
        expect(serializeIndex(loaded)).toBe(text);
        for (const u of urls) expect(decide(loaded, u)).toEqual(decide(parsed.index, u));
      }),
      { numRuns: 200 },
    );
  });

  it('of the full catalog round-trips too', () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('invalid');
    const loaded = loadIndex(JSON.parse(serializeIndex(parsed.index)));
    expect(loaded?.decisions).toEqual(parsed.index.decisions);
  });

  it('from another format version is refused, so it is rebuilt, never misread', () => {
    const parsed = parsePolicy({ schemaVersion: 1, revision: 'r' }, EMPTY_CATALOG);
    if (!parsed.ok) throw new Error('invalid');
    const json = JSON.parse(serializeIndex(parsed.index)) as Record<string, unknown>;
    expect(loadIndex({ ...json, formatVersion: 0 })).toBeNull();
    expect(loadIndex({ ...json, formatVersion: 2 })).toBeNull();
    expect(loadIndex(null)).toBeNull();
    expect(loadIndex('x')).toBeNull();
  });
});
