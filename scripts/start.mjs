// `npm start`: the whole product on one machine. Builds the extension preconfigured for a local
// collector (it fetches its policy from it, and the policy sends the counts back to it), starts
// `daylight serve` with an example policy, and says where the dashboard, the admin token and the
// extension are. Flags and environment: `npm start -- --help`, and the README.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleReports } from './sample-data.mjs';

const HELP = `Usage: npm start [-- options]

Builds the extension for a local collector, starts the collector with an example policy, and prints
the dashboard address, the admin token and how to load the extension.

Options:
  --port N         the collector's port on 127.0.0.1 (default 8787; env DAYLIGHT_PORT)
  --data DIR       where the collector keeps its database (default .daylight/data; env DAYLIGHT_DATA_DIR)
  --policy FILE    the policy to serve (default policies/examples/microsoft-365.json, with its
                   reporting pointed at the local collector)
  --sample-data    add a month of made-up usage so the dashboard is not empty (env DAYLIGHT_SAMPLE_DATA=1)
  --no-build       start the collector with the builds already made
  -h, --help       this text
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    policy: { type: 'string' },
    'sample-data': { type: 'boolean' },
    'no-build': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const env = process.env;
const port = Number(values.port ?? env.DAYLIGHT_PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be a port number, not ${values.port}`);
const stateDir = resolve('.daylight');
const dataDir = resolve(values.data ?? env.DAYLIGHT_DATA_DIR ?? `${stateDir}/data`);
const base = `http://127.0.0.1:${port}`;
const policyUrl = `${base}/v1/policy`;
const builds = [
  { label: 'Chrome and Edge', args: ['build', '--mode', 'trial'], dir: resolve('.output/chrome-mv3-trial') },
  {
    label: 'Firefox',
    args: ['build', '-b', 'firefox', '--mv3', '--mode', 'trial'],
    dir: resolve('.output/firefox-mv3-trial'),
  },
];

function fail(message) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(2);
}

function run(label, command, args, extraEnv = {}) {
  process.stdout.write(`${label}...\n`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, ...extraEnv } });
  if (result.status !== 0) fail(`${label} failed (exit ${result.status})`);
}

// Local tokens, kept beside the data so every `npm start` uses the same ones. Only their files' paths are
// printed, as `daylight serve` does: a terminal's scrollback or a CI log keeps what is printed. The reporting
// token goes into this trial build, as IT puts it in the fleet's managed reportingToken.
mkdirSync(stateDir, { recursive: true });
const adminTokenFile = resolve(stateDir, 'admin-token');
const reportingTokenFile = resolve(stateDir, 'reporting-token');
const adminToken = env.DAYLIGHT_ADMIN_TOKEN ?? localToken(adminTokenFile);
const reportingToken = env.DAYLIGHT_REPORTING_TOKEN ?? localToken(reportingTokenFile);
const tokenWhere = (variable, file) => (env[variable] === undefined ? `in ${file}` : `${variable}`);

function localToken(file) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

if (!values['no-build']) {
  run('Building the command line and the collector', process.execPath, ['scripts/build-cli.mjs']);
  run('Building the dashboard', resolve('node_modules/.bin/vite'), [
    'build',
    '-c',
    'dashboard/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
  for (const build of builds) {
    // Only this build learns the local policy URL and reporting token (entrypoints/background.ts); others never do.
    run(`Building the extension for ${build.label}`, resolve('node_modules/.bin/wxt'), build.args, {
      WXT_DAYLIGHT_POLICY_URL: policyUrl,
      WXT_DAYLIGHT_REPORTING_TOKEN: reportingToken,
    });
  }
}
for (const build of builds) {
  if (!existsSync(`${build.dir}/manifest.json`)) fail(`no build in ${build.dir}; run without --no-build`);
}

// The example policy, reporting to this collector every hour (the shortest interval the format allows).
const examplePath = resolve(values.policy ?? 'policies/examples/microsoft-365.json');
const policy = JSON.parse(readFileSync(examplePath, 'utf8'));
const servedPolicy = resolve(stateDir, 'policy.json');
writeFileSync(
  servedPolicy,
  `${JSON.stringify({ ...policy, reporting: { url: `${base}/v1/reports`, intervalMinutes: 60 } }, null, 2)}\n`,
);

const collector = spawn(
  process.execPath,
  [
    'dist/cli/daylight.js',
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data',
    dataDir,
    '--policy',
    servedPolicy,
    '--public-url',
    base,
  ],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, DAYLIGHT_ADMIN_TOKEN: adminToken, DAYLIGHT_REPORTING_TOKEN: reportingToken },
  },
);
// The collector's JSON-line log goes to a file; its own messages (and errors) to this terminal.
const log = resolve(stateDir, 'collector.log');
collector.stdout.on('data', (chunk) => writeFileSync(log, chunk, { flag: 'a' }));
collector.stderr.pipe(process.stderr);
const stop = () => collector.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
collector.on('exit', (code) => process.exit(code ?? 0));

await waitForHealth();
if (values['sample-data'] || env.DAYLIGHT_SAMPLE_DATA === '1') await addSampleData();

process.stdout.write(`
Daylight is running on this machine.

  Dashboard:    ${base}/
  Admin token:  ${tokenWhere('DAYLIGHT_ADMIN_TOKEN', adminTokenFile)}  (paste it at the sign-in)
  Reporting token: ${tokenWhere('DAYLIGHT_REPORTING_TOKEN', reportingTokenFile)}  (already in these builds; IT puts it in the managed reportingToken)
  Policy:       ${policyUrl}  (from ${examplePath})
  Collector log: ${log}

  The extension, built to fetch that policy and report to this collector:
    Chrome and Edge: ${builds[0].dir}
      chrome://extensions (Edge: edge://extensions) → Developer mode → Load unpacked → that folder
    Firefox: ${builds[1].dir}
      about:debugging#/runtime/this-firefox → Load Temporary Add-on → manifest.json in that folder

  Then open an AI tool such as https://chatgpt.com/. Counts reach the dashboard within the hour,
  or at once with "Send now" on the extension's options page.

  Ctrl-C stops the collector.
`);

async function waitForHealth() {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  stop();
  fail(`the collector did not answer ${base}/healthz within 10 s`);
}

async function addSampleData() {
  const approved = policy.sanctioned?.map((entry) => entry.id) ?? [];
  const reports = sampleReports({
    today: new Date(),
    approved,
    shadow: [
      { tool: 'chatgpt', nudge: 'redirected' },
      { tool: 'claude', nudge: 'redirected' },
      { tool: 'midjourney', nudge: 'warned' },
      { tool: 'character-ai', nudge: 'blocked' },
    ],
    policyRevision: policy.revision,
  });
  let added = 0;
  for (const report of reports) {
    for (;;) {
      const response = await fetch(`${base}/v1/reports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${reportingToken}` },
        body: JSON.stringify(report),
      });
      // Over the collector's capacity: wait as it says, as the extension does.
      if (response.status === 429) {
        await new Promise((done) => setTimeout(done, Number(response.headers.get('Retry-After') ?? 1) * 1000));
        continue;
      }
      if (response.status === 202) added++;
      else if (response.status !== 200)
        fail(`the collector refused sample data: ${response.status} ${await response.text()}`);
      break;
    }
  }
  process.stdout.write(`Sample data: ${added} reports added (${reports.length - added} were there already).\n`);
}
