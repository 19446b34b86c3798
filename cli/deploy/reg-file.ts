/**
 * Windows .reg files as regedit itself exports them: the "Windows Registry Editor Version 5.00" header, CRLF
 * line ends, UTF-16LE with a byte order mark. Strings are quoted with `\` and `"` escaped; a string holding a line
 * break, which a quoted value cannot carry, and every REG_MULTI_SZ are written as regedit writes them, in hex
 * (`hex(1):`, `hex(7):`: UTF-16LE code units, each string ending in a NUL), wrapped with `\` at 80 columns.
 * The format: https://support.microsoft.com/help/310516 (How to add, modify, or delete registry subkeys and
 * values by using a .reg file).
 */
import { wrapText } from './text';

export const REG_HEADER = 'Windows Registry Editor Version 5.00';

const LINE_WIDTH = 80;

export class RegFileBuilder {
  private readonly lines: string[] = [REG_HEADER, ''];

  /** `;` comment lines, wrapped; an empty string gives an empty comment line. */
  comment(...paragraphs: readonly string[]): this {
    for (const paragraph of paragraphs) {
      const wrapped = wrapText(paragraph, LINE_WIDTH - 2);
      if (wrapped.length === 0) this.lines.push(';');
      for (const line of wrapped) this.lines.push(`; ${line}`);
    }
    return this;
  }

  /** One `;` comment line as given, unwrapped (JSON shown beside its hex form keeps its exact spacing). */
  commentLine(text: string): this {
    if (/[\r\n]/.test(text)) throw new Error('a .reg comment is one line');
    this.lines.push(`; ${text}`);
    return this;
  }

  blank(): this {
    this.lines.push('');
    return this;
  }

  key(path: string): this {
    if (/[\r\n[\]]/.test(path)) throw new Error(`not a registry key: ${JSON.stringify(path)}`);
    this.lines.push(`[${path}]`);
    return this;
  }

  /** REG_SZ. */
  string(name: string, data: string): this {
    if (/[\r\n\0]/.test(data)) return this.hex(name, 1, `${data}\0`);
    this.lines.push(`${quote(name)}=${quote(data)}`);
    return this;
  }

  /** REG_DWORD. */
  dword(name: string, data: number): this {
    if (!Number.isInteger(data) || data < 0 || data > 0xffffffff) throw new Error(`not a DWORD: ${data}`);
    this.lines.push(`${quote(name)}=dword:${data.toString(16).padStart(8, '0')}`);
    return this;
  }

  /** REG_MULTI_SZ: each string NUL-terminated, then one more NUL. */
  multiString(name: string, data: readonly string[]): this {
    return this.hex(name, 7, `${data.map((item) => `${item}\0`).join('')}\0`);
  }

  /** The text, one line per element (no line ends). */
  getLines(): readonly string[] {
    return this.lines;
  }

  /** The file's bytes: UTF-16LE with a byte order mark, CRLF after every line. */
  toBytes(): Uint8Array {
    return encodeUtf16le(`\ufeff${this.lines.map((line) => `${line}\r\n`).join('')}`);
  }

  private hex(name: string, type: number, units: string): this {
    const bytes = [...encodeUtf16le(units)].map((byte) => byte.toString(16).padStart(2, '0'));
    let line = `${quote(name)}=hex(${type}):`;
    bytes.forEach((byte, index) => {
      const piece = index === bytes.length - 1 ? byte : `${byte},`;
      // Room for the piece and, if more follows, the `\` that continues the value on the next line.
      if (line.length + piece.length + 1 > LINE_WIDTH && !line.endsWith(':')) {
        this.lines.push(`${line}\\`);
        line = '  ';
      }
      line += piece;
    });
    this.lines.push(line);
    return this;
  }
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

export function encodeUtf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[i * 2] = unit & 0xff;
    bytes[i * 2 + 1] = unit >> 8;
  }
  return bytes;
}
