import { describe, expect, it } from 'vitest';
import { EMPTY_CATALOG, type Catalog } from '../../../../lib/policy/catalog';
import { formatProblem, parsePolicy, parsePolicyText } from '../../../../lib/policy/validate';
import { fakePolicy, fakeSanctioned, fakeTool } from '../../../support/fake-policy';

const catalog: Catalog = {
  catalogVersion: 'test',
  tools: [{ id: 'chatgpt', name: 'ChatGPT', category: 'chat', match: ['chatgpt.com'] }],
};

function errorsOf(input: unknown, withCatalog: Catalog = EMPTY_CATALOG): string[] {
  const result = parsePolicy(input, withCatalog);
  return result.ok ? [] : result.errors.map(formatProblem);
}

function warningsOf(input: unknown, withCatalog: Catalog = EMPTY_CATALOG): string[] {
  const result = parsePolicy(input, withCatalog);
  expect(result.ok, JSON.stringify(result)).toBe(true);
  return result.warnings.map(formatProblem);
}

describe('a minimal policy', () => {
  it('gets every default of the spec', () => {
    const result = parsePolicy({ schemaVersion: 1, revision: 'r1' }, catalog);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.policy).toEqual({
      schemaVersion: 1,
      revision: 'r1',
      organization: {},
      catalog: 'bundled',
      tools: [],
      sanctioned: [],
      rules: [],
      defaultAction: 'warn',
      training: [],
      warn: { snoozeMinutes: 60, requireReason: false },
      refreshMinutes: 60,
    });
  });

  it('gives reporting its default interval', () => {
    const result = parsePolicy(fakePolicy({ reporting: { url: 'https://collect.corp.example/v1/reports' } }), catalog);
    expect(result.ok && result.policy.reporting).toEqual({
      url: 'https://collect.corp.example/v1/reports',
      intervalMinutes: 1440,
    });
  });
});

