import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { INVALID_URL, tryDecide } from '../../lib/policy/decide';
import type { PolicyIndex } from '../../lib/policy/compile';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_UNUSABLE, UsageError, loadPolicyOrReport, type Io } from '../io';

export const checkHelp = `Usage: daylight check [--policy FILE] URL...
       daylight check [--policy FILE] --stdin < urls.txt

Prints what the policy decides for each URL: one JSON object a line, in input
order, {"url", "action", "tool", "category", "redirectTo"}. A URL that cannot
be parsed gets {"url", "error"} in its place. Without --policy, the default
policy that ships with Daylight is used.

Exit code: 0 when every URL was decided, 1 when some URL could not be parsed,
2 when the policy is invalid (its errors on stderr, no lines printed).

Options:
  -p, --policy FILE   the policy to test (JSON)
      --stdin         read URLs from standard input, one a line (blank lines skipped)
  -h, --help          show this help
`;

/** One line of output, with the keys in the order the spec gives. */
export function checkLine(index: PolicyIndex, url: string): { line: string; ok: boolean } {
  const decision = tryDecide(index, url);
  if (decision === null) return { line: JSON.stringify({ url, error: INVALID_URL }), ok: false };
  const { action, tool, category, redirectTo } = decision;
  return { line: JSON.stringify({ url, action, tool, category, redirectTo }), ok: true };
}

export function checkCommand(
  args: readonly string[],
  io: Io,
  readStdin: () => string = () => readFileSync(0, 'utf8'),
): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      policy: { type: 'string', short: 'p' },
      stdin: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help === true) {
    io.out(checkHelp);
    return EXIT_OK;
  }
  if (values.stdin === true && positionals.length > 0)
    throw new UsageError('give URLs as arguments or with --stdin, not both');
  if (values.stdin !== true && positionals.length === 0)
    throw new UsageError('check needs at least one URL (or --stdin)');
  const loaded = loadPolicyOrReport(values.policy, io);
  if (loaded === null) return EXIT_UNUSABLE;
  const urls =
    values.stdin === true
      ? readStdin()
          // A file saved by a Windows editor may start with a byte order mark; it is not part of the first URL.
          .replace(/^\ufeff/, '')
          .split('\n')
          .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
          .filter((line) => line.trim() !== '')
      : positionals;
  let exit = EXIT_OK;
  let buffer = '';
  for (const url of urls) {
    const { line, ok } = checkLine(loaded.index, url);
    if (!ok) exit = EXIT_BAD_INPUT;
    buffer += `${line}\n`;
    if (buffer.length > 65536) {
      io.out(buffer);
      buffer = '';
    }
  }
  io.out(buffer);
  return exit;
}
