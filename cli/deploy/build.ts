/**
 * `daylight deploy`: the files IT puts on the fleet to force-install Daylight and configure it, for one browser on
 * one operating system, plus the recommended hardening in a file of its own and a README.md for that pair. Pure:
 * the command line writes what this returns.
 */
import { formatJson, type JsonValue } from './json-format';
import type { ChromiumDeployOptions, DeployOptions, FirefoxDeployOptions } from './options';
import {
  MANAGED_INTRO,
  describeExtensionSettings,
  getChromiumHardening,
  getExtensionSettings,
  getFirefoxHardening,
  getManagedComment,
  getManagedObject,
  type JsonObject,
  type PolicySetting,
} from './policies';
import { buildReadme } from './readme';
import { buildChromiumHardeningProfile, buildChromiumProfile, buildFirefoxProfile } from './macos-profile';
import { RegFileBuilder } from './reg-file';
import { LINUX_POLICY_DIRS, PRODUCT_NAMES, REGISTRY_KEYS } from './targets';

export interface DeployFile {
  readonly name: string;
  /** Text (UTF-8, LF) or bytes (the .reg files, UTF-16LE). */
  readonly content: string | Uint8Array;
  /**
   * What it is and where it goes on the target machine or in which console, paths in `backticks`: listed in
   * README.md, and printed by the command line without the backticks.
   */
  readonly purpose: string;
}

/** The files for `options.browser` on `options.os`, README.md last. */
export async function buildDeployment(options: DeployOptions): Promise<readonly DeployFile[]> {
  const files = options.browser === 'firefox' ? await buildFirefox(options) : await buildChromium(options);
  return [...files, { name: 'README.md', content: buildReadme(options, files), purpose: README_PURPOSE }];
}

const INSTALLS = 'installs and configures Daylight';
const HARDENING = 'the recommended hardening';
const WITH_HARDENING = 'with the recommended hardening';
const MDM = 'a configuration profile for your MDM (Jamf Pro, Intune, Kandji), or double-click it on a test Mac';
const README_PURPOSE = 'read it first: where each file goes, how to check it works, what the hardening costs';

async function buildChromium(options: ChromiumDeployOptions): Promise<readonly DeployFile[]> {
  const { browser } = options;
  const hardening = getChromiumHardening(browser, options.extensionId, options.noPreconnect);
  switch (options.os) {
    case 'linux': {
      const dir = LINUX_POLICY_DIRS[browser];
      const chromium = browser === 'chrome' ? ` (Chromium: \`${LINUX_POLICY_DIRS.chromium}\`)` : '';
      return [
        {
          name: 'daylight.json',
          content: formatJson(getChromiumPolicyJson(options)),
          purpose: `${INSTALLS}: \`${dir}daylight.json\`${chromium}`,
        },
        {
          name: 'daylight-hardening.json',
          content: formatJson(settingsObject(hardening)),
          purpose: `${HARDENING}: \`${dir}daylight-hardening.json\`, beside it`,
        },
      ];
    }
    case 'windows': {
      const key = REGISTRY_KEYS[browser];
      return [
        {
          name: 'daylight.reg',
          content: buildChromiumReg(options).toBytes(),
          purpose: `${INSTALLS}: \`${key}\` on every machine, by Group Policy, Intune or \`reg import\``,
        },
        {
          name: 'daylight-hardening.reg',
          content: buildChromiumHardeningReg(options, hardening).toBytes(),
          purpose: `${HARDENING}: the same key, deployed the same way`,
        },
      ];
    }
    case 'macos':
      return [
        {
          name: 'daylight.mobileconfig',
          content: await buildChromiumProfile(options),
          purpose: `${INSTALLS}: ${MDM}`,
        },
        {
          name: 'daylight-hardening.mobileconfig',
          content: await buildChromiumHardeningProfile(options, hardening),
          purpose: `${HARDENING}: a second profile, deployed the same way`,
        },
      ];
  }
}

async function buildFirefox(options: FirefoxDeployOptions): Promise<readonly DeployFile[]> {
  const policiesJson = {
    name: 'policies.json',
    content: formatJson(getFirefoxPolicyJson(options, false)),
    purpose:
      options.os === 'linux'
        ? `${INSTALLS}: \`${LINUX_POLICY_DIRS.firefox}policies.json\` (or \`distribution/policies.json\` in the Firefox installation folder)`
        : options.os === 'windows'
          ? 'the same as `daylight.reg` in a file, to use instead of the registry: `distribution\\policies.json` beside `firefox.exe`'
          : 'the same as `daylight.mobileconfig` in a file, for Macs without an MDM: `Firefox.app/Contents/Resources/distribution/policies.json`',
  };
  const hardenedJson = {
    name: 'policies-hardened.json',
    content: formatJson(getFirefoxPolicyJson(options, true)),
    purpose: `\`policies.json\` ${WITH_HARDENING}, to use instead of it: in the same place, named \`policies.json\``,
  };
  switch (options.os) {
    case 'linux':
      return [policiesJson, hardenedJson];
    case 'windows':
      return [
        {
          name: 'daylight.reg',
          content: buildFirefoxReg(options, false).toBytes(),
          purpose: `${INSTALLS}: \`${REGISTRY_KEYS.firefox}\` on every machine, by Group Policy, Intune or \`reg import\``,
        },
        policiesJson,
        {
          name: 'daylight-hardened.reg',
          content: buildFirefoxReg(options, true).toBytes(),
          purpose: `\`daylight.reg\` ${WITH_HARDENING}, to import instead of it`,
        },
        hardenedJson,
      ];
    case 'macos':
      return [
        {
          name: 'daylight.mobileconfig',
          content: await buildFirefoxProfile(options, false),
          purpose: `${INSTALLS}: ${MDM}`,
        },
        policiesJson,
        {
          name: 'daylight-hardened.mobileconfig',
          content: await buildFirefoxProfile(options, true),
          purpose: `\`daylight.mobileconfig\` ${WITH_HARDENING}, to deploy instead of it`,
        },
        hardenedJson,
      ];
  }
}

