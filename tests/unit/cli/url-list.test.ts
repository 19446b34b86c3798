import { describe, expect, it } from 'vitest';
import { readerFor, splitCsvLine } from '../../../cli/url-list';

function readAll(lines: string[]): (string | null)[] {
  const { reader, skipFirst } = readerFor(lines[0] ?? '');
  return (skipFirst ? lines.slice(1) : lines).map((line) => reader.read(line));
}

describe('URL lists for daylight preview', () => {
  it('reads one URL a line, trimming spaces and a trailing \\r, blank lines as null', () => {
    expect(readAll(['https://a.example/\r', '  https://b.example/  ', '', '   '])).toEqual([
      'https://a.example/',
      'https://b.example/',
      null,
      null,
    ]);
  });

  it('reads the url column of a CSV export, whatever its case and position', () => {
    expect(
      readAll(['time,URL,status\r', '1,https://a.example/,200\r', '2,"https://b.example/?q=a,b",200', '']),
    ).toEqual(['https://a.example/', 'https://b.example/?q=a,b', null]);
  });

  it('reads a CSV with a single url column and skips its header', () => {
    expect(readAll(['url', 'https://a.example/'])).toEqual(['https://a.example/']);
    expect(readAll(['"url"', 'https://a.example/'])).toEqual(['https://a.example/']);
  });

  it('does not take a first URL with a ",url" part for a CSV header', () => {
    expect(readAll(['https://a.com/?q=x,url', 'https://chatgpt.com/'])).toEqual([
      'https://a.com/?q=x,url',
      'https://chatgpt.com/',
    ]);
  });

  it('does not take a URL that contains "url" for a header', () => {
    expect(readAll(['https://url.example/', 'https://b.example/'])).toEqual([
      'https://url.example/',
      'https://b.example/',
    ]);
  });

  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['a,,', ['a', '', '']],
    ['', ['']],
  ])('splits the CSV line %j', (line, cells) => {
    expect(splitCsvLine(line)).toEqual(cells);
  });
});
