/**
 * `daylight deploy`: the files in docs/examples are what the command writes (golden), and every file parses back
 * with a real parser (JSON.parse, the `plist` package, the strict .reg reader of tests/support) into the same
 * ExtensionSettings and managed values on every operating system, whatever the input.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { buildDeployment, type DeployFile } from '../../../../cli/deploy/build';
import { checkDeployInput, type DeployInput, type DeployOptions } from '../../../../cli/deploy/options';
import { BROWSERS, OPERATING_SYSTEMS, type Browser, type Os } from '../../../../cli/deploy/targets';
import { runCli } from '../../../support/cli';
import { readRegFile, type RegEntry } from '../../../support/reg-file';
import { specKeys } from '../../../support/spec-keys';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const EXAMPLES = join(ROOT, 'docs/examples');
const SIGNING_KEY = readFileSync(join(EXAMPLES, 'daylight-signing-key.pub'), 'utf8');
const PAIRS = BROWSERS.flatMap((browser) => OPERATING_SYSTEMS.map((os) => [browser, os] as const));

/** The commands listed in docs/examples/README.md, as arguments after `npx daylight`. */
function getExampleCommands(): string[][] {
  return readFileSync(join(EXAMPLES, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('npx daylight deploy '))
    .map((line) => line.split(' ').slice(2));
}

describe('docs/examples', () => {
  const commands = getExampleCommands();

  it('lists one command for every browser and operating system, and holds their folders only', () => {
    const folders = commands.map((args) => basename(args[args.indexOf('--out') + 1] ?? ''));
    expect(folders.sort()).toEqual(PAIRS.map(([browser, os]) => `${browser}-${os}`).sort());
    const entries = readdirSync(EXAMPLES).filter((entry) => statSync(join(EXAMPLES, entry)).isDirectory());
    expect(entries.sort()).toEqual(folders);
  });

  it.each(commands.map((args) => [basename(args[args.indexOf('--out') + 1] ?? ''), args] as const))(
    '%s is byte for byte what the command writes',
    (folder, args) => {
      const out = join(mkdtempSync(join(tmpdir(), 'daylight-deploy-golden-')), folder);
      const run = runCli(
        args.map((arg, index) => (args[index - 1] === '--out' ? out : arg.startsWith('docs/') ? join(ROOT, arg) : arg)),
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const hint = `docs/examples/${folder} is not what "daylight deploy" writes: run "npm run examples" and review the diff`;
      const expected = readdirSync(join(EXAMPLES, folder)).sort();
      expect(readdirSync(out).sort(), hint).toEqual(expected);
      for (const name of expected) {
        const same = readFileSync(join(out, name)).equals(readFileSync(join(EXAMPLES, folder, name)));
        expect(same, `${name}: ${hint}`).toBe(true);
      }
    },
  );
});

/** What a target's files say, read back with real parsers. */
interface ReadBack {
  readonly extensionSettings: unknown;
  readonly managed: Record<string, unknown>;
  /** Browser policies other than ExtensionSettings: the hardening. */
  readonly hardening: Record<string, unknown>;
  /** Firefox: read from a hardened variant (policies-hardened.json, daylight-hardened.*). */
  readonly hardened?: boolean;
}

const REG_ROOT: Readonly<Record<Browser, string>> = {
  chrome: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome',
  edge: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge',
  firefox: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mozilla\\Firefox',
};
const MAC_DOMAIN: Readonly<Record<Browser, string>> = {
  chrome: 'com.google.Chrome',
  edge: 'com.microsoft.Edge',
  firefox: 'org.mozilla.firefox',
};
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

function getFile(files: readonly DeployFile[], name: string): DeployFile {
  const file = files.find((candidate) => candidate.name === name);
  if (file === undefined) throw new Error(`no ${name} among ${files.map((candidate) => candidate.name).join(', ')}`);
  return file;
}

function text(file: DeployFile): string {
  if (typeof file.content !== 'string') throw new Error(`${file.name} is not text`);
  return file.content;
}

function bytes(file: DeployFile): Uint8Array {
  if (typeof file.content === 'string') throw new Error(`${file.name} is not bytes`);
  return file.content;
}

/** A policy's JSON text as Firefox reads a REG_MULTI_SZ (WindowsGPOParser: NULs become newlines). */
function parseMultiString(entry: RegEntry): unknown {
  expect(entry.type).toBe('REG_MULTI_SZ');
  return JSON.parse((entry.data as readonly string[]).join('\n'));
}

/** Registry values the way Chrome maps them onto policy types: REG_DWORD 0/1 for booleans. */
function regScalar(entry: RegEntry, booleans: readonly string[]): unknown {
  if (entry.type === 'REG_DWORD' && booleans.includes(entry.name)) {
    expect([0, 1]).toContain(entry.data);
    return entry.data === 1;
  }
  return entry.data;
}

function readRegValues(
  entries: readonly RegEntry[],
  key: string,
  booleans: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(
    entries.filter((entry) => entry.key === key).map((entry) => [entry.name, regScalar(entry, booleans)]),
  );
}

type PlistDict = Record<string, unknown>;

/** A configuration profile, checked for its structure; returns its payloads by PayloadType. */
function readProfile(xml: string): Map<string, PlistDict> {
  const root = parsePlist(xml) as PlistDict;
  expect(root.PayloadType).toBe('Configuration');
  expect(root.PayloadVersion).toBe(1);
  expect(root.PayloadScope).toBe('System');
  expect(root.PayloadIdentifier).toMatch(/^org\.daylight-extension\.deploy\.[a-z.-]+$/);
  expect(root.PayloadUUID).toMatch(UUID);
  expect(typeof root.PayloadDisplayName).toBe('string');
  const content = root.PayloadContent as PlistDict[];
  expect(Array.isArray(content)).toBe(true);
  const payloads = new Map<string, PlistDict>();
  const uuids = new Set([root.PayloadUUID]);
  const identifiers = new Set([root.PayloadIdentifier]);
  for (const payload of content) {
    expect(payload.PayloadVersion).toBe(1);
    expect(payload.PayloadUUID).toMatch(UUID);
    expect(typeof payload.PayloadIdentifier).toBe('string');
    uuids.add(payload.PayloadUUID);
    identifiers.add(payload.PayloadIdentifier);
    const type = payload.PayloadType as string;
    expect(payloads.has(type), `two payloads of type ${type}`).toBe(false);
    payloads.set(type, Object.fromEntries(Object.entries(payload).filter(([key]) => !key.startsWith('Payload'))));
  }
  expect(uuids.size, 'every PayloadUUID differs').toBe(content.length + 1);
  expect(identifiers.size, 'every PayloadIdentifier differs').toBe(content.length + 1);
  return payloads;
}

function getPayload(payloads: Map<string, PlistDict>, type: string): PlistDict {
  const payload = payloads.get(type);
  if (payload === undefined) throw new Error(`no payload of type ${type} (${[...payloads.keys()].join(', ')})`);
  return payload;
}

/** Every format a target writes, read back; each variant must agree with the others. */
function readTarget(options: DeployOptions, files: readonly DeployFile[]): ReadBack[] {
  const { browser, extensionId: id } = options;
  const reads: ReadBack[] = [];
  const splitFirefox = (policies: Record<string, unknown>): ReadBack => {
    const { ExtensionSettings, '3rdparty': thirdParty, ...hardening } = policies;
    const extensions = (thirdParty as { Extensions: Record<string, Record<string, unknown>> }).Extensions;
    expect(Object.keys(extensions)).toEqual([id]);
    return { extensionSettings: ExtensionSettings, managed: extensions[id] ?? {}, hardening };
  };
  if (browser === 'firefox') {
    for (const [name, hardened] of [
      ['policies.json', false],
      ['policies-hardened.json', true],
    ] as const) {
      const parsed = JSON.parse(text(getFile(files, name))) as { policies: Record<string, unknown> };
      expect(Object.keys(parsed)).toEqual(['policies']);
      reads.push({ ...splitFirefox(parsed.policies), hardened });
    }
    if (options.os === 'windows') {
      for (const [name, hardened] of [
        ['daylight.reg', false],
        ['daylight-hardened.reg', true],
      ] as const) {
        const entries = readRegFile(bytes(getFile(files, name)));
        for (const entry of entries) expect(entry.key.startsWith(REG_ROOT.firefox)).toBe(true);
        const settings = entries.find((entry) => entry.key === REG_ROOT.firefox && entry.name === 'ExtensionSettings');
        const managed = entries.find(
          (entry) => entry.key === `${REG_ROOT.firefox}\\3rdparty\\Extensions` && entry.name === id,
        );
        if (settings === undefined || managed === undefined)
          throw new Error(`${name}: ExtensionSettings or 3rdparty missing`);
        const hardening = readRegValues(
          entries.filter((entry) => entry !== settings),
          REG_ROOT.firefox,
          ['DisableDeveloperTools', 'NetworkPrediction'],
        );
        expect(entries).toHaveLength(2 + Object.keys(hardening).length);
        reads.push({
          extensionSettings: parseMultiString(settings),
          managed: parseMultiString(managed) as Record<string, unknown>,
          hardening,
          hardened,
        });
      }
    }
    if (options.os === 'macos') {
      for (const [name, hardened] of [
        ['daylight.mobileconfig', false],
        ['daylight-hardened.mobileconfig', true],
      ] as const) {
        const payloads = readProfile(text(getFile(files, name)));
        expect([...payloads.keys()]).toEqual([MAC_DOMAIN.firefox]);
        const { EnterprisePoliciesEnabled, ...policies } = getPayload(payloads, MAC_DOMAIN.firefox);
        expect(EnterprisePoliciesEnabled).toBe(true);
        reads.push({ ...splitFirefox(policies), hardened });
      }
    }
    return reads;
  }

  switch (options.os) {
    case 'linux': {
      const main = JSON.parse(text(getFile(files, 'daylight.json'))) as Record<string, unknown>;
      expect(Object.keys(main)).toEqual(['ExtensionSettings', '3rdparty']);
      const extensions = (main['3rdparty'] as { extensions: Record<string, Record<string, unknown>> }).extensions;
      expect(Object.keys(extensions)).toEqual([id]);
      const hardening = JSON.parse(text(getFile(files, 'daylight-hardening.json'))) as Record<string, unknown>;
      reads.push({ extensionSettings: main.ExtensionSettings, managed: extensions[id] ?? {}, hardening });
      break;
    }
    case 'windows': {
      const root = REG_ROOT[browser];
      const entries = readRegFile(bytes(getFile(files, 'daylight.reg')));
      const policyKey = `${root}\\3rdparty\\extensions\\${id}\\policy`;
      for (const entry of entries) expect([root, policyKey]).toContain(entry.key);
      const settings = entries.find((entry) => entry.key === root && entry.name === 'ExtensionSettings');
      if (settings?.type !== 'REG_SZ') throw new Error('ExtensionSettings is not a REG_SZ');
      expect(entries.filter((entry) => entry.key === root)).toHaveLength(1);
      const hardeningEntries = readRegFile(bytes(getFile(files, 'daylight-hardening.reg')));
      const scalars = readRegValues(hardeningEntries, root, ['BrowserGuestModeEnabled']);
      const lists = Object.fromEntries(
        ['ExtensionInstallBlocklist', 'ExtensionInstallAllowlist'].map((name) => {
          const items = hardeningEntries.filter((entry) => entry.key === `${root}\\${name}`);
          // A list policy: the values "1", "2", … of a key named after it.
          expect(items.map((entry) => entry.name)).toEqual(items.map((_entry, index) => String(index + 1)));
          return [name, items.map((entry) => entry.data)];
        }),
      );
      expect(hardeningEntries).toHaveLength(Object.keys(scalars).length + 2);
      reads.push({
        extensionSettings: JSON.parse(settings.data),
        managed: readRegValues(entries, policyKey, ['disableReporting']),
        hardening: { ...scalars, ...lists },
      });
      break;
    }
    case 'macos': {
      const main = readProfile(text(getFile(files, 'daylight.mobileconfig')));
      const extensionDomain = `${MAC_DOMAIN[browser]}.extensions.${id}`;
      expect([...main.keys()].sort()).toEqual([MAC_DOMAIN[browser], extensionDomain].sort());
      const settings = getPayload(main, MAC_DOMAIN[browser]);
      expect(Object.keys(settings)).toEqual(['ExtensionSettings']);
      const hardening = readProfile(text(getFile(files, 'daylight-hardening.mobileconfig')));
      expect([...hardening.keys()]).toEqual([MAC_DOMAIN[browser]]);
      reads.push({
        extensionSettings: settings.ExtensionSettings,
        managed: getPayload(main, extensionDomain),
        hardening: getPayload(hardening, MAC_DOMAIN[browser]),
      });
      break;
    }
  }
  return reads;
}

function getOptions(input: DeployInput): DeployOptions {
  const check = checkDeployInput(input);
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  return check.options;
}

const exampleInput = (browser: Browser, os: Os): DeployInput => ({
  browser,
  os,
  policyUrl: 'https://daylight.example.com/policy.json',
  signingKey: { file: 'daylight-signing-key.pub', text: SIGNING_KEY },
  group: 'example-group',
  ...(browser === 'firefox' ? { installUrl: 'https://daylight.example.com/daylight.xpi' } : {}),
});

/** What every read-back of a target must say. */
function expectTarget(
  options: DeployOptions,
  reads: readonly ReadBack[],
  expectedManaged: Record<string, unknown>,
): void {
  const id = options.extensionId;
  const keys = specKeys();
  for (const read of reads) {
    for (const [key, value] of Object.entries(read.managed)) {
      expect(Object.keys(keys), `3rdparty key ${key}`).toContain(key);
      expect(typeof value, `3rdparty ${key}`).toBe(keys[key]);
    }
    expect(read.managed).toEqual(expectedManaged);
  }
  if (options.browser === 'firefox') {
    const entry = { installation_mode: 'force_installed', install_url: options.installUrl, private_browsing: true };
    expect(reads.filter((read) => read.hardened === true)).toHaveLength(reads.length / 2);
    for (const read of reads) {
      if (read.hardened === true) {
        expect(read.extensionSettings).toEqual({ '*': { installation_mode: 'blocked' }, [id]: entry });
        expect(read.hardening).toEqual({
          DisableDeveloperTools: true,
          ...(options.noPreconnect && { NetworkPrediction: false }),
        });
      } else {
        expect(read.extensionSettings).toEqual({ [id]: entry });
        expect(read.hardening).toEqual({});
      }
    }
    return;
  }
  const pin = options.browser === 'chrome' ? { toolbar_pin: 'force_pinned' } : { toolbar_state: 'force_shown' };
  const incognito = options.browser === 'chrome' ? 'IncognitoModeAvailability' : 'InPrivateModeAvailability';
  for (const read of reads) {
    expect(read.extensionSettings).toEqual({
      [id]: { installation_mode: 'force_installed', update_url: options.updateUrl, ...pin },
    });
    expect(read.hardening).toEqual({
      DeveloperToolsAvailability: 0,
      ExtensionDeveloperModeSettings: 1,
      [incognito]: 1,
      BrowserGuestModeEnabled: false,
      ExtensionInstallBlocklist: ['*'],
      ExtensionInstallAllowlist: [id],
      ...(options.noPreconnect && { NetworkPredictionOptions: 2 }),
    });
  }
}

describe('daylight deploy: every file read back with real parsers', () => {
  it.each(PAIRS)(
    '%s on %s: the same ExtensionSettings, managed values and hardening in every file',
    async (browser, os) => {
      const options = getOptions(exampleInput(browser, os));
      const files = await buildDeployment(options);
      expect(files.at(-1)?.name).toBe('README.md');
      const reads = readTarget(options, files);
      expect(reads.length).toBeGreaterThan(0);
      expectTarget(options, reads, {
        policyUrl: 'https://daylight.example.com/policy.json',
        policySigningKey: SIGNING_KEY.trim(),
        group: 'example-group',
      });
    },
  );

  it.each(PAIRS)(
    '%s on %s: --no-preconnect turns network prediction off in the hardening, and the README says what it costs',
    async (browser, os) => {
      const options = getOptions({ ...exampleInput(browser, os), noPreconnect: true });
      const files = await buildDeployment(options);
      expectTarget(options, readTarget(options, files), {
        policyUrl: 'https://daylight.example.com/policy.json',
        policySigningKey: SIGNING_KEY.trim(),
        group: 'example-group',
      });
      const readme = text(getFile(files, 'README.md'));
      expect(readme).toContain(browser === 'firefox' ? 'NetworkPrediction' : 'NetworkPredictionOptions');
      expect(readme).toContain('Not even a TLS handshake reaches an AI tool before its nudge.');
      expect(readme).toContain('Every site loses the head start prediction gives');
      const without = text(getFile(await buildDeployment(getOptions(exampleInput(browser, os))), 'README.md'));
      expect(without).not.toContain('NetworkPrediction');
    },
  );

  it.each(PAIRS)('%s on %s: all managed keys, a self-hosted package and another id', async (browser, os) => {
    const options = getOptions({
      ...exampleInput(browser, os),
      reportingToken: { file: 'token', text: 'tok-en.123\n' },
      disableReporting: true,
      ...(browser === 'firefox'
        ? { extensionId: '{12345678-abcd-4def-8123-1234567890ab}', installUrl: 'file:///srv/daylight.xpi' }
        : { extensionId: 'abcdefghijklmnopabcdefghijklmnop', updateUrl: 'http://127.0.0.1:8080/update.xml' }),
    });
    const reads = readTarget(options, await buildDeployment(options));
    const managed = {
      policyUrl: 'https://daylight.example.com/policy.json',
      policySigningKey: SIGNING_KEY.trim(),
      reportingToken: 'tok-en.123',
      group: 'example-group',
      disableReporting: true,
    };
    expect(Object.keys(managed).sort()).toEqual(
      Object.keys(specKeys())
        .filter((key) => key !== 'policy')
        .sort(),
    );
    expectTarget(options, reads, managed);
  });

  it('writes Linux Chrome policy in the form of /etc/opt/chrome/policies/managed/', async () => {
    const options = getOptions({
      browser: 'chrome',
      os: 'linux',
      policyUrl: 'http://127.0.0.1:8123/policy.json',
      updateUrl: 'http://127.0.0.1:8123/update.xml',
      extensionId: 'abcdefghijklmnopabcdefghijklmnop',
    });
    expect(JSON.parse(text(getFile(await buildDeployment(options), 'daylight.json')))).toEqual({
      ExtensionSettings: {
        abcdefghijklmnopabcdefghijklmnop: {
          installation_mode: 'force_installed',
          update_url: 'http://127.0.0.1:8123/update.xml',
          toolbar_pin: 'force_pinned',
        },
      },
      '3rdparty': {
        extensions: { abcdefghijklmnopabcdefghijklmnop: { policyUrl: 'http://127.0.0.1:8123/policy.json' } },
      },
    });
  });

  it('gives the same profile for the same options, and other PayloadUUIDs for another deployment', async () => {
    const uuids = async (group: string): Promise<string[]> => {
      const files = await buildDeployment(getOptions({ ...exampleInput('chrome', 'macos'), group }));
      return files
        .filter((file) => file.name.endsWith('.mobileconfig'))
        .flatMap((file) =>
          [...text(file).matchAll(/<string>([0-9A-F-]{36})<\/string>/g)].map((match) => match[1] ?? ''),
        );
    };
    const first = await uuids('sales');
    expect(first).toHaveLength(5);
    expect(new Set(first).size).toBe(5);
    expect(await uuids('sales')).toEqual(first);
    const other = await uuids('marketing');
    // The hardening profile does not depend on the group; Daylight's own profile and its payloads do.
    expect(other.slice(0, 3).filter((uuid) => first.includes(uuid))).toEqual([]);
    expect(other.slice(3)).toEqual(first.slice(3));
  });
});

describe('daylight deploy with hostile input', () => {
  // Characters each format must escape, or would silently change: quotes and backslashes (.reg, JSON), markup
  // (XML), line breaks (XML turns CR into LF; a quoted .reg string cannot hold one), tabs, non-ASCII.
  const hostile = fc.constantFrom(...Array.from('"\'\\<>&]\n\r\t;[]{}=:,é€😀 '), ']]>', '<!--', '&amp;', '\r\n', '-->');
  const plain = fc.constantFrom(...'abcXYZ019-_.'.split(''));
  // At most 12 parts of at most 5 characters: within the 64 that --group allows.
  const group = fc.array(fc.oneof(hostile, plain), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));
  const urlChar = fc.constantFrom(...Array.from('"\'\\<>&];[]{}=:,é€😀%a1'), ']]>', '<!--');
  const url = fc
    .array(urlChar, { maxLength: 12 })
    .map((parts) => `https://daylight.example.com/p/${parts.join('')}?q=${[...parts].reverse().join('')}`);
  const token = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);

  it('round-trips every value exactly through every format', async () => {
    await fc.assert(
      fc.asyncProperty(
        group,
        url,
        url,
        token,
        fc.boolean(),
        async (groupValue, policyUrl, packageUrl, tokenValue, disable) => {
          for (const [browser, os] of PAIRS) {
            const options = getOptions({
              browser,
              os,
              policyUrl,
              group: groupValue,
              reportingToken: { file: 'token', text: tokenValue },
              disableReporting: disable,
              ...(browser === 'firefox' ? { installUrl: packageUrl } : { updateUrl: packageUrl }),
            });
            const reads = readTarget(options, await buildDeployment(options));
            expectTarget(options, reads, {
              policyUrl,
              reportingToken: tokenValue,
              group: groupValue,
              ...(disable ? { disableReporting: true } : {}),
            });
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses what no format could carry faithfully, naming the flag', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('\u0000', '\u0001', '\u000b', '\u001f', '\u007f', '\u0085', '\ufffe', '\ud800'),
        fc.string({ maxLength: 10 }),
        (bad, rest) => {
          const check = checkDeployInput({ ...exampleInput('chrome', 'linux'), group: `${rest.slice(0, 5)}${bad}` });
          expect(check.ok).toBe(false);
          if (!check.ok) expect(check.problems.map((problem) => problem.flag)).toContain('--group');
        },
      ),
    );
    for (const bad of ['\n', '\r', '\t', ' ', '\u0000', '\u00a0']) {
      for (const [flag, input] of [
        ['--policy-url', { policyUrl: `https://daylight.example.com/a${bad}b` }],
        ['--update-url', { updateUrl: `https://daylight.example.com/a${bad}b` }],
      ] as const) {
        const check = checkDeployInput({ ...exampleInput('chrome', 'linux'), ...input });
        expect(check.ok, `${flag} with ${JSON.stringify(bad)}`).toBe(false);
        if (!check.ok) expect(check.problems.map((problem) => problem.flag)).toEqual([flag]);
      }
    }
  });
});
