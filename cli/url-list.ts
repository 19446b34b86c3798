/**
 * Reading IT's URL lists for `daylight preview`: one URL a line, or CSV with
 * a `url` column (a proxy or browser-history export).
 */

/** Splits one CSV line into cells (RFC 4180 quoting; a URL never spans lines). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

export interface LineReader {
  /** The URL in this line, or null for a blank line. */
  readonly read: (line: string) => string | null;
}

/**
 * Chooses the reader from the first line: a CSV header with a `url` column
 * (any case) selects that column, and the header itself is skipped.
 */
export function readerFor(firstLine: string): { reader: LineReader; skipFirst: boolean } {
  // A first line that is itself a URL is data, even if one of its comma-separated parts reads "url".
  const header = URL.canParse(firstLine.trim())
    ? []
    : splitCsvLine(stripCr(firstLine)).map((cell) => cell.trim().toLowerCase());
  const column = header.indexOf('url');
  if (column === -1) {
    return {
      reader: {
        read: (line) => {
          const url = stripCr(line).trim();
          return url === '' ? null : url;
        },
      },
      skipFirst: false,
    };
  }
  return {
    reader: {
      read: (line) => {
        const text = stripCr(line);
        if (text.trim() === '') return null;
        const cells = text.includes('"') ? splitCsvLine(text) : text.split(',');
        return (cells[column] ?? '').trim();
      },
    },
    skipFirst: true,
  };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
