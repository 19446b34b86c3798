/**
 * What the end-to-end tests need from the system, and where they find it. The browsers are the
 * system's (Debian's `chromium` and `firefox-esr`: no browser is downloaded), and the tests that
 * configure the extension the way IT does write machine-wide policy files under /etc, which needs
 * root. CONTRIBUTING.md "The browsers" says how to set each up.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Debian's Chromium; `DAYLIGHT_CHROMIUM` names another Chromium or Chrome binary. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** Debian's Firefox ESR; `DAYLIGHT_FIREFOX` names another Firefox binary. */
export const DEBIAN_FIREFOX = '/usr/bin/firefox-esr';
/** Where Debian's `chromium-l10n` puts Chromium's language files (Debian's `chromium` ships en-US only). */
const DEBIAN_CHROMIUM_LOCALES = '/usr/lib/chromium/locales';

const INSTALL = 'sudo npm run setup:browsers';

export type Environment = Readonly<Record<string, string | undefined>>;

export function chromiumPath(env: Environment = process.env): string {
  return env['DAYLIGHT_CHROMIUM'] || DEBIAN_CHROMIUM;
}

export function firefoxPath(env: Environment = process.env): string {
  return env['DAYLIGHT_FIREFOX'] || DEBIAN_FIREFOX;
}

/** An executable file: a folder such as /Applications/Chromium.app is not the browser's binary. */
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Where the Chromium at `binary` keeps its language files, or null where they are not separate files
 * to check (Chrome's macOS and Windows packages carry every language inside the application).
 * Debian's /usr/bin/chromium is a launcher script for /usr/lib/chromium; Google's Linux Chrome keeps
 * `locales/` beside its binary.
 */
function chromiumLocalesDir(binary: string): string | null {
  if (binary === DEBIAN_CHROMIUM) return DEBIAN_CHROMIUM_LOCALES;
  const beside = join(dirname(realpathSync(binary)), 'locales');
  return existsSync(beside) ? beside : null;
}

/**
 * One line for each prerequisite that is missing, each saying what is missing and how to get it;
 * empty when the end-to-end tests can run. German stands for every language the tests use.
 */
export function missingPrerequisites(
  env: Environment = process.env,
  uid: number | undefined = process.getuid?.(),
  platform: NodeJS.Platform = process.platform,
): string[] {
  const missing: string[] = [];
  const chromium = chromiumPath(env);
  if (!isExecutable(chromium)) {
    missing.push(
      `Chromium is missing: no executable at ${chromium}. Install it with \`${INSTALL}\` (Debian), or set DAYLIGHT_CHROMIUM to a Chromium or Chrome binary.`,
    );
  } else {
    const locales = chromiumLocalesDir(chromium);
    if (locales !== null && !existsSync(join(locales, 'de.pak'))) {
      missing.push(
        `Chromium's language files are missing (no ${join(locales, 'de.pak')}), so it would speak only English. Install them with \`${INSTALL}\` (Debian's chromium-l10n).`,
      );
    }
  }
  const firefox = firefoxPath(env);
  if (!isExecutable(firefox)) {
    missing.push(
      `Firefox is missing: no executable at ${firefox}. Install it with \`${INSTALL}\` (Debian's firefox-esr), or set DAYLIGHT_FIREFOX to a Firefox binary.`,
    );
  }
  // Only Linux reads policy files from /etc. Elsewhere root would not help: the suites that write them
  // cannot run there, and the others need no root (CONTRIBUTING.md "The browsers").
  if (platform === 'linux' && uid !== 0) {
    missing.push(
      "The end-to-end tests need root: they write Chromium's and Firefox's machine-wide policy files under /etc, as IT does. Run them as root (`sudo npm test`), or only the unit tests (`npx vitest run --project unit`).",
    );
  }
  return missing;
}

/** What `npm run build:test` makes and the end-to-end tests load, relative to the repository's root. */
const TEST_BUILDS = [
  '.output/chrome-mv3/manifest.json',
  '.output/chrome-mv3-e2e/manifest.json',
  '.output/firefox-mv3/manifest.json',
  'dist/cli/daylight.js',
  'dist/dashboard/index.html',
];

/** One line if a build the tests load is missing (a run of one file without `npm test` before it). */
export function missingBuilds(root: string): string[] {
  const missing = TEST_BUILDS.filter((file) => !existsSync(join(root, file)));
  return missing.length === 0
    ? []
    : [
        `The builds the tests load are missing (${missing.join(', ')}): run \`npm run build:test\` first (\`npm test\` does).`,
      ];
}
