import { parseArgs } from 'node:util';
import { formatProblem } from '../../lib/policy/validate';
import { EXIT_BAD_INPUT, EXIT_OK, UsageError, readPolicyFile, type Io } from '../io';

export const validateHelp = `Usage: daylight validate FILE...

Checks policy files against the policy format (schema version 1) and the
bundled catalog. Prints one line per error and per warning, each with the JSON
path and the reason, then a summary line per file.

Exit code: 0 when every file is valid (warnings allowed), 1 otherwise.

Options:
  -q, --quiet   print errors only (no warnings, no summary)
  -h, --help    show this help
`;

export function validateCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help === true) {
    io.out(validateHelp);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('validate needs at least one policy file');
  let exit = EXIT_OK;
  for (const file of positionals) {
    const result = readPolicyFile(file);
    if (values.quiet !== true)
      for (const warning of result.warnings) io.out(`${file}: warning: ${formatProblem(warning)}\n`);
    if (!result.ok) {
      for (const error of result.errors) io.out(`${file}: error: ${formatProblem(error)}\n`);
      if (values.quiet !== true)
        io.out(
          `${file}: invalid (${plural(result.errors.length, 'error')}, ${plural(result.warnings.length, 'warning')})\n`,
        );
      exit = EXIT_BAD_INPUT;
    } else if (values.quiet !== true) {
      io.out(`${file}: valid (${plural(result.warnings.length, 'warning')})\n`);
    }
  }
  return exit;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
