// @vitest-environment node
/** `daylight serve`, as IT runs it: the built CLI in a process of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../support/cli';
import { testCertificate } from '../../../support/certificates';
import { fakeReport, postReport, send } from '../../../support/collector';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daylight-serve-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** DAYLIGHT_* variables of the machine running the tests must not leak into the command under test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DAYLIGHT_')));
  return { ...env, ...extra };
}

interface Serving {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  readonly stdout: () => string;
  readonly exit: Promise<number | null>;
}

/** Starts `daylight serve ...args` and resolves once it says where to sign in. */
function serve(args: readonly string[], env: Record<string, string> = {}): Promise<Serving> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: cleanEnv(env), cwd: dir });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const url = /Sign in: (?:\S+\/login, or on this machine )?(https?:\/\/127\.0\.0\.1:\d+)\/login[ \n]/.exec(
        stderr,
      )?.[1];
      if (url !== undefined) resolve({ child, url, stderr: () => stderr, stdout: () => stdout, exit });
    });
    void exit.then((code) => reject(new Error(`daylight serve exited with ${code}: ${stderr}`)));
  });
}

/** Runs `daylight serve ...args`, which must refuse to start: its exit code and what it said on stderr. */
async function refusedStart(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: cleanEnv(), cwd: dir });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

describe('daylight serve', () => {
  it('--help explains the command, its endpoints and its environment', () => {
    const run = runCli(['serve', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Usage: daylight serve \[--port N\] \[--host H\] \[--public-url URL\] \[--data DIR\]\n\s+\[--tls-cert FILE --tls-key FILE\] \[--admin-port N \[--admin-host H\]\]\n\s+\[--policy FILE\] \[--groups FILE\]\n/,
    );
    for (const text of [
      'POST /v1/reports',
      '--groups FILE',
      '--public-url URL',
      'DAYLIGHT_PUBLIC_URL',
      '--tls-cert FILE',
      'DAYLIGHT_TLS_KEY',
      '--admin-port N',
      'DAYLIGHT_ADMIN_PORT',
      'DAYLIGHT_ADMIN_TOKEN',
      'DAYLIGHT_REPORTING_TOKEN',
      'DAYLIGHT_DATA_DIR',
    ]) {
      expect(run.stdout).toContain(text);
    }
    expect(runCli(['--help']).stdout).toContain('  serve [--port N]            run the collector');
  });

  it('refuses a bad port with exit 2', () => {
    const run = runCli(['serve', '--port', '80000']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('daylight serve: --port must be a whole number from 0 to 65535, not "80000"');
  });

  it('starts, writes the generated tokens to 0600 files and prints neither, answers /healthz, logs JSON lines, stops on SIGTERM', async () => {
    const first = await serve(['--port', '0', '--host', '127.0.0.1', '--data', 'collector-data']);
    const data = join(dir, 'collector-data');
    expect(first.stderr()).toContain(`data in ${data}`);
    // On loopback, no page elsewhere can rebind a name to it: no warning.
    expect(first.stderr()).not.toContain('DNS rebinding');
    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.stderr()).toContain(`Admin token: generated, written to ${join(data, 'admin-token')} (readable by`);
    // The fleet's reporting token, generated too: without it, nobody can add counts.
    expect(first.stderr()).toContain('Reports: POST /v1/reports (reporting token required)');
    const reportingToken = readFileSync(join(data, 'reporting-token'), 'utf8').trim();
    expect(reportingToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reportingToken).not.toBe(token);
    const health = await send(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.text).toBe('{"status":"ok"}');
    expect((await postReport(first, fakeReport())).status).toBe(401);
    expect((await postReport(first, fakeReport(), { authorization: `Bearer ${reportingToken}` })).status).toBe(202);
    // The database, its WAL and the token files are for the collector's user alone.
    for (const name of readdirSync(data)) expect(statSync(join(data, name)).mode & 0o777, name).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    const lines = first
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(['listening', 'request', 'request', 'request', 'stopped']);
    for (const output of [first.stdout(), first.stderr()]) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(reportingToken);
    }

    const second = await serve(['--port', '0', '--host', '127.0.0.1'], { DAYLIGHT_DATA_DIR: 'collector-data' });
    expect(second.stderr()).toContain(`Admin token: in ${join(data, 'admin-token')}`);
    expect(second.stderr()).not.toContain(token);
    expect(second.stderr()).not.toContain(reportingToken);
    expect((await postReport(second, fakeReport(), { authorization: `Bearer ${reportingToken}` })).status).toBe(202);
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('runs open with --no-reporting-token, and says so', async () => {
    const serving = await serve(['--port', '0', '--host', '127.0.0.1', '--no-reporting-token']);
    expect(serving.stderr()).toContain('Reports: POST /v1/reports (open to anyone: --no-reporting-token)');
    expect(serving.stderr()).not.toContain('Reporting token for the fleet');
    expect((await postReport(serving, fakeReport())).status).toBe(202);
    serving.child.kill('SIGTERM');
    expect(await serving.exit).toBe(0);
  });

  it('warns on every interface without --public-url; with it, answers other host names 421', async () => {
    const open = await serve(['--port', '0', '--no-reporting-token']);
    expect(open.stderr()).toContain(
      'Warning: no --public-url, so any host name is answered: a web page could reach this collector by DNS rebinding',
    );
    expect(open.stderr()).toContain(
      'Warning: plain HTTP on the network, so the admin token, the session and the reports cross it in clear',
    );
    open.child.kill('SIGTERM');
    expect(await open.exit).toBe(0);
    const guarded = await serve(['--port', '0', '--no-reporting-token'], {
      DAYLIGHT_PUBLIC_URL: 'https://daylight.example.com',
    });
    expect(guarded.stderr()).not.toContain('DNS rebinding');
    // Its https public URL is a TLS proxy in front: no plain-HTTP warning, and the sign-in named at that URL.
    expect(guarded.stderr()).not.toContain('plain HTTP');
    expect(guarded.stderr()).toMatch(/Sign in: https:\/\/daylight\.example\.com\/login, or on this machine http:/);
    expect((await postReport(guarded, fakeReport(), { host: 'attacker-rebind.example' })).status).toBe(421);
    expect((await postReport(guarded, fakeReport(), { host: 'daylight.example.com' })).status).toBe(202);
    guarded.child.kill('SIGTERM');
    expect(await guarded.exit).toBe(0);
  });

  it('serves HTTPS with --tls-cert and --tls-key, and no longer warns of plain HTTP', async () => {
    const pair = await testCertificate();
    writeFileSync(join(dir, 'cert.pem'), pair.cert);
    writeFileSync(join(dir, 'key.pem'), pair.key, { mode: 0o600 });
    const serving = await serve(['--port', '0', '--no-reporting-token', '--tls-cert', 'cert.pem'], {
      DAYLIGHT_TLS_KEY: 'key.pem',
    });
    expect(serving.url).toMatch(/^https:/);
    expect(serving.stderr()).toMatch(/listening on 0\.0\.0\.0:\d+ \(HTTPS\)/);
    expect(serving.stderr()).not.toContain('plain HTTP');
    const answer = await send(`${serving.url}/v1/reports`, {
      method: 'POST',
      ca: pair.cert,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fakeReport()),
    });
    expect(answer.status).toBe(202);
    serving.child.kill('SIGTERM');
    expect(await serving.exit).toBe(0);
  });

  it('refuses --tls-cert without --tls-key or with an http public URL, and a pair that does not load, with exit 2', async () => {
    const alone = await refusedStart(['--tls-cert', 'cert.pem']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--tls-cert and --tls-key go together');
    const plainUrl = await refusedStart(['--tls-cert', 'c', '--tls-key', 'k', '--public-url', 'http://d.example']);
    expect(plainUrl.code).toBe(2);
    expect(plainUrl.stderr).toContain('--public-url must be an https URL with --tls-cert, not "http://d.example"');
    writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
    writeFileSync(join(dir, 'key.pem'), 'not a key');
    const bad = await refusedStart(['--tls-cert', 'cert.pem', '--tls-key', 'key.pem']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`daylight serve: --tls-cert ${join(dir, 'cert.pem')}: not a PEM certificate`);
  });

  it('serves the sign-in on --admin-port only, and the fleet on --port', async () => {
    const serving = await serve(['--port', '0', '--admin-port', '0', '--no-reporting-token']);
    const fleetPort = /listening on 0\.0\.0\.0:(\d+)/.exec(serving.stderr())?.[1] ?? '';
    expect(serving.stderr()).toContain(`/login (the admin port; port ${fleetPort} serves the fleet only)`);
    const fleet = { url: `http://127.0.0.1:${fleetPort}` };
    expect(fleet.url).not.toBe(serving.url);
    expect((await postReport(fleet, fakeReport())).status).toBe(202);
    expect((await send(`${fleet.url}/login`)).status).toBe(404);
    expect((await send(`${serving.url}/login`)).status).toBe(200);
    serving.child.kill('SIGTERM');
    expect(await serving.exit).toBe(0);
    const alone = await refusedStart(['--admin-host', '0.0.0.0']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--admin-host goes with --admin-port');
  });

  it('takes the port, admin and reporting tokens from the environment', async () => {
    const serving = await serve(['--host', '127.0.0.1'], {
      DAYLIGHT_PORT: '0',
      DAYLIGHT_DATA_DIR: join(dir, 'data'),
      DAYLIGHT_ADMIN_TOKEN: 'an-admin-token-from-env',
      DAYLIGHT_REPORTING_TOKEN: 'a-reporting-token',
    });
    expect(serving.stderr()).toContain('Admin token: DAYLIGHT_ADMIN_TOKEN\n');
    expect(serving.stderr()).toContain('(reporting token required)');
    expect((await postReport(serving, fakeReport())).status).toBe(401);
    expect((await postReport(serving, fakeReport(), { authorization: 'Bearer a-reporting-token' })).status).toBe(202);
    serving.child.kill('SIGTERM');
    expect(await serving.exit).toBe(0);
  });

  it('refuses to start with an invalid policy: exit 2, each error with its path', async () => {
    const policy = join(dir, 'bad.json');
    writeFileSync(policy, JSON.stringify({ schemaVersion: 1, revision: 'r', catalog: 'none', defaultAction: 'nope' }));
    const { code, stderr } = await refusedStart(['--policy', policy]);
    expect(code).toBe(2);
    expect(stderr).toContain(`daylight serve: ${policy} is not a valid policy:\n  defaultAction: must be one of`);
  });

  it('refuses to start with a --public-url that is not an http(s) URL', async () => {
    const { code, stderr } = await refusedStart(['--public-url', 'ftp://daylight.example']);
    expect(code).toBe(2);
    expect(stderr).toContain('daylight serve: --public-url must be an http or https URL');
  });

  it('refuses to start with a policy over the 1 MiB the extension accepts', async () => {
    const policy = join(dir, 'big.json');
    const text = JSON.stringify({ schemaVersion: 1, revision: 'r', note: '' });
    writeFileSync(policy, text.replace('"note":""', `"note":"${'x'.repeat(1 << 20)}"`));
    const { code, stderr } = await refusedStart(['--policy', policy]);
    expect(code).toBe(2);
    expect(stderr).toContain('over the 1,048,576 (1 MiB) that the extension accepts');
  });

  it('refuses to start with a bad --groups file: exit 2, naming the line', async () => {
    const groups = join(dir, 'groups.txt');
    writeFileSync(groups, `Sales\n${'x'.repeat(65)}\n`);
    const { code, stderr } = await refusedStart(['--groups', groups]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `daylight serve: ${groups} is not a list of groups:\n  line 2: a group is at most 64 characters`,
    );
  });

  it('is a chunk of its own: the other commands start without loading the collector or SQLite', () => {
    const entry = readFileSync(CLI, 'utf8');
    expect(entry).not.toContain('better-sqlite3');
    const staticImports = [...entry.matchAll(/import\s*(?:[\w${},\s*]+from\s*)?"(\.\/[^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(staticImports.length).toBeGreaterThan(0);
    for (const file of staticImports) {
      expect(readFileSync(join(dirname(CLI), file), 'utf8'), file).not.toContain('better-sqlite3');
    }
    expect(entry).toMatch(/import\("\.\/chunks\/server-[\w-]+\.js"\)/);
  });
});
