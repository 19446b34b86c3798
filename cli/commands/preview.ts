import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ACTIONS } from '../../lib/policy/schema';
import { tryDecide } from '../../lib/policy/decide';
import { PreviewTally, type PreviewReport } from '../preview-tally';
import { readerFor, type LineReader } from '../url-list';
import type { PolicyIndex } from '../../lib/policy/compile';
import { EXIT_OK, EXIT_UNUSABLE, UsageError, loadPolicyOrReport, type Io } from '../io';

export const previewHelp = `Usage: daylight preview [--policy FILE] [--format text|json|csv] LOG

"What happens if we push this?" Reads a list of URLs (one a line, or a CSV
file whose header has a "url" column; "-" reads standard input), decides each
with the policy, and prints per tool and action the number of URLs and their
share of all URLs, then the totals per action. Without --policy, the default
policy that ships with Daylight is used. Lines that are not URLs are counted
and reported on stderr. A progress bar is drawn on stderr for big files when
stderr is a terminal.

Exit code: 0 when the preview was printed, 2 when the policy or the file
cannot be read.

Options:
  -p, --policy FILE     the policy to test (JSON)
  -f, --format FORMAT   text (default), json or csv
  -h, --help            show this help
`;

const FORMATS = ['text', 'json', 'csv'] as const;
/** Smaller files take well under a second: no bar needed. */
const PROGRESS_MIN_BYTES = 8 << 20;
type Format = (typeof FORMATS)[number];

export async function previewCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      policy: { type: 'string', short: 'p' },
      format: { type: 'string', short: 'f', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help === true) {
    io.out(previewHelp);
    return EXIT_OK;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or csv, not "${values.format}"`);
  if (positionals.length !== 1)
    throw new UsageError('preview needs exactly one URL list (a file, or - for standard input)');
  const file = positionals[0] as string;
  const loaded = loadPolicyOrReport(values.policy, io);
  if (loaded === null) return EXIT_UNUSABLE;
  let report: PreviewReport;
  try {
    report = await tallyFile(file, loaded.index, io);
  } catch (error) {
    io.err(`daylight preview: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT_UNUSABLE;
  }
  if (report.invalidUrls > 0) io.err(`${file}: ${report.invalidUrls} line(s) are not valid URLs and were left out\n`);
  io.out(formatReport(report, format, loaded.policy.revision));
  return EXIT_OK;
}

async function tallyFile(file: string, index: PolicyIndex, io: Io): Promise<PreviewReport> {
  // stat first: a missing file then fails here, before a stream exists to emit an unhandled error.
  const totalBytes = file === '-' ? 0 : statSync(file).size;
  const stream = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const progress = io.errIsTerminal && totalBytes > PROGRESS_MIN_BYTES ? new ProgressBar(totalBytes, io) : null;
  const tally = new PreviewTally();
  let reader: LineReader | null = null;
  let rest = '';
  const take = (line: string): void => {
    if (reader === null) {
      const chosen = readerFor(line);
      reader = chosen.reader;
      if (chosen.skipFirst) return;
    }
    const url = reader.read(line);
    if (url === null) return;
    const decision = tryDecide(index, url);
    if (decision === null) tally.addInvalid();
    else tally.add(decision);
  };
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    progress?.advance(Buffer.byteLength(chunk));
    const text = rest + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') take(rest);
  progress?.done();
  return tally.report();
}

class ProgressBar {
  private seen = 0;
  private lastDraw = 0;
  constructor(
    private readonly total: number,
    private readonly io: Io,
  ) {}

  advance(bytes: number): void {
    this.seen += bytes;
    const now = Date.now();
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const fraction = Math.min(1, this.seen / this.total);
    const width = 30;
    const filled = Math.round(fraction * width);
    this.io.err(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
  }

  done(): void {
    this.io.err(`\r${' '.repeat(40)}\r`);
  }
}

const percent = (share: number): string => `${(share * 100).toFixed(2)}%`;

export function formatReport(report: PreviewReport, format: Format, revision: string): string {
  if (format === 'json') return `${JSON.stringify({ policyRevision: revision, ...report }, null, 2)}\n`;
  if (format === 'csv') {
    const lines = ['tool,tool_name,category,action,urls,share'];
    for (const row of report.rows) {
      lines.push(
        [row.tool ?? '', row.toolName ?? '', row.category ?? '', row.action, String(row.urls), row.share.toFixed(6)]
          .map(csvCell)
          .join(','),
      );
    }
    for (const action of ACTIONS) {
      const total = report.totals[action];
      lines.push(['*', 'total', '', action, String(total.urls), total.share.toFixed(6)].map(csvCell).join(','));
    }
    return `${lines.join('\n')}\n`;
  }
  const table: string[][] = [['tool', 'action', 'urls', 'share']];
  for (const row of report.rows) {
    table.push([
      row.tool === null ? '(not an AI tool)' : `${row.toolName ?? row.tool} (${row.tool})`,
      row.action,
      String(row.urls),
      percent(row.share),
    ]);
  }
  const widths = (table[0] as string[]).map((_, column) =>
    Math.max(...table.map((cells) => (cells[column] as string).length)),
  );
  const render = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column >= 2 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  const out = [
    `Policy ${revision}: ${report.totalUrls} URLs${report.invalidUrls > 0 ? ` (${report.invalidUrls} invalid lines left out)` : ''}`,
    '',
  ];
  out.push(...table.map(render), '', 'Totals per action:');
  for (const action of ACTIONS) {
    const total = report.totals[action];
    out.push(
      `  ${action.padEnd(8)}  ${String(total.urls).padStart(widths[2] as number)}  ${percent(total.share).padStart(7)}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Quotes a CSV cell when needed, and defuses cells a spreadsheet would run as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