/** The Linux managed-policy file, as /etc/opt/chrome/policies/managed/ reads it. */
export function getChromiumPolicyJson(options: ChromiumDeployOptions): JsonObject {
  return {
    ExtensionSettings: getExtensionSettings(options),
    '3rdparty': { extensions: { [options.extensionId]: getManagedObject(options.managed) } },
  };
}

/** policies.json; `hardened` adds the "*" entry and the hardening policies. */
export function getFirefoxPolicyJson(options: FirefoxDeployOptions, hardened: boolean): JsonObject {
  return {
    policies: {
      ExtensionSettings: getExtensionSettings(options, hardened),
      '3rdparty': { Extensions: { [options.extensionId]: getManagedObject(options.managed) } },
      ...(hardened ? settingsObject(getFirefoxHardening(options.noPreconnect)) : {}),
    },
  };
}

/** Policy settings as a JSON object, name → value. */
function settingsObject(settings: readonly PolicySetting[]): JsonObject {
  return Object.fromEntries(settings.map((setting) => [setting.name, setting.value]));
}

function regIntro(options: DeployOptions, what: string): RegFileBuilder {
  return new RegFileBuilder()
    .comment(
      `${what} for ${PRODUCT_NAMES[options.browser]}, written by "daylight deploy". It sets machine-wide policy ` +
        '(HKEY_LOCAL_MACHINE): try it with "reg import" on a test machine, then roll it out with Group Policy or ' +
        'Intune (README.md).',
    )
    .blank();
}

function buildChromiumReg(options: ChromiumDeployOptions): RegFileBuilder {
  const key = REGISTRY_KEYS[options.browser];
  const builder = regIntro(options, 'Daylight')
    .comment(
      'Importing replaces an ExtensionSettings value already there: if you set ExtensionSettings for other ' +
        "extensions, add Daylight's entry to yours instead.",
    )
    .blank()
    .key(key)
    .comment(
      `${describeExtensionSettings(options)} JSON, as ${PRODUCT_NAMES[options.browser]} reads dictionary policies from the registry.`,
    )
    .string('ExtensionSettings', JSON.stringify(getExtensionSettings(options)))
    .blank()
    .key(`${key}\\3rdparty\\extensions\\${options.extensionId}\\policy`)
    .comment(MANAGED_INTRO);
  for (const [name, value] of Object.entries(getManagedObject(options.managed))) {
    builder.comment(getManagedComment(name) ?? name);
    writeScalar(builder, name, value);
  }
  return builder;
}

function buildChromiumHardeningReg(
  options: ChromiumDeployOptions,
  hardening: readonly PolicySetting[],
): RegFileBuilder {
  const key = REGISTRY_KEYS[options.browser];
  const builder = regIntro(options, 'Recommended hardening of Daylight')
    .comment('Each setting says what it protects against; README.md says what it costs the people who use the browser.')
    .blank()
    .key(key);
  const lists: PolicySetting[] = [];
  for (const setting of hardening) {
    if (Array.isArray(setting.value)) {
      lists.push(setting);
      continue;
    }
    builder.comment(setting.comment);
    writeScalar(builder, setting.name, setting.value);
  }
  for (const setting of lists) {
    // A list policy is a key of its own, its items the values "1", "2", …: importing sets "1" only.
    builder.blank().key(`${key}\\${setting.name}`).comment(setting.comment);
    (setting.value as readonly JsonValue[]).forEach((item, index) => writeScalar(builder, String(index + 1), item));
  }
  return builder;
}

function buildFirefoxReg(options: FirefoxDeployOptions, hardened: boolean): RegFileBuilder {
  const key = REGISTRY_KEYS.firefox;
  const settingsJson = JSON.stringify(getExtensionSettings(options, hardened));
  const managedJson = JSON.stringify(getManagedObject(options.managed));
  const builder = regIntro(options, hardened ? 'Daylight with the recommended hardening' : 'Daylight')
    .comment(
      'Use it or policies.json, not both. Importing replaces an ExtensionSettings value already there: if you set ' +
        "ExtensionSettings for other add-ons, add Daylight's entry to yours instead.",
    )
    .blank()
    .key(key)
    .comment(
      `${describeExtensionSettings(options, hardened)} Mozilla documents ExtensionSettings in the registry as JSON ` +
        'in a REG_MULTI_SZ, which a .reg file can only write in hex. The JSON:',
    )
    .commentLine(settingsJson)
    .multiString('ExtensionSettings', [settingsJson]);
  if (hardened) {
    for (const setting of getFirefoxHardening(options.noPreconnect)) {
      builder.comment(setting.comment);
      writeScalar(builder, setting.name, setting.value);
    }
  }
  return builder
    .blank()
    .key(`${key}\\3rdparty\\Extensions`)
    .comment(
      `3rdparty: ${MANAGED_INTRO} One value named by the add-on id, JSON in a REG_MULTI_SZ, which Firefox reads ` +
        'as JSON (so disableReporting stays true or false, not a number). The JSON:',
    )
    .commentLine(managedJson)
    .multiString(options.extensionId, [managedJson]);
}

function writeScalar(builder: RegFileBuilder, name: string, value: JsonValue): void {
  if (typeof value === 'boolean') builder.dword(name, value ? 1 : 0);
  else if (typeof value === 'number') builder.dword(name, value);
  else if (typeof value === 'string') builder.string(name, value);
  else throw new Error(`${name}: no scalar registry form`);
}
