/**
 * A newcomer without the browsers, Chromium's language files or root learns it at once, in one line
 * that names what is missing and the command that installs it (tests/e2e/support/prerequisites.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { missingBuilds, missingPrerequisites } from '../e2e/support/prerequisites';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'daylight-prerequisites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable file standing in for a browser, with Chrome's Linux layout: `locales/` beside it. */
function fakeBrowser(name: string, locales: readonly string[] | null): string {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const binary = join(home, 'browser');
  writeFileSync(binary, '#!/bin/sh\n');
  chmodSync(binary, 0o755);
  if (locales !== null) {
    mkdirSync(join(home, 'locales'), { recursive: true });
    for (const locale of locales) writeFileSync(join(home, 'locales', `${locale}.pak`), '');
  }
  return binary;
}

const chromium = fakeBrowser('chromium', ['en-US', 'de']);
const firefox = fakeBrowser('firefox', null);
const ready = { DAYLIGHT_CHROMIUM: chromium, DAYLIGHT_FIREFOX: firefox };

/** This process's environment without the variables vitest sets for its workers, as a shell would start it. */
function outsideVitest(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
}

describe('the end-to-end prerequisites', () => {
  it('are met with both browsers, the language files and root', () => {
    expect(missingPrerequisites(ready, 0, 'linux')).toEqual([]);
  });

  it.each([
    [
      'Chromium',
      { ...ready, DAYLIGHT_CHROMIUM: join(dir, 'nowhere', 'chromium') },
      /^Chromium is missing: no executable at .*nowhere/,
    ],
    [
      'Firefox',
      { ...ready, DAYLIGHT_FIREFOX: join(dir, 'nowhere', 'firefox') },
      /^Firefox is missing: no executable at .*nowhere/,
    ],
    [
      "Chromium's language files",
      { ...ready, DAYLIGHT_CHROMIUM: fakeBrowser('chromium-en-only', ['en-US']) },
      /^Chromium's language files are missing .*chromium-l10n/,
    ],
  ])('name what is missing when %s is, with the command that installs it', (_, env, expected) => {
    const missing = missingPrerequisites(env, 0, 'linux');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(expected);
    expect(missing[0]).toContain('sudo npm run setup:browsers');
  });

  it('a file that is not executable, or a folder such as an app bundle, is no browser', () => {
    const notExecutable = join(dir, 'not-executable');
    writeFileSync(notExecutable, '');
    expect(missingPrerequisites({ ...ready, DAYLIGHT_CHROMIUM: notExecutable }, 0, 'linux')[0]).toMatch(
      /^Chromium is missing/,
    );
    const bundle = join(dir, 'Chromium.app');
    mkdirSync(bundle, { recursive: true });
    expect(missingPrerequisites({ ...ready, DAYLIGHT_CHROMIUM: bundle }, 0, 'linux')[0]).toMatch(
      /^Chromium is missing/,
    );
  });

  it('ask for root on Linux, where the tests write the browsers’ policy files under /etc', () => {
    expect(missingPrerequisites(ready, 1000, 'linux')).toEqual([expect.stringMatching(/need root.*sudo npm test/)]);
    // Only Linux reads those files: elsewhere root would not help, and the suites without them run.
    expect(missingPrerequisites(ready, 501, 'darwin')).toEqual([]);
  });

  it('stop `vitest run` before any test, with that line and how to run the unit tests alone', () => {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'e2e', 'harness'],
      { cwd: ROOT, encoding: 'utf8', env: { ...outsideVitest(), DAYLIGHT_CHROMIUM: join(dir, 'nowhere', 'chromium') } },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `End-to-end tests cannot run: Chromium is missing: no executable at ${join(dir, 'nowhere', 'chromium')}.`,
    );
    expect(run.stderr).toContain('npx vitest run --project unit');
    expect(run.stdout + run.stderr).not.toMatch(/Test Files|✓|×/);
  });
});

describe('the builds the end-to-end tests load', () => {
  it('are named with the command that makes them when one is missing', () => {
    const root = join(dir, 'checkout');
    mkdirSync(join(root, '.output/chrome-mv3'), { recursive: true });
    writeFileSync(join(root, '.output/chrome-mv3/manifest.json'), '{}');
    const [line, ...rest] = missingBuilds(root);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^The builds the tests load are missing \(\.output\/chrome-mv3-e2e\/manifest\.json, /);
    expect(line).toContain('npm run build:test');
  });
});
