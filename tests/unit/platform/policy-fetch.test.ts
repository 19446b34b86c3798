import { describe, expect, it } from 'vitest';
import { fetchPolicy, fetchSignature, retryDelayMinutes } from '../../../platform/policy-fetch';

function fakeFetch(respond: (init: RequestInit | undefined) => Response | Error) {
  const calls: (RequestInit | undefined)[] = [];
  const fn = ((_url: string, init?: RequestInit) => {
    calls.push(init);
    const answer = respond(init);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  return { fn, calls };
}

describe('fetching the policy from policyUrl', () => {
  it('sends the last ETag, no cookies, and bypasses the HTTP cache', async () => {
    const { fn, calls } = fakeFetch(() => new Response(null, { status: 304 }));
    expect(await fetchPolicy(fn, 'https://it.corp.example/p.json', '"v1"')).toEqual({ kind: 'unchanged' });
    expect(calls[0]).toMatchObject({ credentials: 'omit', cache: 'no-store', headers: { 'If-None-Match': '"v1"' } });
  });

  it('fails on a 304 to a request that sent no ETag: it vouches for nothing', async () => {
    const { fn } = fakeFetch(() => new Response(null, { status: 304 }));
    expect(await fetchPolicy(fn, 'https://it.corp.example/p.json', null)).toEqual({
      kind: 'failed',
      error: 'https://it.corp.example/p.json answered HTTP 304 to a plain request',
    });
  });

  it('returns the text, the exact bytes and the new ETag', async () => {
    const { fn } = fakeFetch(() => new Response('{"schemaVersion":1}', { status: 200, headers: { ETag: '"v2"' } }));
    expect(await fetchPolicy(fn, 'https://it.corp.example/p.json', null)).toEqual({
      kind: 'fetched',
      text: '{"schemaVersion":1}',
      bytes: new TextEncoder().encode('{"schemaVersion":1}'),
      etag: '"v2"',
    });
  });

  it('keeps the bytes as sent, byte order mark and CRLF included, while the text is decoded', async () => {
    const sent = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":"é"}\r\n')]);
    const { fn } = fakeFetch(() => new Response(sent, { status: 200 }));
    const result = await fetchPolicy(fn, 'https://it.corp.example/p.json', null);
    expect(result).toMatchObject({ kind: 'fetched', text: '{"a":"é"}\r\n' });
    expect(result.kind === 'fetched' && [...result.bytes]).toEqual([...sent]);
  });

  it('reports a server error, an unreachable server and an oversized answer', async () => {
    expect(
      await fetchPolicy(fakeFetch(() => new Response('', { status: 503 })).fn, 'https://h.example/p', null),
    ).toEqual({
      kind: 'failed',
      error: 'https://h.example/p answered HTTP 503',
    });
    expect(
      await fetchPolicy(fakeFetch(() => new TypeError('Failed to fetch')).fn, 'https://h.example/p', null),
    ).toEqual({
      kind: 'failed',
      error: 'could not reach https://h.example/p: Failed to fetch',
    });
    const huge = fakeFetch(() => new Response('x'.repeat((1 << 20) + 1)));
    expect((await fetchPolicy(huge.fn, 'https://h.example/p', null)).kind).toBe('failed');
  });
});

describe('retries after failures', () => {
  it('back off exponentially to an hour, with jitter of up to half', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => retryDelayMinutes(n, () => 1))).toEqual([1, 2, 4, 8, 60, 60, 60]);
    expect(retryDelayMinutes(3, () => 0)).toBe(2);
  });
});

describe('fetching safely', () => {
  it('refuses an https policy redirected to plain http', async () => {
    const redirected = Object.defineProperty(new Response('{}', { status: 200 }), 'url', {
      value: 'http://mirror.example/p.json',
    });
    const { fn } = fakeFetch(() => redirected);
    expect(await fetchPolicy(fn, 'https://it.corp.example/p.json', null)).toEqual({
      kind: 'failed',
      error: 'https://it.corp.example/p.json redirected to http://mirror.example/p.json, which is not https',
    });
  });

  it('gives up on a server that never answers', async () => {
    const { fn, calls } = fakeFetch(() => new Response(null, { status: 304 }));
    await fetchPolicy(fn, 'https://it.corp.example/p.json', null);
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('fetching the signature from policyUrl + .sig', () => {
  it('asks policyUrl + ".sig", unconditionally, without cookies or cache', async () => {
    const urls: string[] = [];
    const calls: (RequestInit | undefined)[] = [];
    const fn = ((url: string, init?: RequestInit) => {
      urls.push(url);
      calls.push(init);
      return Promise.resolve(new Response('c2ln\n', { status: 200 }));
    }) as typeof fetch;
    expect(await fetchSignature(fn, 'https://it.corp.example/p.json')).toEqual({ kind: 'fetched', text: 'c2ln\n' });
    expect(urls).toEqual(['https://it.corp.example/p.json.sig']);
    expect(calls[0]).toMatchObject({ credentials: 'omit', cache: 'no-store', headers: {} });
  });

  it('fails on a missing signature, a 304 nobody asked for, and a file too big to be one', async () => {
    const answer = (response: Response) => fetchSignature(fakeFetch(() => response).fn, 'https://h.example/p');
    expect(await answer(new Response('', { status: 404 }))).toEqual({
      kind: 'failed',
      error: 'https://h.example/p.sig answered HTTP 404',
    });
    expect(await answer(new Response(null, { status: 304 }))).toEqual({
      kind: 'failed',
      error: 'https://h.example/p.sig answered HTTP 304 to a plain request',
    });
    expect(await answer(new Response('A'.repeat(2000)))).toEqual({
      kind: 'failed',
      error: 'https://h.example/p.sig sent 2000 bytes; not a signature',
    });
  });
});
