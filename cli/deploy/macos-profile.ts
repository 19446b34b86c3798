/**
 * The macOS configuration profiles (.mobileconfig) of `daylight deploy`, for Jamf Pro, Intune or Kandji:
 * deterministic (name-based UUIDs), each setting with the comment that says what it protects against.
 */
import { dict, formatPlist, fromJson, getNameBasedUuid, type PlistDict, type PlistEntry } from './plist';
import type { ChromiumDeployOptions, DeployOptions, FirefoxDeployOptions } from './options';
import {
  MANAGED_INTRO,
  describeExtensionSettings,
  getExtensionSettings,
  getFirefoxHardening,
  getManagedComment,
  getManagedObject,
  type PolicySetting,
} from './policies';
import { MAC_DOMAINS, PRODUCT_NAMES, getMacExtensionDomain } from './targets';

interface Payload {
  readonly type: string;
  readonly identifier: string;
  readonly displayName: string;
  readonly entries: readonly PlistEntry[];
}

interface ProfileHead {
  readonly identifier: string;
  readonly displayName: string;
  readonly description: string;
  readonly comment: string;
}

/**
 * A configuration profile: PayloadUUIDs are name-based (the identifier and the content), so the same options give
 * the same file and a changed deployment a new UUID; PayloadIdentifier stays, so installing the new profile
 * replaces the old one.
 */
async function buildProfile(head: ProfileHead, payloads: readonly Payload[]): Promise<string> {
  const fields = payloads.map((payload): PlistEntry[] => [
    ...payload.entries,
    { key: 'PayloadDisplayName', value: payload.displayName },
    { key: 'PayloadIdentifier', value: payload.identifier },
    { key: 'PayloadType', value: payload.type },
  ]);
  // Every UUID hashes the whole profile (without UUIDs): any change of content changes all of them.
  const name = [
    head.identifier,
    head.displayName,
    head.description,
    ...fields.map((entries) => formatPlist(dict(entries))),
  ].join('\n');
  const content: PlistDict[] = [];
  for (const [index, payload] of payloads.entries()) {
    const uuid = await getNameBasedUuid(`${payload.identifier}\n${name}`);
    content.push(
      dict([...(fields[index] ?? []), { key: 'PayloadUUID', value: uuid }, { key: 'PayloadVersion', value: 1 }]),
    );
  }
  const uuid = await getNameBasedUuid(name);
  const root = dict([
    { key: 'PayloadContent', value: content },
    { key: 'PayloadDescription', value: head.description },
    { key: 'PayloadDisplayName', value: head.displayName },
    { key: 'PayloadIdentifier', value: head.identifier },
    { key: 'PayloadScope', value: 'System' },
    { key: 'PayloadType', value: 'Configuration' },
    { key: 'PayloadUUID', value: uuid },
    { key: 'PayloadVersion', value: 1 },
  ]);
  return formatPlist(root, head.comment);
}

const IDENTIFIER_PREFIX = 'org.daylight-extension.deploy';

function getManagedEntries(options: DeployOptions): PlistEntry[] {
  return Object.entries(getManagedObject(options.managed)).map(([key, value]) => {
    const comment = getManagedComment(key);
    return { key, value: fromJson(value), ...(comment === undefined ? {} : { comment }) };
  });
}

export async function buildChromiumProfile(options: ChromiumDeployOptions): Promise<string> {
  const product = PRODUCT_NAMES[options.browser];
  return buildProfile(
    {
      identifier: `${IDENTIFIER_PREFIX}.${options.browser}`,
      displayName: `Daylight for ${product}`,
      description: `Installs the Daylight extension in ${product} and gives it the organization's configuration.`,
      comment: `Daylight for ${product}, written by "daylight deploy". README.md says how to deploy it.`,
    },
    [
      {
        type: MAC_DOMAINS[options.browser],
        identifier: `${IDENTIFIER_PREFIX}.${options.browser}.extension-settings`,
        displayName: `${product}: install Daylight`,
        entries: [
          {
            key: 'ExtensionSettings',
            value: fromJson(getExtensionSettings(options)),
            comment: `${describeExtensionSettings(options)} If another profile sets ExtensionSettings for ${product}, add Daylight's entry to it instead.`,
          },
        ],
      },
      {
        type: getMacExtensionDomain(options.browser, options.extensionId),
        identifier: `${IDENTIFIER_PREFIX}.${options.browser}.managed-configuration`,
        displayName: 'Daylight: managed configuration',
        entries: withFirstComment(
          getManagedEntries(options),
          `${MANAGED_INTRO} ${product} reads it from this preference domain of its own.`,
        ),
      },
    ],
  );
}