describe('errors (spec "Errors and warnings", left column)', () => {
  it.each([
    ['wrong type', fakePolicy({ revision: 5 }), 'revision: must be text, not number 5'],
    ['wrong type in a list', fakePolicy({ tools: {} }), 'tools: must be a list, not an object'],
    ['missing required field', { schemaVersion: 1 }, 'revision: is required'],
    [
      'missing nested field',
      fakePolicy({ tools: [{ id: 'x', name: 'X', match: ['x.example'] }] }),
      'tools[0].category: is required',
    ],
    ['missing schemaVersion', { revision: 'r' }, 'schemaVersion: is required'],
    [
      'schema version',
      fakePolicy({ schemaVersion: 2 }),
      'schemaVersion: must be 1 (this release reads schema version 1)',
    ],
    ['revision too long', fakePolicy({ revision: 'r'.repeat(65) }), 'revision: must be at most 64 characters'],
    ['empty revision', fakePolicy({ revision: '' }), 'revision: must not be empty'],
    [
      'snooze above range',
      fakePolicy({ warn: { snoozeMinutes: 10081 } }),
      'warn.snoozeMinutes: must be a whole number from 0 to 10080',
    ],
    [
      'snooze below range',
      fakePolicy({ warn: { snoozeMinutes: -1 } }),
      'warn.snoozeMinutes: must be a whole number from 0 to 10080',
    ],
    [
      'snooze not whole',
      fakePolicy({ warn: { snoozeMinutes: 1.5 } }),
      'warn.snoozeMinutes: must be a whole number from 0 to 10080, not number 1.5',
    ],
    ['refresh below 15', fakePolicy({ refreshMinutes: 14 }), 'refreshMinutes: must be a whole number from 15 to 10080'],
    [
      'reporting interval below 60',
      fakePolicy({ reporting: { url: 'https://c.example/r', intervalMinutes: 59 } }),
      'reporting.intervalMinutes: must be a whole number from 60 to 10080',
    ],
    [
      'unknown action',
      fakePolicy({ defaultAction: 'deny' }),
      'defaultAction: must be one of "allow", "monitor", "warn", "redirect", "block"',
    ],
    [
      'unknown category',
      fakePolicy({ rules: [{ category: 'chats', action: 'warn' }] }),
      'rules[0].category: must be "*" or one of',
    ],
    ['bad catalog value', fakePolicy({ catalog: 'all' }), 'catalog: must be "bundled" or "none"'],
    ['bad id', fakePolicy({ tools: [fakeTool({ id: 'Talk' })] }), 'tools[0].id: must be 1–64 lowercase letters'],
    ['id too long', fakePolicy({ tools: [fakeTool({ id: 'a'.repeat(65) })] }), 'tools[0].id: must be 1–64'],
    [
      'message too long',
      fakePolicy({ rules: [{ category: '*', action: 'warn', message: 'm'.repeat(501) }] }),
      'rules[0].message: must be at most 500 characters',
    ],
    ['no patterns', fakePolicy({ tools: [fakeTool({ match: [] })] }), 'tools[0].match: needs at least one pattern'],
    ['issuedAt not RFC 3339', fakePolicy({ issuedAt: '2026-11-26 09:00' }), 'issuedAt: must be an RFC 3339 date-time'],
    [
      'issuedAt impossible date',
      fakePolicy({ issuedAt: '2026-02-30T09:00:00Z' }),
      'issuedAt: must be an RFC 3339 date-time',
    ],
    ['not an object', [], '(policy): must be an object, not a list'],
    ['null', null, '(policy): must be an object, not null'],
  ])('%s', (_name, input, expected) => {
    const errors = errorsOf(input);
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join('\n'),
    ).toBe(true);
  });

  it.each([
    [
      'http on a public host',
      'http://chat.corp.example/',
      'must use https (http only for a loopback host such as localhost)',
    ],
    ['another scheme', 'ftp://chat.corp.example/', 'must be an https URL'],
    ['javascript', 'javascript:alert(1)', 'must be an https URL'],
    ['not a URL', 'chat.corp.example', 'is not a valid URL'],
  ])('a URL that is not https: %s', (_name, url, reason) => {
    expect(errorsOf(fakePolicy({ sanctioned: [fakeSanctioned({ url })] }))).toEqual([
      `sanctioned[0].url: "${url}" ${reason}`,
    ]);
    expect(errorsOf(fakePolicy({ training: [{ title: 'T', url }] }))).toEqual([`training[0].url: "${url}" ${reason}`]);
    expect(errorsOf(fakePolicy({ organization: { supportUrl: url } }))).toEqual([
      `organization.supportUrl: "${url}" ${reason}`,
    ]);
    expect(errorsOf(fakePolicy({ reporting: { url } }))).toEqual([`reporting.url: "${url}" ${reason}`]);
  });

  it.each([
    'http://localhost:8787/v1/reports',
    'http://127.0.0.1/',
    'http://127.8.9.10:1/',
    'http://[::1]:8787/',
    'http://app.localhost/',
  ])('accepts http on the loopback host of %s', (url) => {
    expect(errorsOf(fakePolicy({ reporting: { url } }))).toEqual([]);
  });

  it('accepts {tool} and {host} in requestAccessUrl', () => {
    expect(
      errorsOf(
        fakePolicy({ organization: { requestAccessUrl: 'https://help.corp.example/ai?tool={tool}&host={host}' } }),
      ),
    ).toEqual([]);
    expect(
      errorsOf(fakePolicy({ organization: { requestAccessUrl: 'http://help.corp.example/{tool}' } })),
    ).toHaveLength(1);
  });

  it.each([
    ['Bing.com/Chat', 'write "bing.com/chat"'],
    ['https://bing.com/chat', 'write "bing.com/chat"'],
    ['bing.com/chat/', 'write "bing.com/chat"'],
    ['bing.com:443', 'write "bing.com"'],
    ['bing.com.', 'write "bing.com"'],
    ['bing.com/chat?x=1', 'write "bing.com/chat"'],
    ['bing.com//chat', 'write "bing.com/chat"'],
    ['bing.com/%63hat', 'write "bing.com/chat"'],
    ['bing.com/x/../chat', 'write "bing.com/chat"'],
    ['bücher.example', 'write "xn--bcher-kva.example"'],
    ['ｃｈａｔ.example', 'write "chat.example"'],
    ['*.Talk.example', 'write "talk.example"'],
    ['127.0.0.1', 'is an IP address'],
    ['[::1]', 'is an IP address'],
    ['localhost', 'at least two labels'],
    ['*.com', 'at least two labels'],
    ['a..example', 'at least two labels'],
    ['*talk.example', 'other than a leading "*."'],
    ['talk.*.example', 'other than a leading "*."'],
    ['', 'cannot be empty'],
    ['user@talk.example', 'user info'],
    ['talk.example/a b', 'in its path'],
    ['talk.example/a%2520b', 'in its path'],
    ['exa mple.com', 'not a host or host/path'],
    ['talk.example/café', 'non-ASCII character in its path'],
  ])('a pattern not in canonical form: %j', (pattern, reason) => {
    const errors = errorsOf(fakePolicy({ tools: [fakeTool({ match: [pattern] })] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^tools\[0\]\.match\[0\]: /);
    expect(errors[0]).toContain(reason);
  });

  it.each([
    'assist.lab2',
    'talk.example',
    '*.talk.example',
    'bing.com/chat',
    'bing.com/chat/x',
    'xn--bcher-kva.example',
    'a-b.example/x_y.html',
    'huggingface.co/chat',
  ])('accepts the canonical pattern %j', (pattern) => {
    expect(errorsOf(fakePolicy({ tools: [fakeTool({ match: [pattern] })] }))).toEqual([]);
  });

  it('a redirectTo naming no sanctioned entry, with the path and id', () => {
    const rules = [
      { category: 'image', action: 'block' },
      { category: 'video', action: 'block' },
      { category: 'audio', action: 'block' },
      { tool: 'talk', action: 'redirect', redirectTo: 'acme-gpt' },
    ];
    expect(errorsOf(fakePolicy({ tools: [fakeTool()], rules }))).toEqual([
      'rules[3].redirectTo: no sanctioned tool with id "acme-gpt"',
    ]);
  });

  it('duplicate ids within tools and within sanctioned', () => {
    expect(errorsOf(fakePolicy({ tools: [fakeTool(), fakeTool({ match: ['other.example'] })] }))).toEqual([
      'tools[1].id: duplicate id "talk" (also tools[0])',
    ]);
    expect(errorsOf(fakePolicy({ sanctioned: [fakeSanctioned(), fakeSanctioned()] }))).toEqual([
      'sanctioned[1].id: duplicate id "corp-chat" (also sanctioned[0])',
    ]);
  });

  it('a rule with both or neither of tool and category', () => {
    expect(errorsOf(fakePolicy({ rules: [{ tool: 'talk', category: 'chat', action: 'warn' }] }))).toEqual([
      'rules[0]: has both "tool" and "category"; a rule names exactly one of them',
    ]);
    expect(errorsOf(fakePolicy({ rules: [{ action: 'warn' }] }))).toEqual([
      'rules[0]: needs "tool" or "category" to say what it applies to',
    ]);
  });

  it('reports cross-field errors beside structural ones', () => {
    const errors = errorsOf(
      fakePolicy({
        tools: [fakeTool({ match: ['Talk.example'] }), fakeTool({ match: ['other.example'] })],
        rules: [{ category: 'chat', action: 'redirect', redirectTo: 'acme-gpt' }, 'not a rule'],
      }),
    );
    expect(errors).toEqual([
      'tools[0].match[0]: "Talk.example" is not in canonical form; write "talk.example"',
      'rules[1]: must be an object, not the text "not a rule"',
      'tools[1].id: duplicate id "talk" (also tools[0])',
      'rules[0].redirectTo: no sanctioned tool with id "acme-gpt"',
    ]);
  });

  it('reports a wrongly typed rule or a null field once, without a misleading second error', () => {
    expect(errorsOf(fakePolicy({ rules: [['warn']] }))).toEqual(['rules[0]: must be an object, not a list']);
    expect(errorsOf(fakePolicy({ rules: [{ tool: 'talk', category: null, action: 'warn' }] }))).toEqual([
      'rules[0].category: must be "*" or one of "chat", "coding", "image", "video", "audio", "writing", "search", "meeting", "productivity", "agent", "companion", "developer-platform", "other", not null',
    ]);
  });

  it('reports every error at once, not just the first', () => {
    const errors = errorsOf(
      fakePolicy({ revision: '', refreshMinutes: 1, tools: [fakeTool({ match: ['Talk.example'] })] }),
    );
    expect(errors).toHaveLength(3);
  });
});

describe('warnings (spec "Errors and warnings", right column)', () => {
  it('an unknown field, at any depth, without losing the policy', () => {
    expect(
      warningsOf(
        fakePolicy({
          comment: 'for humans',
          tools: [fakeTool({ tags: ['x'] })],
          rules: [{ category: '*', action: 'warn', note: 1 }],
          warn: { snoozeMinutes: 5, remind: true },
        }),
      ),
    ).toEqual([
      'comment: unknown field, ignored (a newer release may use it)',
      'tools[0].tags: unknown field, ignored (a newer release may use it)',
      'rules[0].note: unknown field, ignored (a newer release may use it)',
      'warn.remind: unknown field, ignored (a newer release may use it)',
    ]);
  });

  it('for keys every JavaScript object has, instead of crashing', () => {
    const input = JSON.parse(
      '{"schemaVersion":1,"revision":"r","constructor":1,"__proto__":{"polluted":true},"organization":{"toString":"x","hasOwnProperty":2}}',
    ) as unknown;
    expect(warningsOf(input)).toEqual([
      'constructor: unknown field, ignored (a newer release may use it)',
      '__proto__: unknown field, ignored (a newer release may use it)',
      'organization.toString: unknown field, ignored (a newer release may use it)',
      'organization.hasOwnProperty: unknown field, ignored (a newer release may use it)',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a rule naming a tool that neither the policy nor the catalog knows', () => {
    expect(
      warningsOf(fakePolicy({ catalog: 'bundled', rules: [{ tool: ['chatgpt', 'gpt-9'], action: 'block' }] }), catalog),
    ).toEqual([
      'rules[0].tool[1]: no tool with id "gpt-9" in the policy or the bundled catalog; the rule applies to nothing',
    ]);
    expect(warningsOf(fakePolicy({ catalog: 'none', rules: [{ tool: 'chatgpt', action: 'block' }] }), catalog)).toEqual(
      ['rules[0].tool: no tool with id "chatgpt" in the policy (the catalog is off); the rule applies to nothing'],
    );
  });

  it('a rule naming a sanctioned id', () => {
    expect(
      warningsOf(fakePolicy({ sanctioned: [fakeSanctioned()], rules: [{ tool: 'corp-chat', action: 'block' }] })),
    ).toEqual([
      'rules[0].tool: "corp-chat" is a sanctioned tool, which is always allowed; this rule never applies to it',
    ]);
  });

  it('redirectTo on a rule whose action is not redirect', () => {
    expect(
      warningsOf(
        fakePolicy({
          tools: [fakeTool()],
          sanctioned: [fakeSanctioned()],
          rules: [{ tool: 'talk', action: 'warn', redirectTo: 'corp-chat' }],
        }),
      ),
    ).toEqual(['rules[0].redirectTo: is ignored: the action is "warn", not "redirect"']);
  });

  it('a redirect that can find no target', () => {
    expect(warningsOf(fakePolicy({ tools: [fakeTool()], rules: [{ category: 'chat', action: 'redirect' }] }))).toEqual([
      'rules[0]: redirect has no target for "talk" (no redirectTo, and no sanctioned tool lists that category); it warns instead',
    ]);
    expect(warningsOf(fakePolicy({ tools: [fakeTool()], defaultAction: 'redirect' }))).toEqual([
      'defaultAction: redirect has no target for "talk" (no redirectTo, and no sanctioned tool lists that category); it warns instead',
    ]);
  });

  it('summarizes a redirect without target over many tools', () => {
    const [warning] = warningsOf(
      fakePolicy({
        catalog: 'bundled',
        defaultAction: 'redirect',
        tools: [1, 2, 3, 4, 5, 6, 7].map((n) => fakeTool({ id: `t${n}`, match: [`t${n}.example`] })),
      }),
      catalog,
    );
    expect(warning).toBe(
      'defaultAction: redirect has no target for "t1", "t2", "t3", "t4", "t5" and 3 more (no redirectTo, and no sanctioned tool lists that category); it warns instead',
    );
  });

  it('a sanctioned id equal to a tool id', () => {
    expect(
      warningsOf(fakePolicy({ catalog: 'bundled', sanctioned: [fakeSanctioned({ id: 'chatgpt' })] }), catalog),
    ).toEqual(['sanctioned[0].id: "chatgpt" is also the id of a tool of the bundled catalog; use distinct ids']);
    expect(warningsOf(fakePolicy({ tools: [fakeTool()], sanctioned: [fakeSanctioned({ id: 'talk' })] }))).toEqual([
      'sanctioned[0].id: "talk" is also the id of a tool of the policy; use distinct ids',
    ]);
  });

  it('two tools of the policy claiming one pattern', () => {
    expect(
      warningsOf(fakePolicy({ tools: [fakeTool(), fakeTool({ id: 'talk2', match: ['*.talk.example'] })] })),
    ).toEqual(['tools[1].match[0]: "*.talk.example" is also claimed by tools[0] ("talk"); the earlier wins']);
  });

  it('a redirect target that itself decides to anything but allow', () => {
    const policy = fakePolicy({
      tools: [fakeTool({ match: ['talk.example', 'corp.example'] })],
      sanctioned: [fakeSanctioned({ url: 'https://chat.corp.example/', match: ['corp.example/approved'] })],
      rules: [{ tool: 'talk', action: 'redirect', redirectTo: 'corp-chat' }],
    });
    expect(warningsOf(policy)).toEqual([
      'sanctioned[0].url: is a redirect target that itself decides "redirect" (tool "talk"); people would be sent in a loop',
    ]);
  });

  it('none for a clean policy with a working redirect', () => {
    const policy = fakePolicy({
      tools: [fakeTool()],
      sanctioned: [fakeSanctioned()],
      rules: [{ category: 'chat', action: 'redirect' }],
    });
    expect(warningsOf(policy)).toEqual([]);
  });
});

describe('policy JSON text', () => {
  it('names the line and column of a syntax error', () => {
    const result = parsePolicyText('{\n  "schemaVersion": 1,\n  "revision": "r1",\n}\n', EMPTY_CATALOG);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatProblem)).toEqual([
      '(policy): not valid JSON: line 4, column 1: unexpected "}", expected another field (no comma before "}")',
    ]);
  });

  it.each([
    ['', 'line 1, column 1: the text ends too early, expected a value'],
    ['{"a": }', 'line 1, column 7: unexpected "}", expected a value'],
    ["{'a': 1}", 'line 1, column 2: unexpected "\'", expected a double-quoted field name'],
    ['{"a": 1} x', 'line 1, column 10: unexpected "x", expected the end of the text'],
    ['{"a": "b\nc"}', 'line 1, column 9: unexpected "\\n", expected a closing quote (a string cannot span lines)'],
    ['[1, 2', 'line 1, column 6: the text ends too early, expected "," or "]"'],
  ])('%j', (text, message) => {
    const result = parsePolicyText(text, EMPTY_CATALOG);
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([`not valid JSON: ${message}`]);
  });

  it('refuses a policy over 1 MiB, as every browser refuses to fetch one, naming the limit and the size', () => {
    const padded = (bytes: number) => {
      const text = JSON.stringify({ schemaVersion: 1, revision: 'r', note: '' });
      // "é" is 2 bytes: the limit is on UTF-8 bytes, not characters.
      return text.replace('"note":""', `"note":"${'é'.repeat((bytes - text.length) / 2)}"`);
    };
    expect(new TextEncoder().encode(padded(1 << 20)).length).toBe(1 << 20);
    expect(parsePolicyText(padded(1 << 20), EMPTY_CATALOG).ok).toBe(true);
    const over = parsePolicyText(padded((1 << 20) + 2), EMPTY_CATALOG);
    expect(over.ok ? [] : over.errors.map(formatProblem)).toEqual([
      '(policy): is 1,048,578 bytes, over the 1,048,576 (1 MiB) that the extension accepts',
    ]);
  });

  it('accepts a byte order mark', () => {
    expect(parsePolicyText('\ufeff{"schemaVersion":1,"revision":"r"}', EMPTY_CATALOG).ok).toBe(true);
  });
});
