/**
 * README.md of an output folder: for this browser on this OS, each file, where it goes (path, registry, console),
 * how to check it worked, and what each hardening policy protects against and costs. JSON has no comments, so
 * this is where the Linux files are explained. Written as Prettier formats Markdown, and free of anything the
 * user typed (only the validated extension id appears), so no input can break its layout.
 */
import type { DeployOptions } from './options';
import { getHardeningNotes } from './policies';
import {
  DEFAULT_CHROMIUM_EXTENSION_ID,
  LINUX_POLICY_DIRS,
  DEFAULT_FIREFOX_ADDON_ID,
  OS_NAMES,
  PRODUCT_NAMES,
  STORE_UPDATE_URLS,
} from './targets';

interface ListedFile {
  readonly name: string;
  readonly purpose: string;
}

export function buildReadme(options: DeployOptions, files: readonly ListedFile[]): string {
  const product = PRODUCT_NAMES[options.browser];
  const lines: string[] = [`# Daylight for ${product} on ${OS_NAMES[options.os]}`, ''];
  const defaultId = options.browser === 'firefox' ? DEFAULT_FIREFOX_ADDON_ID : DEFAULT_CHROMIUM_EXTENSION_ID;
  lines.push(
    `Written by \`daylight deploy\` for the ${options.browser === 'firefox' ? 'add-on' : 'extension'} id \`${options.extensionId}\`` +
      (options.extensionId === defaultId
        ? ' (the id every Daylight build has).'
        : ` (not the id of Daylight's own builds, \`${defaultId}\`: yours must be the id of the package you deploy).`) +
      ' Run it again to change a value; the files are regenerated whole.',
    '',
    '## Files',
    '',
  );
  for (const file of files) lines.push(`- \`${file.name}\`: ${file.purpose}.`);
  lines.push('- `README.md`: this file.', '', '## Roll it out', '');
  lines.push(...getRolloutSteps(options), '');
  lines.push(...getHardeningSection(options));
  lines.push('## Check that it works', '', ...getChecks(options));
  return `${lines.join('\n')}\n`;
}

// Long: the steps' text for each system, which reads better whole than cut into pieces.
function getRolloutSteps(options: DeployOptions): string[] {
  const product = PRODUCT_NAMES[options.browser];
  const policyPage =
    options.browser === 'edge' ? 'edge://policy' : options.browser === 'chrome' ? 'chrome://policy' : 'about:policies';
  const offStore =
    options.browser !== 'firefox' && options.os !== 'linux' && options.updateUrl !== STORE_UPDATE_URLS[options.browser]
      ? `Daylight comes from your own update manifest, not ${options.browser === 'chrome' ? 'the Chrome Web Store' : 'Edge Add-ons'}: ${product} force-installs such extensions only on ${
          options.os === 'windows'
            ? `machines joined to Active Directory or Microsoft Entra ID${options.browser === 'chrome' ? ', or enrolled in Chrome Enterprise Core' : ''}`
            : `Macs managed by MDM${options.browser === 'chrome' ? ' or enrolled in Chrome Enterprise Core' : ''}`
        }.`
      : null;
  switch (options.os) {
    case 'windows': {
      const steps =
        options.browser === 'firefox'
          ? [
              '1. Choose one of the two forms, not both: `policies.json` in the `distribution` folder beside `firefox.exe`, or the registry values of `daylight.reg`.',
              '2. Try it on a test machine: run `reg import daylight.reg` in a command prompt run as administrator (or copy `policies.json`), then restart Firefox.',
              '3. For the fleet, set the same registry values with Group Policy (Computer Configuration, Preferences, Windows Settings, Registry) or an Intune script that runs `reg import`, or copy `policies.json` with your software deployment.',
              '4. `install_url` must serve an XPI signed by Mozilla (an unlisted add-on is enough): release builds of Firefox refuse unsigned add-ons.',
            ]
          : [
              `1. Try it on a test machine: run \`reg import daylight.reg\` in a command prompt run as administrator, then restart ${product}.`,
              `2. For the fleet, set the same registry values with Group Policy (Computer Configuration, Preferences, Windows Settings, Registry; or ${product}'s administrative templates), or an Intune script that runs \`reg import daylight.reg\`.`,
              `3. \`ExtensionSettings\` is one value: if you already set it for other extensions, add Daylight's entry to your JSON instead of importing the file over it.`,
            ];
      if (options.browser === 'chrome') {
        steps.push(
          '4. With Chrome Enterprise Core you can instead add Daylight in the Google Admin console (Chrome browser, Apps & extensions, Users & browsers): add it by id, set it to Force install, and paste the managed values as policy for the extension, each in the form `{"policyUrl": {"Value": "…"}}`.',
        );
      }
      return offStore === null ? steps : [...steps, '', offStore];
    }
    case 'macos': {
      const steps = [
        '1. Upload `daylight.mobileconfig` to your MDM as a custom configuration profile (Jamf Pro: Configuration Profiles, Upload; Intune: macOS, Configuration, Templates, Custom) and scope it to the Macs that should have Daylight.',
        '2. To try it on a single Mac, double-click it and approve it in System Settings (Privacy & Security, Profiles, or General, Device Management).',
        options.browser === 'firefox'
          ? '3. The profile sets `EnterprisePoliciesEnabled`, without which Firefox on macOS ignores its policies. Without an MDM you can instead put `policies.json` in `Firefox.app/Contents/Resources/distribution/`.'
          : `3. A Mac takes one value of \`ExtensionSettings\` for ${product}: if another profile already sets it, add Daylight's entry to that profile instead.`,
      ];
      return offStore === null ? steps : [...steps, '', offStore];
    }
    case 'linux':
      if (options.browser === 'firefox') {
        return [
          `1. Copy it into place: \`sudo install -D -m 644 policies.json ${LINUX_POLICY_DIRS.firefox}policies.json\` (or into \`distribution/\` of the Firefox installation folder).`,
          '2. Firefox reads one `policies.json`: if you already have one, add the `ExtensionSettings` entry and the `3rdparty` section of this one to it.',
          '3. Restart Firefox. It reads policies and Daylight its managed configuration at start-up only.',
          '4. `install_url` must serve an XPI signed by Mozilla (an unlisted add-on is enough): release builds of Firefox refuse unsigned add-ons.',
        ];
      }
      return [
        options.browser === 'chrome'
          ? `1. Copy it into place: \`sudo install -D -m 644 daylight.json ${LINUX_POLICY_DIRS.chrome}daylight.json\` (Chromium reads \`${LINUX_POLICY_DIRS.chromium}\`).`
          : `1. Copy it into place: \`sudo install -D -m 644 daylight.json ${LINUX_POLICY_DIRS.edge}daylight.json\`.`,
        `2. ${product} reads every file in that folder; if another one sets \`ExtensionSettings\`, only one of them applies: add Daylight's entry to that file instead.`,
        `3. Open \`${policyPage}\` and click Reload policies, or restart ${product}.`,
        '4. Where you want the hardening, copy `daylight-hardening.json` into the same folder the same way.',
      ];
  }
}

