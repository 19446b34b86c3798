import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDeployment } from '../deploy/build';
import { checkDeployInput, type FileText } from '../deploy/options';
import { OS_NAMES, PRODUCT_NAMES } from '../deploy/targets';
import { EXIT_OK, EXIT_UNUSABLE, UsageError, type Io } from '../io';

export const deployHelp = `Usage: daylight deploy --browser B --os OS --policy-url URL [options]

Writes the files IT needs to force-install Daylight on a fleet and configure it
through the browser's enterprise policy, for one browser on one operating system:
  windows   a .reg file (Group Policy registry items, Intune, "reg import")
  macos     a .mobileconfig configuration profile (Jamf Pro, Intune, Kandji)
  linux     the policy JSON file (/etc/opt/chrome/policies/managed/, /etc/firefox/policies/)
Firefox also gets policies.json. Beside them: the recommended hardening (developer
tools, private windows, other extensions) in a file of its own, and a README.md
saying where each file goes and what each hardening policy costs.

Options:
  --browser B                 chrome, edge or firefox (required)
  --os OS                     windows, macos or linux (required)
  --policy-url URL            where Daylight fetches the policy (required; https,
                              http only for a loopback host)
  --signing-key-file F        daylight-signing-key.pub from "daylight keygen": only
                              policies signed with its private key are accepted
  --group G                   the org unit reported with usage counts (at most 64 characters)
  --reporting-token-file F    a file holding the collector's reporting token (a file,
                              so the token stays out of shell history)
  --disable-reporting         these browsers never upload usage counts
  --update-url URL            chrome, edge: the update manifest of a self-hosted CRX
                              (default: the Chrome Web Store or Edge Add-ons)
  --install-url URL           firefox (required): the address of the signed XPI
  --extension-id ID           another id than Daylight's builds have (a CRX packed with
                              your own key, the id the Edge Add-ons store gave you, your
                              own Firefox add-on id)
  --no-preconnect             not even a handshake: the hardening also turns off the
                              browser's network prediction, whose preconnect can open a
                              TLS connection (no request) to a tool before its nudge;
                              every site loses that head start (see the README.md)
  -o, --out DIR               where to write (default ./daylight-BROWSER-OS, created if missing)
  -f, --force                 overwrite files already there
  -h, --help                  show this help

Example:
  daylight deploy --browser chrome --os windows \\
    --policy-url https://daylight.example.com/v1/policy \\
    --signing-key-file keys/daylight-signing-key.pub --group sales

Exit code: 0 when every file was written, 2 on a bad option or when a file is
already there (without --force).
`;

// Long: the flags' table, then each flag read in the order of --help; the checks are in cli/deploy/options.ts.
export async function deployCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      browser: { type: 'string' },
      os: { type: 'string' },
      'policy-url': { type: 'string' },
      'signing-key-file': { type: 'string' },
      group: { type: 'string' },
      'reporting-token-file': { type: 'string' },
      'disable-reporting': { type: 'boolean' },
      'update-url': { type: 'string' },
      'install-url': { type: 'string' },
      'extension-id': { type: 'string' },
      'no-preconnect': { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    io.out(deployHelp);
    return EXIT_OK;
  }

  const check = checkDeployInput({
    browser: values.browser,
    os: values.os,
    policyUrl: values['policy-url'],
    signingKey: readFlagFile('--signing-key-file', values['signing-key-file']),
    group: values.group,
    reportingToken: readFlagFile('--reporting-token-file', values['reporting-token-file']),
    disableReporting: values['disable-reporting'],
    updateUrl: values['update-url'],
    installUrl: values['install-url'],
    extensionId: values['extension-id'],
    noPreconnect: values['no-preconnect'],
  });
  if (!check.ok) {
    const lines = check.problems.map((problem) => `${problem.flag}: ${problem.message}`);
    throw new UsageError(lines.length === 1 ? (lines[0] ?? '') : `${lines.length} problems:\n  ${lines.join('\n  ')}`);
  }
  const { options } = check;
  const files = await buildDeployment(options);
  const out = values.out ?? `daylight-${options.browser}-${options.os}`;

  if (values.force !== true) {
    const existing = files.filter((file) => exists(join(out, file.name))).map((file) => join(out, file.name));
    if (existing.length > 0) {
      io.err(
        `daylight deploy: ${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}; ` +
          'nothing was written (--force overwrites, or choose another --out)\n',
      );
      return EXIT_UNUSABLE;
    }
  }
  try {
    mkdirSync(out, { recursive: true });
    for (const file of files) {
      // `wx` without --force: a file that appeared since the check above is still never overwritten.
      writeFileSync(join(out, file.name), file.content, { flag: values.force === true ? 'w' : 'wx' });
    }
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    io.err(`daylight deploy: cannot write ${path ?? out}: ${code ?? String(error)}\n`);
    return EXIT_UNUSABLE;
  }

  const width = Math.max(...files.map((file) => file.name.length));
  io.out(
    `Daylight for ${PRODUCT_NAMES[options.browser]} on ${OS_NAMES[options.os]}: wrote ${files.length} files to ${out}\n`,
  );
  for (const file of files) io.out(`  ${file.name.padEnd(width)}  ${file.purpose.replace(/`/g, '')}\n`);
  return EXIT_OK;
}

function readFlagFile(flag: string, file: string | undefined): FileText | undefined {
  if (file === undefined) return undefined;
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
