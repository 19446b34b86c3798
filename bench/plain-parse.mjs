// The baseline `daylight preview` is timed against: read a URL list and parse
// every line with the WHATWG parser, nothing else. It reads the way the CLI
// does (cli/commands/preview.ts: 1 MiB chunks of UTF-8, split on '\n', trailing '\r'
// and blanks dropped), so the difference between the two is the cost of
// deciding and tallying, not of a different way of reading.
//
//   node bench/plain-parse.mjs FILE   → prints {"urls": N, "invalid": M}
import { createReadStream } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/plain-parse.mjs FILE\n');
  process.exit(2);
}

let urls = 0;
let invalid = 0;
// Summing host lengths keeps the parse observable, so no engine could skip it.
let hostChars = 0;

const take = (line) => {
  const text = (line.endsWith('\r') ? line.slice(0, -1) : line).trim();
  if (text === '') return;
  try {
    hostChars += new URL(text).hostname.length;
    urls++;
  } catch {
    invalid++;
  }
};

const stream = createReadStream(file, { highWaterMark: 1 << 20 });
stream.setEncoding('utf8');
let rest = '';
for await (const chunk of stream) {
  const text = rest + chunk;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    take(text.slice(start, end));
    start = end + 1;
  }
  rest = text.slice(start);
}
if (rest !== '') take(rest);

process.stdout.write(`${JSON.stringify({ urls, invalid, hostChars })}\n`);
