// @vitest-environment node
/**
 * The collector's CSV fields (collector/counts-api.ts csvField) against formula injection, as Excel reads a CSV: with
 * `,` as the list separator (English) and with `;` (German, French, Spanish), quotes honoured or not. No cell may
 * start with a character that makes a formula (OWASP "CSV injection").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../../collector/counts-api';

const FORMULA = /^[=+\-@\t\r]/;

/** The cells of one record as an RFC 4180 reader with `separator` reads them (quotes honoured). */
function readQuoted(record: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i] as string;
    if (quoted && c === '"' && record[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === separator) {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells;
}

/**
 * The cells of a text split at every line break and `separator`, quotes or not, and stripped of the quotes around them
 * (the worst reader: Excel with another separator reads a quoted field, then the rest of the line as text).
 */
const readNaively = (record: string, separator: string): string[] =>
  record.split(/\r\n|\n|\r/).flatMap((line) => line.split(separator).map((cell) => cell.replace(/^"+|"+$/g, '')));

const READERS = [',', ';'].flatMap((separator) => [
  { name: `quotes honoured, "${separator}"`, read: (record: string) => readQuoted(record, separator) },
  { name: `quotes ignored, "${separator}"`, read: (record: string) => readNaively(record, separator) },
]);

describe('csvField', () => {
  it.each([
    ["x;=cmd|' /C calc'!A0", "a formula after a ';', as a German Excel splits it"],
    ['x,+1', "a formula after a ','"],
    ["x;\"=cmd|' /C calc'!A0;y", "a formula after a ';' and a quote"],
    ['a\n=2+3;b', 'a formula at the start of a line'],
    ['=HYPERLINK("https://evil.example")', 'a formula at the start'],
    ['a;b,c', 'separators without a formula'],
  ])('leaves no cell a formula: %j (%s)', (value) => {
    const record = `${csvField(value)},${csvField(7)};${csvField(value)}`;
    for (const { name, read } of READERS) {
      for (const cell of read(record)) expect(cell, `${name}: ${JSON.stringify(cell)}`).not.toMatch(FORMULA);
    }
  });

  it('quotes every text field, so a reader that honours quotes gets the text back whole', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', '"', '=', '+', '-', '@', '\t', '\r', '\n') }),
        (text) => {
          const field = csvField(text);
          expect(field.startsWith('"') && field.endsWith('"')).toBe(true);
          for (const { name, read } of READERS) {
            for (const cell of read(`${field},${field}`)) expect(cell, name).not.toMatch(FORMULA);
          }
          const [whole] = readQuoted(field, ',');
          // The text, with an apostrophe before each formula start: what a spreadsheet shows as text.
          expect(whole?.replace(/(^|[,;"\r\n])'(?=[=+\-@\t\r])/g, '$1')).toBe(text);
        },
      ),
    );
  });

  it('writes numbers as they are and null as an empty field', () => {
    expect([csvField(12), csvField(0), csvField(null)]).toEqual(['12', '0', '']);
  });
});
