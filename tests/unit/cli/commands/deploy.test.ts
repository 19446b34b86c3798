/** `daylight deploy` as IT runs it: bad flags exit 2 naming the flag, nothing is overwritten without --force. */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'daylight-deploy-cli-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const PUBLIC_KEY = readFileSync(new URL('../../../../docs/examples/daylight-signing-key.pub', import.meta.url), 'utf8');
const KEY_FILE = file('daylight-signing-key.pub', PUBLIC_KEY);
const PRIVATE_KEY_FILE = file(
  'daylight-signing-key.pem',
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
);
const POLICY_URL = 'https://daylight.example.com/policy.json';
const XPI = 'https://daylight.example.com/daylight.xpi';
let outCount = 0;
const freshOut = (): string => join(dir, `out-${++outCount}`);
/** A deploy run's arguments: `browser` on `os` with the example policy URL, into `out`. */
const deployArgs = (browser: string, os: string, out: string, ...extra: string[]): string[] => [
  'deploy',
  '--browser',
  browser,
  '--os',
  os,
  '--policy-url',
  POLICY_URL,
  '--out',
  out,
  ...extra,
];
const chrome = (...extra: string[]): string[] => deployArgs('chrome', 'linux', freshOut(), ...extra);
const firefox = (...extra: string[]): string[] => deployArgs('firefox', 'windows', freshOut(), ...extra);

describe('daylight deploy: bad options', () => {
  it.each([
    ['--browser', ['deploy', '--os', 'linux', '--policy-url', POLICY_URL]],
    ['--browser', ['deploy', '--browser', 'safari', '--os', 'linux', '--policy-url', POLICY_URL]],
    ['--os', ['deploy', '--browser', 'chrome', '--policy-url', POLICY_URL]],
    ['--os', ['deploy', '--browser', 'chrome', '--os', 'android', '--policy-url', POLICY_URL]],
    ['--policy-url', ['deploy', '--browser', 'chrome', '--os', 'linux']],
    [
      '--policy-url',
      ['deploy', '--browser', 'chrome', '--os', 'linux', '--policy-url', 'http://daylight.example.com/p'],
    ],
    ['--policy-url', ['deploy', '--browser', 'chrome', '--os', 'linux', '--policy-url', 'daylight.example.com/p']],
    [
      '--policy-url',
      ['deploy', '--browser', 'chrome', '--os', 'linux', '--policy-url', 'https://daylight.example.com/a\nb'],
    ],
    ['--group', chrome('--group', '')],
    ['--group', chrome('--group', 'g'.repeat(65))],
    ['--group', chrome('--group', 'sales\u0007')],
    ['--signing-key-file', chrome('--signing-key-file', join(dir, 'missing.pub'))],
    ['--signing-key-file', chrome('--signing-key-file', file('garbage.pub', 'not a key\n'))],
    ['--signing-key-file', chrome('--signing-key-file', file('short.pub', `${Buffer.alloc(16).toString('base64')}\n`))],
    ['--reporting-token-file', chrome('--reporting-token-file', file('empty-token', '\n'))],
    ['--reporting-token-file', chrome('--reporting-token-file', file('spaced-token', 'two words\n'))],
    ['--reporting-token-file', chrome('--reporting-token-file', join(dir, 'missing-token'))],
    ['--update-url', chrome('--update-url', 'http://updates.example.com/update.xml')],
    ['--update-url', firefox('--install-url', XPI, '--update-url', 'https://daylight.example.com/update.xml')],
    ['--install-url', firefox()],
    ['--install-url', firefox('--install-url', 'javascript:alert(1)')],
    ['--install-url', chrome('--install-url', XPI)],
    ['--extension-id', chrome('--extension-id', 'ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP')],
    ['--extension-id', chrome('--extension-id', 'abcdefghijklmnopabcdefghijklmno')],
    ['--extension-id', chrome('--extension-id', 'daylight@daylight-extension.org')],
    ['--extension-id', firefox('--install-url', XPI, '--extension-id', 'no-at-sign')],
    ['--frobnicate', chrome('--frobnicate')],
  ])('%s: exits 2 and names the flag', (flag, args) => {
    const run = runCli(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(flag.replace(/^--/, ''));
    expect(run.stderr).toMatch(/^daylight deploy: /);
  });

  it('lists every problem at once', () => {
    const run = runCli(['deploy', '--browser', 'firefox', '--os', 'linux', '--group', '']);
    expect(run.status).toBe(2);
    for (const flag of ['--policy-url', '--group', '--install-url']) expect(run.stderr).toContain(`${flag}:`);
  });

  it('refuses a private key as --signing-key-file: the private key never goes to browsers', () => {
    const out = freshOut();
    const run = runCli([
      'deploy',
      '--browser',
      'chrome',
      '--os',
      'macos',
      '--policy-url',
      POLICY_URL,
      '--signing-key-file',
      PRIVATE_KEY_FILE,
      '--out',
      out,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--signing-key-file');
    expect(run.stderr).toContain('private key');
    expect(run.stderr).toContain('daylight-signing-key.pub');
    expect(() => readdirSync(out)).toThrow();
  });
});

describe('daylight deploy: writing the files', () => {
  it('writes into --out, creating it, and says where each file goes', () => {
    const out = join(freshOut(), 'nested');
    const run = runCli(deployArgs('firefox', 'windows', out, '--install-url', XPI, '--signing-key-file', KEY_FILE));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const names = ['daylight.reg', 'policies.json', 'daylight-hardened.reg', 'policies-hardened.json', 'README.md'];
    expect(readdirSync(out).sort()).toEqual([...names].sort());
    expect(run.stdout).toContain(`Daylight for Mozilla Firefox on Windows: wrote 5 files to ${out}`);
    for (const name of names) expect(run.stdout).toMatch(new RegExp(`^  ${name.replace('.', '\\.')} +\\S`, 'm'));
    expect(run.stdout).toContain('HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mozilla\\Firefox');
    expect(run.stdout).not.toContain('`');
  });

  it('defaults --out to ./daylight-BROWSER-OS', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'daylight-deploy-cwd-'));
    const run = runCliIn(cwd, ['deploy', '--browser', 'edge', '--os', 'macos', '--policy-url', POLICY_URL]);
    expect(run.status).toBe(0);
    expect(readdirSync(join(cwd, 'daylight-edge-macos')).sort()).toEqual([
      'README.md',
      'daylight-hardening.mobileconfig',
      'daylight.mobileconfig',
    ]);
  });

  it('never overwrites a file without --force, and writes nothing then', () => {
    const out = freshOut();
    const args = ['deploy', '--browser', 'chrome', '--os', 'windows', '--policy-url', POLICY_URL, '--out', out];
    expect(runCli(args).status).toBe(0);
    writeFileSync(join(out, 'daylight.reg'), 'mine');
    const again = runCli([...args, '--group', 'sales']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exist');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(join(out, 'daylight.reg'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).not.toContain('sales');

    const forced = runCli([...args, '--group', 'sales', '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(out, 'daylight.reg'))).not.toEqual(Buffer.from('mine'));
  });

  it('has --help with an example, and a line in daylight --help', () => {
    const help = runCli(['deploy', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Example:');
    expect(help.stdout).toContain('--signing-key-file');
    expect(runCli(['--help']).stdout).toMatch(/^ {2}deploy /m);
  });
});

function runCliIn(cwd: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
