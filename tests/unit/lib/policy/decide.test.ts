import { describe, expect, it } from 'vitest';
import { EMPTY_CATALOG } from '../../../../lib/policy/catalog';
import { decide, InvalidUrlError, NO_TOOL, tryDecide } from '../../../../lib/policy/decide';
import { parsePolicy } from '../../../../lib/policy/validate';
import { fakePolicy, fakeSanctioned, fakeTool } from '../../../support/fake-policy';

const parsed = parsePolicy(
  fakePolicy({
    tools: [
      fakeTool({ id: 'talk', match: ['talk.example', 'xn--bcher-kva.example'] }),
      fakeTool({ id: 'bingchat', category: 'search', match: ['bing.test/chat'] }),
      fakeTool({ id: 'deep-wide', category: 'coding', match: ['deep.example/x'] }),
      fakeTool({ id: 'deep-narrow', category: 'coding', match: ['a.b.deep.example'] }),
      fakeTool({ id: 'shared', category: 'image', match: ['shared.example'] }),
      fakeTool({ id: 'nested', category: 'image', match: ['bing.test/chat/labs'] }),
    ],
    sanctioned: [
      fakeSanctioned({ id: 'corp-chat', url: 'https://chat.corp.example/', categories: ['chat', 'search'] }),
      fakeSanctioned({ id: 'corp-shared', url: 'https://shared.example/', categories: ['image'] }),
    ],
    training: [
      { title: 'AI at Corp', url: 'https://learn.corp.example/ai' },
      { title: 'Image rights', url: 'https://learn.corp.example/images', categories: ['image'] },
    ],
    rules: [
      { tool: 'talk', action: 'redirect', message: 'Use Corp Chat.' },
      { category: 'search', action: 'block' },
      { category: 'coding', action: 'warn' },
    ],
    defaultAction: 'monitor',
  }),
  EMPTY_CATALOG,
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const { index } = parsed;

const toolOf = (url: string): string | null => decide(index, url).tool;

describe('decide() on adversarial URLs', () => {
  it.each([
    // user info
    ['https://user:pass@talk.example/', 'talk'],
    ['https://talk.example@evil.example/', null],
    ['https://talk.example:443@evil.example/', null],
    ['https://evil.example\\@talk.example/', null],
    ['https://evil.example#@talk.example/', null],
    ['https://evil.example?@talk.example/', null],
    // ports
    ['https://talk.example:8443/', 'talk'],
    ['http://talk.example:80/', 'talk'],
    ['https://talk.example:65535/c', 'talk'],
    // trailing dots, upper case
    ['https://talk.example./', 'talk'],
    ['https://talk.example.../', 'talk'],
    ['HTTPS://TALK.EXAMPLE/', 'talk'],
    ['https://TaLk.ExAmPlE/C/1', 'talk'],
    // subdomains, and hosts that only look alike
    ['https://a.b.c.talk.example/', 'talk'],
    ['https://x..talk.example/', 'talk'],
    ['https://mytalk.example/', null],
    ['https://talk.example.evil.example/', null],
    ['https://talk-example.com/', null],
    ['https://talkexample/', null],
    ['https://example/', null],
    // IDN, lookalikes and full-width characters
    ['https://bücher.example/', 'talk'],
    ['https://BÜCHER.example/', 'talk'],
    ['https://xn--bcher-kva.example/', 'talk'],
    ['https://tаlk.example/', null], // Cyrillic а
    ['https://ｔａｌｋ．ｅｘａｍｐｌｅ/', 'talk'],
    ['https://talk。example/', 'talk'],
    ['https://bing.test/ｃｈａｔ', null], // full-width in a path is not the ASCII path
    // backslashes
    ['https:\\\\talk.example\\c', 'talk'],
    ['https://bing.test\\chat', 'bingchat'],
    ['https://bing.test/x\\..\\chat', 'bingchat'],
    // percent-encoding in host and path
    ['https://t%61lk.example/', 'talk'],
    ['https://talk%2Eexample/', 'talk'],
    ['https://bing.test/%63hat', 'bingchat'],
    ['https://bing.test/%43HAT', 'bingchat'],
    ['https://bing.test/%2563hat', null], // decoded once only
    ['https://bing.test/chat%2f', 'bingchat'],
    ['https://bing.test/chat%2Fx', 'bingchat'],
    ['https://bing.test/ch%zzat', null],
    // .. and . segments
    ['https://bing.test/x/../chat', 'bingchat'],
    ['https://bing.test/x/..%2fchat', 'bingchat'],
    ['https://bing.test/x/%2e%2e/chat', 'bingchat'],
    ['https://bing.test/./chat/.', 'bingchat'],
    ['https://bing.test/chat/../x', null],
    // a server that does not decode %2f routes this under /chat: the stricter reading wins (spec step 3)
    ['https://bing.test/chat%2f..%2fx', 'bingchat'],
    ['https://bing.test/chat/..%2fx', 'bingchat'],
    ['https://bing.test/chat/..%5cx', 'bingchat'],
    ['https://bing.test/chat/..;/x', 'bingchat'],
    ['https://bing.test/chat;x/..%2fx', 'bingchat'],
    ['https://bing.test/chat%3bx/..%2fx', 'bingchat'],
    ['https://bing.test/../../chat', 'bingchat'],
    // double slashes
    ['https://bing.test//chat', 'bingchat'],
    ['https://bing.test///chat//x', 'bingchat'],
    ['https://bing.test/%2fchat', 'bingchat'],
    // path boundaries
    ['https://bing.test/chat', 'bingchat'],
    ['https://bing.test/chat/', 'bingchat'],
    ['https://bing.test/chat/x', 'bingchat'],
    ['https://bing.test/chat?q=1', 'bingchat'],
    ['https://bing.test/chat#top', 'bingchat'],
    ['https://bing.test/chatter', null],
    ['https://bing.test/chat.html', null],
    // matrix parameters (`;`), literal or encoded, are cut from each segment: Tomcat and Spring serve /chat for these
    ['https://bing.test/chat;x', 'bingchat'],
    ['https://bing.test/chat;', 'bingchat'],
    ['https://bing.test/chat;x=1/y', 'bingchat'],
    ['https://bing.test/chat%3bx', 'bingchat'],
    ['https://bing.test/;x/chat', 'bingchat'],
    ['https://bing.test/x/..;/chat', 'bingchat'],
    ['https://bing.test/x/%2e%2e%3b/chat', 'bingchat'],
    ['https://bing.test/chatx;/', null],
    ['https://bing.test/x;/chat', null],
    // an encoded backslash separates segments as a literal one does (IIS reads it so)
    ['https://bing.test/x%5c..%5cchat', 'bingchat'],
    ['https://bing.test/chat%5cx', 'bingchat'],
    ['https://bing.test/chat-x', null],
    ['https://bing.test/', null],
    ['https://bing.test/search?q=/chat', null],
    ['https://bing.test/x/chat', null],
    ['https://www.bing.test/chat', 'bingchat'],
    // the longer path wins on the same host, more labels beat a longer path
    ['https://bing.test/chat/labs/1', 'nested'],
    ['https://bing.test/chat/labsx', 'bingchat'],
    ['https://a.b.deep.example/x', 'deep-narrow'],
    ['https://deep.example/x', 'deep-wide'],
    ['https://b.deep.example/x/y', 'deep-wide'],
    // a sanctioned entry beats a tool on a tie
    ['https://shared.example/', 'corp-shared'],
    // IP literals in every notation match no pattern
    ['http://127.0.0.1/', null],
    ['http://2130706433/', null],
    ['http://0x7f.0.0.1/', null],
    ['http://0177.0.0.1/', null],
    ['http://127.1/', null],
    ['http://[::1]/', null],
    ['http://[::ffff:127.0.0.1]/', null],
    ['http://[2001:db8::1]:8080/chat', null],
    // non-http schemes are not considered
    ['ftp://talk.example/', null],
    ['ws://talk.example/', null],
    ['wss://talk.example/', null],
    ['blob:https://talk.example/0b0e6c1a', null],
    ['view-source:https://talk.example/', null],
    ['data:text/html,<a href="https://talk.example">', null],
    ['javascript:location="https://talk.example"', null],
    ['file:///talk.example/', null],
    ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/talk.example', null],
    ['mailto:x@talk.example', null],
  ])('%s → %s', (url, tool) => {
    expect(toolOf(url)).toBe(tool);
  });

  it.each([
    '',
    'talk.example',
    '//talk.example/',
    'https://',
    'http://exa mple.com/',
    'https://talk.example:99999/',
    'https://[::1/',
    'not a url',
    'https://xn--/',
  ])('rejects %j as an error instead of allowing it', (url) => {
    expect(() => decide(index, url)).toThrow(InvalidUrlError);
    expect(tryDecide(index, url)).toBeNull();
  });

  it('tryDecide() answers as decide() for every URL the parser takes', () => {
    for (const url of ['https://talk.example/', 'https://mail.example/', 'mailto:a@talk.example'])
      expect(tryDecide(index, url)).toEqual(decide(index, url));
  });
});

describe('the decision', () => {
  it('for a redirect: target, message, alternatives for the category and training', () => {
    expect(decide(index, 'https://talk.example/c/1')).toEqual({
      action: 'redirect',
      tool: 'talk',
      toolName: 'Talk',
      category: 'chat',
      sanctioned: false,
      redirectTo: 'https://chat.corp.example/',
      message: 'Use Corp Chat.',
      alternatives: [{ id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', description: null }],
      training: [{ title: 'AI at Corp', url: 'https://learn.corp.example/ai' }],
    });
  });

  it('for a category rule and for defaultAction', () => {
    expect(decide(index, 'https://bing.test/chat')).toMatchObject({
      action: 'block',
      tool: 'bingchat',
      redirectTo: null,
      message: null,
    });
    expect(decide(index, 'https://bing.test/chat/labs')).toMatchObject({
      action: 'monitor',
      training: [
        { title: 'AI at Corp', url: 'https://learn.corp.example/ai' },
        { title: 'Image rights', url: 'https://learn.corp.example/images' },
      ],
    });
  });

  it('for a sanctioned tool: allow, no alternatives', () => {
    expect(decide(index, 'https://chat.corp.example/x')).toMatchObject({
      action: 'allow',
      tool: 'corp-chat',
      category: 'chat',
      sanctioned: true,
      alternatives: [],
    });
  });

  it('for no tool: the shared no-tool decision', () => {
    expect(decide(index, 'https://example.org/')).toBe(NO_TOOL);
    expect(NO_TOOL).toMatchObject({ action: 'allow', tool: null, category: null, redirectTo: null });
  });
});

describe('training on a sanctioned tool without categories', () => {
  it('is the training meant for every tool', () => {
    const result = parsePolicy(
      fakePolicy({
        sanctioned: [{ id: 'wiki-ai', name: 'Wiki AI', url: 'https://wiki.corp.example/ai' }],
        training: [
          { title: 'AI at Corp', url: 'https://learn.corp.example/ai' },
          { title: 'Image rights', url: 'https://learn.corp.example/images', categories: ['image'] },
        ],
      }),
      EMPTY_CATALOG,
    );
    if (!result.ok) throw new Error('invalid');
    expect(decide(result.index, 'https://wiki.corp.example/ai/page')).toMatchObject({
      tool: 'wiki-ai',
      category: null,
      training: [{ title: 'AI at Corp', url: 'https://learn.corp.example/ai' }],
    });
  });
});

describe('the literal reading of a path a server may route elsewhere', () => {
  const result = parsePolicy(
    {
      schemaVersion: 1,
      revision: 'r',
      catalog: 'none',
      tools: [
        { id: 'chat', name: 'Chat', category: 'chat', match: ['chat.test'] },
        { id: 'codex', name: 'Codex', category: 'coding', match: ['chat.test/codex'] },
      ],
      rules: [
        { tool: 'chat', action: 'warn' },
        { tool: 'codex', action: 'block' },
      ],
    },
    EMPTY_CATALOG,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));

  it.each([
    ['https://chat.test/codex/..%2fx', 'codex', 'block'],
    ['https://chat.test/codex;x/..%2fx', 'codex', 'block'],
    ['https://chat.test/x/..%2fcodex', 'codex', 'block'],
    ['https://chat.test/codex%2f..%2fx', 'codex', 'block'],
    ['https://chat.test/x%2f..%2fy', 'chat', 'warn'],
  ])('%s is %s, %s: the stricter reading wins', (url, tool, action) => {
    const decision = decide(result.index, url);
    expect({ tool: decision.tool, action: decision.action }).toEqual({ tool, action });
  });
});
