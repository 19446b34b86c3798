/**
 * A strict reader of Windows .reg files in the form regedit exports them (and `daylight deploy` writes them):
 * UTF-16LE with a byte order mark, CRLF line ends, the "Windows Registry Editor Version 5.00" header, then
 * blank lines, `;` comments, `[HKEY_…\key]` lines and value lines under a key:
 *   "name"="string"            REG_SZ, with `\\` and `\"` the only escapes
 *   "name"=dword:0000002a      REG_DWORD, eight lowercase hex digits
 *   "name"=hex(1):61,00,00,00  REG_SZ in hex: UTF-16LE, NUL-terminated
 *   "name"=hex(7):…            REG_MULTI_SZ in hex: NUL-terminated strings, then a NUL
 * A hex value continues on the next line after a trailing `\`, that line indented by two spaces. Any other line is
 * an error naming its line number. https://support.microsoft.com/help/310516 describes the format.
 */

export type RegValue =
  | { readonly type: 'REG_SZ'; readonly data: string }
  | { readonly type: 'REG_DWORD'; readonly data: number }
  | { readonly type: 'REG_MULTI_SZ'; readonly data: readonly string[] };

export type RegEntry = RegValue & {
  /** The key, as written between the brackets. */
  readonly key: string;
  readonly name: string;
  /** 1-based line of the value's first line. */
  readonly line: number;
};

export class RegFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export const REG_HEADER = 'Windows Registry Editor Version 5.00';

const ROOTS = ['HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER', 'HKEY_CLASSES_ROOT', 'HKEY_USERS', 'HKEY_CURRENT_CONFIG'];
const KEY_LINE = /^\[([^\\[\]]+)((?:\\[^\\[\]]+)*)\]$/;
const QUOTED = String.raw`"((?:[^"\\]|\\[\\"])*)"`;
const VALUE_LINE = new RegExp(`^${QUOTED}=(.*)$`);
const STRING_DATA = new RegExp(`^${QUOTED}$`);
const DWORD_DATA = /^dword:([0-9a-f]{8})$/;
const HEX_DATA = /^hex\(([17])\):(.*)$/;
const HEX_BYTES = /^(?:[0-9a-f]{2},)*[0-9a-f]{2}$/;

/** The text of a .reg file's bytes: a UTF-16LE BOM is required, and CRLF is the only line end allowed. */
export function decodeRegFile(bytes: Uint8Array): string {
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xfe)
    throw new RegFormatError(1, 'no UTF-16LE byte order mark');
  if (bytes.length % 2 !== 0) throw new RegFormatError(1, 'an odd number of bytes is not UTF-16');
  const text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\r' && text[i + 1] !== '\n') throw new RegFormatError(line, 'a CR without LF');
    if (char === '\n') {
      if (text[i - 1] !== '\r') throw new RegFormatError(line, 'an LF without CR');
      line++;
    }
  }
  if (!text.endsWith('\r\n')) throw new RegFormatError(line, 'the last line has no CRLF');
  return text;
}

/** Every value of the file, in order. Throws RegFormatError at the first line outside the grammar. */
export function parseRegText(text: string): RegEntry[] {
  const lines = text.split('\r\n');
  lines.pop(); // after the final CRLF
  if (lines[0] !== REG_HEADER) throw new RegFormatError(1, `the first line must be "${REG_HEADER}"`);
  const entries: RegEntry[] = [];
  const seen = new Set<string>();
  let key: string | null = null;
  for (let index = 1; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index] ?? '';
    if (line === '' || line.startsWith(';')) continue;
    const keyMatch = KEY_LINE.exec(line);
    if (keyMatch !== null) {
      if (!ROOTS.includes(keyMatch[1] ?? ''))
        throw new RegFormatError(lineNumber, `unknown root key "${keyMatch[1] ?? ''}"`);
      key = `${keyMatch[1] ?? ''}${keyMatch[2] ?? ''}`;
      continue;
    }
    const valueMatch = VALUE_LINE.exec(line);
    if (valueMatch === null) throw new RegFormatError(lineNumber, `not a key, value, comment or blank line: ${line}`);
    if (key === null) throw new RegFormatError(lineNumber, 'a value before any [key]');
    const name = unescape(valueMatch[1] ?? '');
    let data = valueMatch[2] ?? '';
    const where = `${key.toLowerCase()}\n${name.toLowerCase()}`;
    if (seen.has(where)) throw new RegFormatError(lineNumber, `"${name}" is set twice in [${key}]`);
    seen.add(where);

    const stringMatch = STRING_DATA.exec(data);
    const dwordMatch = DWORD_DATA.exec(data);
    const hexMatch = HEX_DATA.exec(data);
    if (stringMatch !== null) {
      entries.push({ key, name, line: lineNumber, type: 'REG_SZ', data: unescape(stringMatch[1] ?? '') });
    } else if (dwordMatch !== null) {
      entries.push({ key, name, line: lineNumber, type: 'REG_DWORD', data: parseInt(dwordMatch[1] ?? '', 16) });
    } else if (hexMatch !== null) {
      data = hexMatch[2] ?? '';
      while (data.endsWith('\\')) {
        index++;
        const next = lines[index];
        if (next === undefined || !next.startsWith('  ')) {
          throw new RegFormatError(
            index + 1,
            'a hex value continued with "\\" needs a next line indented by two spaces',
          );
        }
        data = `${data.slice(0, -1)}${next.slice(2)}`;
      }
      if (!HEX_BYTES.test(data)) throw new RegFormatError(lineNumber, `"${name}": not comma-separated hex bytes`);
      const units = decodeUnits(data, lineNumber, name);
      if (hexMatch[1] === '1') {
        if (!units.endsWith('\0') || units.slice(0, -1).includes('\0')) {
          throw new RegFormatError(lineNumber, `"${name}": hex(1) must be one NUL-terminated string`);
        }
        entries.push({ key, name, line: lineNumber, type: 'REG_SZ', data: units.slice(0, -1) });
      } else {
        if (!units.endsWith('\0\0')) {
          throw new RegFormatError(lineNumber, `"${name}": hex(7) must end with an empty string (two NULs)`);
        }
        const strings = units.slice(0, -2).split('\0');
        if (strings.includes(''))
          throw new RegFormatError(lineNumber, `"${name}": an empty string inside a REG_MULTI_SZ`);
        entries.push({ key, name, line: lineNumber, type: 'REG_MULTI_SZ', data: strings });
      }
    } else {
      throw new RegFormatError(lineNumber, `"${name}": data is not "string", dword:XXXXXXXX, hex(1): or hex(7):`);
    }
  }
  return entries;
}

/** Decodes and parses a .reg file's bytes. */
export function readRegFile(bytes: Uint8Array): RegEntry[] {
  return parseRegText(decodeRegFile(bytes));
}

function unescape(quoted: string): string {
  return quoted.replace(/\\([\\"])/g, '$1');
}

function decodeUnits(hex: string, line: number, name: string): string {
  const bytes = Uint8Array.from(hex.split(','), (byte) => parseInt(byte, 16));
  if (bytes.length % 2 !== 0) throw new RegFormatError(line, `"${name}": an odd number of bytes is not UTF-16`);
  return new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
}