function getHardeningSection(options: DeployOptions): string[] {
  const hardeningFiles =
    options.browser === 'firefox'
      ? options.os === 'linux'
        ? '`policies-hardened.json` holds everything of `policies.json` plus these policies: use it instead of `policies.json`, not beside it (Firefox reads one).'
        : `\`policies-hardened.json\` and \`daylight-hardened.${options.os === 'windows' ? 'reg' : 'mobileconfig'}\` hold everything of the plain files plus these policies: use them instead of the plain files, not beside them (Firefox takes one \`ExtensionSettings\`).`
      : `\`daylight-hardening.${options.os === 'linux' ? 'json' : options.os === 'windows' ? 'reg' : 'mobileconfig'}\` sets these policies, apart from Daylight's own file, so you can leave it out where it costs too much.`;
  const lines = [
    '## Recommended hardening',
    '',
    `Without it, Daylight is easy to work around for anyone who tries. ${hardeningFiles} Each policy closes one way around Daylight and costs the people at the browser something: decide per group.`,
    '',
  ];
  for (const note of getHardeningNotes(options)) {
    lines.push(
      `### ${note.name
        .split(' and ')
        .map((name) => `\`${name}\``)
        .join(' and ')}`,
      '',
      `- Value: \`${note.valueText}\``,
      `- Protects against: ${note.protects}`,
      `- Costs: ${note.cost}`,
      '',
    );
  }
  return lines;
}

function getChecks(options: DeployOptions): string[] {
  if (options.browser === 'firefox') {
    return [
      '- `about:policies` lists `ExtensionSettings` and `3rdparty` as active, with no errors.',
      '- `about:addons` shows Daylight, installed by your organization, with no Remove button.',
      "- Daylight's options page shows the policy it fetched from `policyUrl` and its managed values.",
    ];
  }
  const policyPage = options.browser === 'chrome' ? 'chrome://policy' : 'edge://policy';
  const extensionsPage = options.browser === 'chrome' ? 'chrome://extensions' : 'edge://extensions';
  return [
    `- \`${policyPage}\` lists \`ExtensionSettings\`, and Daylight's managed values under its id, with no errors.`,
    `- \`${extensionsPage}\` shows Daylight, installed by your organization, with no Remove button.`,
    "- Daylight's options page shows the policy it fetched from `policyUrl` and its managed values.",
  ];
}
