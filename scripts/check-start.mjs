// CI: `npm start` on a fresh clone brings up the whole product. Starts it on a spare port with a
// throwaway data directory, waits for /healthz, and checks that the extension is where the output
// says, built for this collector, and that the dashboard asks for a sign-in. Exits non-zero otherwise.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = 18_000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'daylight-start-'));
const child = spawn(
  process.execPath,
  ['scripts/start.mjs', '--port', String(port), '--data', dataDir, '--sample-data'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let output = '';
child.stdout.setEncoding('utf8').on('data', (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});

function check(condition, what) {
  if (!condition) {
    process.stderr.write(`check-start: ${what}\n`);
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(1);
  }
  process.stdout.write(`check-start: ok: ${what}\n`);
}

const deadline = Date.now() + 240_000;
while (!output.includes('Ctrl-C stops the collector.') && Date.now() < deadline && child.exitCode === null) {
  await new Promise((done) => setTimeout(done, 200));
}
check(output.includes('Ctrl-C stops the collector.'), 'npm start said it was running within 4 minutes');

check((await fetch(`${base}/healthz`)).status === 200, `${base}/healthz answers 200`);
const chromeDir = /Chrome and Edge: (\S+)/.exec(output)?.[1];
const firefoxDir = /Firefox: (\S+)/.exec(output)?.[1];
for (const dir of [chromeDir, firefoxDir]) {
  check(dir !== undefined && existsSync(join(dir, 'manifest.json')), `the extension is built in ${dir}`);
  const background = readFileSync(join(dir, 'background.js'), 'utf8');
  check(background.includes(`${base}/v1/policy`), `${dir} fetches its policy from ${base}/v1/policy`);
}
// The collector takes reports only with the reporting token, which the local builds carry.
const reportingToken = readFileSync('.daylight/reporting-token', 'utf8').trim();
for (const dir of [chromeDir, firefoxDir]) {
  const background = readFileSync(join(dir, 'background.js'), 'utf8');
  check(background.includes(reportingToken), `${dir} carries the collector's reporting token`);
}
const unsigned = await fetch(`${base}/v1/reports`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
check(unsigned.status === 401, 'the collector refuses a report without the reporting token');
// fetch() may not set Host: a page rebinding a name of its own to the collector would send that name.
const rebound = await new Promise((done, fail) => {
  request(`${base}/v1/policy`, { headers: { host: 'attacker-rebind.example' } }, (res) => {
    res.resume();
    done(res.statusCode);
  })
    .on('error', fail)
    .end();
});
check(rebound === 421, 'the collector answers only its own name (421 to a rebound host name)');
const policy = await (await fetch(`${base}/v1/policy`)).json();
check(policy.reporting?.url === `${base}/v1/reports`, 'the served policy reports to this collector');
const dashboard = await fetch(`${base}/`, { redirect: 'manual' });
check(dashboard.status === 303 && dashboard.headers.get('location') === '/login', 'the dashboard asks for a sign-in');
// Where a newcomer finds it: the file it names. The token itself is never printed.
const tokenFile = /Admin token: {2}in (\S+)/.exec(output)?.[1];
check(tokenFile !== undefined, 'npm start says where the admin token is');
const token = readFileSync(tokenFile, 'utf8').trim();
check(!output.includes(token) && !output.includes(reportingToken), 'npm start prints no token');
const signIn = await fetch(`${base}/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token }).toString(),
  redirect: 'manual',
});
const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';
check(cookie !== '', 'the admin token in the file it names signs in');
const page = await fetch(`${base}/`, { headers: { cookie } });
check(page.status === 200 && (await page.text()).includes('/assets/'), 'the dashboard is built and served');
check(/Sample data: \d+ reports added/.test(output), 'the sample data went in');

child.kill('SIGTERM');
await new Promise((done) => child.once('exit', done));
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write('check-start: npm start brings up the whole product\n');