export async function buildChromiumHardeningProfile(
  options: ChromiumDeployOptions,
  hardening: readonly PolicySetting[],
): Promise<string> {
  const product = PRODUCT_NAMES[options.browser];
  return buildProfile(
    {
      identifier: `${IDENTIFIER_PREFIX}.${options.browser}.hardening`,
      displayName: `Daylight for ${product}: hardening`,
      description: `Keeps people from working around the Daylight extension in ${product}.`,
      comment:
        `Recommended hardening of Daylight for ${product}, written by "daylight deploy". Each setting says what it ` +
        'protects against; README.md says what it costs the people who use the browser.',
    },
    [
      {
        type: MAC_DOMAINS[options.browser],
        identifier: `${IDENTIFIER_PREFIX}.${options.browser}.hardening.policies`,
        displayName: `${product}: hardening for Daylight`,
        entries: settingEntries(hardening),
      },
    ],
  );
}

export async function buildFirefoxProfile(options: FirefoxDeployOptions, hardened: boolean): Promise<string> {
  const entries: PlistEntry[] = [
    {
      key: 'EnterprisePoliciesEnabled',
      value: true,
      comment: 'EnterprisePoliciesEnabled: Firefox on macOS reads the policies of this domain only when it is set.',
    },
    {
      key: 'ExtensionSettings',
      value: fromJson(getExtensionSettings(options, hardened)),
      comment: describeExtensionSettings(options, hardened),
    },
    {
      key: '3rdparty',
      value: dict([
        { key: 'Extensions', value: dict([{ key: options.extensionId, value: dict(getManagedEntries(options)) }]) },
      ]),
      comment: `3rdparty: ${MANAGED_INTRO}`,
    },
    ...(hardened ? settingEntries(getFirefoxHardening(options.noPreconnect)) : []),
  ];
  return buildProfile(
    {
      // One identifier for both: installing the hardened profile replaces the plain one.
      identifier: `${IDENTIFIER_PREFIX}.firefox`,
      displayName: hardened ? 'Daylight for Mozilla Firefox (hardened)' : 'Daylight for Mozilla Firefox',
      description: `Installs the Daylight add-on in Firefox and gives it the organization's configuration${hardened ? ', with the recommended hardening' : ''}.`,
      comment:
        `Daylight for Mozilla Firefox${hardened ? ' with the recommended hardening' : ''}, written by "daylight deploy". ` +
        (hardened ? 'Use it instead of daylight.mobileconfig. ' : '') +
        'README.md says how to deploy it.',
    },
    [
      {
        type: MAC_DOMAINS.firefox,
        identifier: `${IDENTIFIER_PREFIX}.firefox.policies`,
        displayName: 'Mozilla Firefox: install Daylight',
        entries,
      },
    ],
  );
}

/** Policy settings as plist entries, each with the comment that says what it protects against. */
function settingEntries(settings: readonly PolicySetting[]): PlistEntry[] {
  return settings.map((setting) => ({ key: setting.name, value: fromJson(setting.value), comment: setting.comment }));
}

function withFirstComment(entries: readonly PlistEntry[], intro: string): PlistEntry[] {
  return entries.map((entry, index) =>
    index === 0
      ? { ...entry, comment: entry.comment === undefined ? intro : [intro, ...[entry.comment].flat()] }
      : entry,
  );
}
