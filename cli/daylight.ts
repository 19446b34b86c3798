/**
 * `daylight`: IT's command line. This entry point only dispatches; each
 * command lives in its own file and its logic in lib/.
 */
import { checkCommand } from './commands/check';
import { deployCommand } from './commands/deploy';
import { EXIT_UNUSABLE, UsageError, type Io } from './io';
import { keygenCommand } from './commands/keygen';
import { previewCommand } from './commands/preview';
import { serveCommand } from './commands/serve';
import { signCommand } from './commands/sign';
import { validateCommand } from './commands/validate';

const help = `Usage: daylight COMMAND [options]

Commands:
  validate FILE...            check policy files; one line per error or warning
  check [--policy F] URL...   what the policy decides for each URL (JSON lines)
  preview [--policy F] LOG    what happens to a list of URLs if this policy is pushed
  keygen --out DIR            make a key pair for signed policies; prints the policySigningKey value
  sign POLICY --key PEM       write POLICY.sig, the signature the extension checks
  deploy --browser B --os OS  write the files that force-install and configure Daylight on a fleet
  serve [--port N]            run the collector: usage reports in, the policy out, counts for admins

Run "daylight COMMAND --help" for a command's options.
`;

type Command = (args: readonly string[], io: Io) => number | Promise<number>;

const commands: Record<string, Command> = {
  validate: validateCommand,
  check: checkCommand,
  preview: previewCommand,
  keygen: keygenCommand,
  sign: signCommand,
  deploy: deployCommand,
  serve: serveCommand,
};

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(help);
    return EXIT_UNUSABLE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(help);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`daylight: unknown command "${name}"\n\n${help}`);
    return EXIT_UNUSABLE;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      io.err(`daylight ${name}: ${(error as Error).message}\nRun "daylight ${name} --help" for usage.\n`);
      return EXIT_UNUSABLE;
    }
    throw error;
  }
}
