import { describe, expect, it } from 'vitest';
import { requestAccessLink } from '../../../../lib/policy/request-access';

describe('requestAccessLink', () => {
  it('puts the tool id and host in, URL-encoded', () => {
    expect(
      requestAccessLink('https://help.globex.example/ai?tool={tool}&host={host}', 'talkbot', 'www.talkbot.example'),
    ).toBe('https://help.globex.example/ai?tool=talkbot&host=www.talkbot.example');
  });

  it('encodes what could break out of a query value, every time it appears', () => {
    expect(requestAccessLink('https://h.example/{host}?h={host}&t={tool}', 'a-b', 'x&y=1#z.example')).toBe(
      'https://h.example/x%26y%3D1%23z.example?h=x%26y%3D1%23z.example&t=a-b',
    );
  });

  it('leaves a template without placeholders as it is', () => {
    expect(requestAccessLink('https://h.example/request', 'a', 'b.example')).toBe('https://h.example/request');
  });
});
