import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../../cli/io';
import { previewCommand } from '../../../cli/commands/preview';
import { spawnSync } from 'node:child_process';
import { CLI, runCli } from '../../support/cli';
import { CONFORMANCE_POLICY_FILE as CONFORMANCE_POLICY, readConformanceCases } from '../../support/conformance';

const dir = mkdtempSync(join(tmpdir(), 'daylight-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('npx daylight, as the README runs it', () => {
  it('runs from the repository by its package bin, with no node in front', () => {
    const run = spawnSync('npx', ['--no-install', 'daylight', 'check', 'https://chatgpt.com/'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ url: 'https://chatgpt.com/', tool: 'chatgpt' });
  });
});

describe('daylight check', () => {
  it("answers every conformance case with the spec's output, in input order", () => {
    const cases = readConformanceCases();
    const run = runCli(['check', '--policy', CONFORMANCE_POLICY, '--', ...cases.map((c) => c.url)]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(cases.length);
    cases.forEach((testCase, i) => {
      const line = JSON.parse(lines[i] as string) as Record<string, unknown>;
      expect(Object.keys(line)).toEqual(['url', 'action', 'tool', 'category', 'redirectTo']);
      expect(line.url).toBe(testCase.url);
      for (const field of testCase.checks) expect(line[field], `${testCase.url} ${field}`).toBe(testCase[field]);
    });
  });

  it('prints an error line in place of a URL it cannot parse, then exits 1', () => {
    const run = runCli([
      'check',
      '--policy',
      CONFORMANCE_POLICY,
      'https://talkbot.example/',
      'talkbot.example',
      'https://voicey.example/',
    ]);
    expect(run.status).toBe(1);
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([
      {
        url: 'https://talkbot.example/',
        action: 'redirect',
        tool: 'talkbot',
        category: 'chat',
        redirectTo: 'https://chat.globex.example/',
      },
      { url: 'talkbot.example', error: 'not a valid URL' },
      { url: 'https://voicey.example/', action: 'warn', tool: 'voicey', category: 'audio', redirectTo: null },
    ]);
  });

  it('reads --stdin, skipping blank lines and dropping a trailing \\r, echoing each URL exactly', () => {
    const run = runCli(
      ['check', '--policy', CONFORMANCE_POLICY, '--stdin'],
      'https://TALKBOT.example/c/1\r\n\n  \nhttps://notes.example/\r\n',
    );
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { url: string; tool: string | null });
    expect(lines.map((l) => [l.url, l.tool])).toEqual([
      ['https://TALKBOT.example/c/1', 'talkbot'],
      ['https://notes.example/', null],
    ]);
  });

  it('drops the byte order mark a Windows editor puts before the first URL', () => {
    const run = runCli(['check', '--stdin'], '\ufeffhttps://chatgpt.com/\r\n');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout) as unknown).toMatchObject({ url: 'https://chatgpt.com/', tool: 'chatgpt' });
  });

  it('stops quietly when its reader closes the pipe early', () => {
    const urls = Array.from({ length: 50_000 }, (_, i) => `https://chatgpt.com/c/${i}`).join('\n');
    const run = spawnSync('sh', ['-c', `node "${CLI}" check --stdin | head -n 1`], { input: urls, encoding: 'utf8' });
    expect(run.stdout.split('\n')[0]).toContain('"tool":"chatgpt"');
    expect(run.stderr).toBe('');
  });

  it('uses the default policy without --policy: every known AI tool is a friendly warning', () => {
    const run = runCli(['check', 'https://chatgpt.com/', 'https://example.org/']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      '{"url":"https://chatgpt.com/","action":"warn","tool":"chatgpt","category":"chat","redirectTo":null}\n' +
        '{"url":"https://example.org/","action":"allow","tool":null,"category":null,"redirectTo":null}\n',
    );
  });

  it('with an invalid policy prints its errors on stderr, no lines, and exits 2', () => {
    const policy = file(
      'bad.json',
      JSON.stringify({
        schemaVersion: 1,
        revision: 'r',
        rules: [{ tool: 'x', action: 'redirect', redirectTo: 'acme-gpt' }],
      }),
    );
    const run = runCli(['check', '--policy', policy, 'https://chatgpt.com/']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: rules[0].redirectTo: no sanctioned tool with id "acme-gpt"');
  });

  it('with a policy that is not JSON names the line', () => {
    const policy = file('broken.json', '{\n  "schemaVersion": 1,\n  "revision": "r"\n  "catalog": "none"\n}');
    const run = runCli(['check', '--policy', policy, 'https://chatgpt.com/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('line 4, column 3');
  });

  it('with a missing policy file says so and exits 2', () => {
    const run = runCli(['check', '--policy', join(dir, 'nope.json'), 'https://chatgpt.com/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('cannot read');
    expect(run.stderr).toContain('ENOENT');
  });

  it('without URLs explains its usage and exits 2', () => {
    const run = runCli(['check']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('check needs at least one URL');
  });
});

describe('daylight validate', () => {
  it('exits 0 for valid files, with a summary line each', () => {
    const run = runCli(['validate', 'policies/default.json', 'policies/examples/regulated.json']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'policies/default.json: valid (0 warnings)\npolicies/examples/regulated.json: valid (0 warnings)\n',
    );
  });

  it('prints one line per error (JSON path and reason) and exits 1', () => {
    const bad = file(
      'errors.json',
      JSON.stringify({
        schemaVersion: 1,
        revision: 'r',
        tools: [{ id: 'x', name: 'X', category: 'chat', match: ['Bing.com/Chat/'] }],
        warn: { snoozeMinutes: 99999 },
        note: 'hello',
      }),
    );
    const run = runCli(['validate', bad]);
    expect(run.status).toBe(1);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      `${bad}: warning: note: unknown field, ignored (a newer release may use it)`,
      `${bad}: error: tools[0].match[0]: "Bing.com/Chat/" is not in canonical form; write "bing.com/chat"`,
      `${bad}: error: warn.snoozeMinutes: must be a whole number from 0 to 10080`,
      `${bad}: invalid (2 errors, 1 warning)`,
    ]);
  });

  it('warns about legal but suspicious policies and still exits 0', () => {
    const suspicious = file(
      'suspicious.json',
      JSON.stringify({
        schemaVersion: 1,
        revision: 'r',
        rules: [
          { category: 'chat', action: 'redirect' },
          { tool: 'gpt-9', action: 'block' },
        ],
      }),
    );
    const run = runCli(['validate', suspicious]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /warning: rules\[0\]: redirect has no target for "[a-z0-9-]+", .* and \d+ more \(no redirectTo/,
    );
    expect(run.stdout).toContain('warning: rules[1].tool: no tool with id "gpt-9"');
    expect(run.stdout).toContain('valid (2 warnings)');
  });

  it('refuses a policy over the 1 MiB the extension accepts, naming the limit', () => {
    const text = JSON.stringify({ schemaVersion: 1, revision: 'r', note: '' });
    const big = file('big.json', text.replace('"note":""', `"note":"${'x'.repeat((1 << 20) + 1 - text.length)}"`));
    const run = runCli(['validate', big]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      `${big}: error: (policy): is 1,048,577 bytes, over the 1,048,576 (1 MiB) that the extension accepts`,
    );
  });

  it('exits 1 when one file of several is invalid', () => {
    const run = runCli(['validate', 'policies/default.json', file('empty.json', '')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('not valid JSON: line 1, column 1');
  });
});

describe('daylight preview', () => {
  const log = file(
    'log.txt',
    [
      'https://chatgpt.com/c/1',
      'https://chatgpt.com/c/2',
      'https://www.google.com/',
      'not a url',
      '',
      'https://claude.ai/new',
      'https://m365.cloud.microsoft/chat',
    ].join('\n'),
  );

  it('prints per tool and action the URLs and their share, then totals per action', () => {
    const run = runCli(['preview', '--policy', 'policies/examples/microsoft-365.json', log]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('1 line(s) are not valid URLs');
    expect(run.stdout).toContain('Policy 2026-11-26.1: 5 URLs (1 invalid lines left out)');
    expect(run.stdout).toMatch(/ChatGPT \(chatgpt\)\s+redirect\s+2\s+40\.00%/);
    expect(run.stdout).toMatch(/\(not an AI tool\)\s+allow\s+1\s+20\.00%/);
    expect(run.stdout).toMatch(/Microsoft 365 Copilot Chat \(contoso-copilot-chat\)\s+allow\s+1\s+20\.00%/);
    expect(run.stdout).toMatch(/redirect\s+3\s+60\.00%/);
  });

  it('as JSON, with shares that add up to 1', () => {
    const run = runCli(['preview', '--format', 'json', log]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      totalUrls: number;
      rows: { share: number; tool: string | null; action: string; urls: number }[];
    };
    expect(report.totalUrls).toBe(5);
    expect(report.rows.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1);
    expect(report.rows).toContainEqual(expect.objectContaining({ tool: 'chatgpt', action: 'warn', urls: 2 }));
  });

  it('reads a CSV export by its url column, and writes CSV', () => {
    const csv = file(
      'log.csv',
      'time,user_agent,URL,status\n1,"Mozilla, 5.0",https://claude.ai/new,200\n2,x,"https://claude.ai/chat/1",200\n3,x,https://example.org/,200\n',
    );
    const run = runCli(['preview', '--format', 'csv', csv]);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'tool,tool_name,category,action,urls,share',
        'claude,Claude,chat,warn,2,0.666667',
        ',,,allow,1,0.333333',
        '*,total,,warn,2,0.666667',
      ]),
    );
  });

  it('reads standard input with "-"', () => {
    const run = runCli(['preview', '--format', 'json', '-'], 'https://chatgpt.com/\nhttps://example.org/\n');
    expect((JSON.parse(run.stdout) as { totalUrls: number }).totalUrls).toBe(2);
  });

  it('exits 2 with a reason when the file cannot be read', () => {
    const run = runCli(['preview', join(dir, 'missing.log')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('ENOENT');
  });
});

describe('daylight', () => {
  it.each(['validate', 'check', 'preview'])('%s --help prints its usage on stdout', (command) => {
    const run = runCli([command, '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: daylight ${command}`));
  });

  it('without a command prints its usage on stderr and exits 2', () => {
    const run = runCli([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: daylight COMMAND');
  });

  it('lists its commands with --help, and refuses an unknown one', () => {
    expect(runCli(['--help']).stdout).toContain('preview [--policy F] LOG');
    const run = runCli(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
  });

  it('explains an unknown option', () => {
    const run = runCli(['check', '--polcy', 'x', 'https://a.example/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--polcy'");
  });
});

describe('daylight preview on a big file', () => {
  const big = file(
    'big.log',
    'https://chatgpt.com/c/0123456789abcdef0123456789abcdef\nhttps://www.example.org/some/page?x=1\n'.repeat(100_000),
  );

  function runInProcess(errIsTerminal: boolean) {
    let out = '';
    let err = '';
    const io: Io = { out: (text) => (out += text), err: (text) => (err += text), errIsTerminal };
    return previewCommand(['--format', 'json', big], io).then((status) => ({ status, out, err }));
  }

  it('draws a progress bar on stderr when stderr is a terminal, and clears it', async () => {
    const run = await runInProcess(true);
    expect(run.status).toBe(0);
    expect(run.err).toMatch(/\r\[#+ *\] +\d+%/);
    expect(run.err.endsWith('\r')).toBe(true);
    expect((JSON.parse(run.out) as { totalUrls: number }).totalUrls).toBe(200_000);
  });

  it('draws none into a log file', async () => {
    const run = await runInProcess(false);
    expect(run.err).toBe('');
  });
});
