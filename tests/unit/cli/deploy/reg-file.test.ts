import { describe, expect, it } from 'vitest';
import { RegFileBuilder, encodeUtf16le } from '../../../../cli/deploy/reg-file';
import { RegFormatError, decodeRegFile, parseRegText, readRegFile } from '../../../support/reg-file';

const HEADER = 'Windows Registry Editor Version 5.00';
const lines = (...rest: string[]): string => [HEADER, '', ...rest, ''].join('\r\n');
const bytes = (text: string): Uint8Array => encodeUtf16le(`\ufeff${text}`);

describe('the .reg reader of the tests (tests/support/reg-file.ts) is strict', () => {
  it('reads keys, strings, dwords and hex values, skipping comments and blank lines', () => {
    const text = lines(
      '; a comment',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Test]',
      '"plain"="a \\"quoted\\" \\\\ value"',
      '"number"=dword:0000002a',
      '"one"=hex(1):61,00,0d,00,0a,00,62,00,00,00',
      '"many"=hex(7):61,00,00,00,\\',
      '  62,00,00,00,00,00',
    );
    expect(readRegFile(bytes(text))).toEqual([
      {
        key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Test',
        name: 'plain',
        line: 5,
        type: 'REG_SZ',
        data: 'a "quoted" \\ value',
      },
      { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Test', name: 'number', line: 6, type: 'REG_DWORD', data: 42 },
      { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Test', name: 'one', line: 7, type: 'REG_SZ', data: 'a\r\nb' },
      {
        key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Test',
        name: 'many',
        line: 8,
        type: 'REG_MULTI_SZ',
        data: ['a', 'b'],
      },
    ]);
  });

  it.each([
    ['a missing header', ['Windows Registry Editor Version 4.00', '', ''].join('\r\n'), 1],
    ['a value before any key', lines('"a"="b"'), 3],
    ['an unknown root', lines('[HKEY_SOMEWHERE\\x]'), 3],
    ['a key without its bracket', lines('[HKEY_LOCAL_MACHINE\\x'), 3],
    ['an empty key segment', lines('[HKEY_LOCAL_MACHINE\\\\x]'), 3],
    ['an unknown escape', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"="b\\n"'), 4],
    ['an unescaped quote', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"="b"c"'), 4],
    ['a short dword', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"=dword:1'), 4],
    ['an uppercase dword', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"=dword:0000000A'), 4],
    ['another type', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"=hex(2):61,00,00,00'), 4],
    ['an unquoted name', lines('[HKEY_LOCAL_MACHINE\\x]', 'a="b"'), 4],
    ['a default value', lines('[HKEY_LOCAL_MACHINE\\x]', '@="b"'), 4],
    ['a value set twice', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"="b"', '"A"="c"'), 5],
    ['hex without its NUL', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"=hex(1):61,00'), 4],
    ['multi-string without its final NUL', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"=hex(7):61,00,00,00'), 4],
    ['a continuation not indented', lines('[HKEY_LOCAL_MACHINE\\x]', '"a"=hex(1):61,00,\\', '00,00'), 5],
    ['a stray line', lines('[HKEY_LOCAL_MACHINE\\x]', 'hello'), 4],
    ['an indented comment', lines('  ; comment'), 3],
  ])('refuses %s, naming the line', (_name, text, line) => {
    expect(() => parseRegText(text)).toThrow(RegFormatError);
    expect(() => parseRegText(text)).toThrow(`line ${line}:`);
  });

  it('refuses a file without a byte order mark, with LF or lone CR line ends, or without a final CRLF', () => {
    expect(() => decodeRegFile(encodeUtf16le(lines()))).toThrow('byte order mark');
    expect(() => decodeRegFile(bytes(`${HEADER}\n\n`))).toThrow('LF without CR');
    expect(() => decodeRegFile(bytes(`${HEADER}\r\n\r;x\r\n`))).toThrow('CR without LF');
    expect(() => decodeRegFile(bytes(`${HEADER}\r\n;x`))).toThrow('no CRLF');
  });
});

describe('RegFileBuilder', () => {
  it('writes what the reader reads back, wrapping hex at 80 columns', () => {
    const long = 'x'.repeat(200);
    const builder = new RegFileBuilder()
      .comment('a comment that is long enough to be wrapped over more than one line of the file, as regedit shows it')
      .key('HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Test')
      .string('quote"back\\slash', 'say "hi" \\ bye')
      .string('lines', 'one\r\ntwo\nthree\rfour')
      .dword('max', 0xffffffff)
      .multiString('json', [long, '{"a":1}']);
    const text = decodeRegFile(builder.toBytes());
    for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(parseRegText(text).map(({ name, type, data }) => ({ name, type, data }))).toEqual([
      { name: 'quote"back\\slash', type: 'REG_SZ', data: 'say "hi" \\ bye' },
      { name: 'lines', type: 'REG_SZ', data: 'one\r\ntwo\nthree\rfour' },
      { name: 'max', type: 'REG_DWORD', data: 0xffffffff },
      { name: 'json', type: 'REG_MULTI_SZ', data: [long, '{"a":1}'] },
    ]);
  });
});
