// `npm run examples` (builds the CLI first): writes docs/examples/BROWSER-OS/ with the built `daylight deploy`
// for every browser and operating system, and docs/examples/README.md listing the exact commands.
// tests/unit/cli/deploy/build.test.ts runs the commands of that README again and compares every byte.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLES = 'docs/examples';
const BROWSERS = ['chrome', 'edge', 'firefox'];
const OPERATING_SYSTEMS = ['windows', 'macos', 'linux'];
const NAMES = { chrome: 'Google Chrome', edge: 'Microsoft Edge', firefox: 'Mozilla Firefox' };
const OS_NAMES = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };

function getArgs(browser, os) {
  return [
    'deploy',
    '--browser',
    browser,
    '--os',
    os,
    '--policy-url',
    'https://daylight.example.com/policy.json',
    '--signing-key-file',
    `${EXAMPLES}/daylight-signing-key.pub`,
    '--group',
    'example-group',
    ...(browser === 'firefox' ? ['--install-url', 'https://daylight.example.com/daylight.xpi'] : []),
    '--out',
    `${EXAMPLES}/${browser}-${os}`,
  ];
}

const commands = [];
const folders = [];
for (const browser of BROWSERS) {
  for (const os of OPERATING_SYSTEMS) {
    const args = getArgs(browser, os);
    // Removed first, so a file the command no longer writes does not linger.
    rmSync(join(EXAMPLES, `${browser}-${os}`), { recursive: true, force: true });
    execFileSync(process.execPath, ['dist/cli/daylight.js', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    commands.push(`npx daylight ${args.join(' ')}`);
    folders.push(`- [${NAMES[browser]} on ${OS_NAMES[os]}](${browser}-${os}/README.md)`);
  }
}

writeFileSync(
  join(EXAMPLES, 'README.md'),
  `# Deployment examples

What \`daylight deploy\` writes for every browser and operating system, for a made-up organization whose policy is at
\`https://daylight.example.com/policy.json\`, signed with the key in [daylight-signing-key.pub](daylight-signing-key.pub)
(its public half only), reporting its counts as the group \`example-group\`; Firefox installs the add-on from
\`https://daylight.example.com/daylight.xpi\`. Each folder's README.md says where its files go.

${folders.join('\n')}

Written by \`npm run examples\` (scripts/gen-examples.mjs) with these commands, from the repository's root. A test
runs them again and fails when the output differs from these files: after changing \`daylight deploy\`, run
\`npm run examples\` and review the diff.

\`\`\`sh
${commands.join('\n')}
\`\`\`
`,
);
console.log(`Wrote ${commands.length} examples to ${EXAMPLES}/`);
