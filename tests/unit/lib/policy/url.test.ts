import { describe, expect, it } from 'vitest';
import {
  isIpHost,
  isLoopbackHost,
  normalizePath,
  percentDecodeOnce,
  stripTrailingDots,
} from '../../../../lib/policy/url';

describe('normalizePath (spec "Deciding a URL" step 3)', () => {
  it.each([
    ['/', '/'],
    ['/chat', '/chat'],
    ['/%63hat', '/chat'],
    ['/CHAT', '/chat'],
    ['//chat', '/chat'],
    ['/x/..%2fchat', '/chat'],
    ['/x/..%2Fchat', '/chat'],
    ['/enterprise%2f..%2fx', '/x'],
    ['/a/./b/', '/a/b/'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../a', '/a'],
    ['/%2e%2e/a', '/a'],
    ['/%252e%252e/a', '/%2e%2e/a'],
    ['/a%zz', '/a%zz'],
    ['/a%2', '/a%2'],
    ['/caf%C3%A9', '/café'],
    ['/%C3%89t%C3%A9', '/été'],
    ['/%ff', '/\ufffd'],
    ['/a//b///c', '/a/b/c'],
    ['/.well-known/x', '/.well-known/x'],
  ])('%s → %s', (raw, normal) => {
    expect(normalizePath(raw)).toBe(normal);
  });
});

describe('percentDecodeOnce', () => {
  it.each([
    ['abc', 'abc'],
    ['%41%62', 'Ab'],
    ['%2541', '%41'],
    ['%', '%'],
    ['%4', '%4'],
    ['%g1', '%g1'],
    ['é%20x', 'é x'],
    ['😀%21', '😀!'],
  ])('%j → %j', (raw, decoded) => {
    expect(percentDecodeOnce(raw)).toBe(decoded);
  });
});

describe('hosts', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['[::1]', true],
    ['example.com', false],
    ['xn--bcher-kva.example', false],
    ['1password.com', false],
    ['x.x1', false],
    ['x.1x', false],
    ['1.2.3.4', true],
  ])('isIpHost(%s) is %s', (host, ip) => {
    expect(isIpHost(host)).toBe(ip);
  });

  it.each([
    ['localhost', true],
    ['localhost.', true],
    ['app.localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['localhost.example', false],
    ['mylocalhost', false],
  ])('isLoopbackHost(%s) is %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('strips every trailing dot', () => {
    expect(stripTrailingDots('a.example...')).toBe('a.example');
    expect(stripTrailingDots('a.example')).toBe('a.example');
    expect(stripTrailingDots('...')).toBe('');
  });
});
