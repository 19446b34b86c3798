/**
 * The options of `daylight deploy`, checked. Every problem names the flag it comes from, so IT knows what to
 * change; what no output format can carry faithfully (a newline in a URL, a character XML cannot hold) is refused
 * here rather than written wrong.
 */
import { decodeSigningKey, encodeBase64 } from '../../lib/policy/signature';
import { checkWebUrl } from '../../lib/policy/schema';
import {
  CHROMIUM_ID_PATTERN,
  DEFAULT_CHROMIUM_EXTENSION_ID,
  DEFAULT_FIREFOX_ADDON_ID,
  GECKO_ID_MAX_LENGTH,
  GECKO_ID_PATTERN,
  STORE_UPDATE_URLS,
  isBrowser,
  isOs,
  type ChromiumBrowser,
  type Os,
} from './targets';

/** The managed configuration written under 3rdparty: keys of docs/spec/managed-config.md, only those given. */
export interface ManagedValues {
  readonly policyUrl: string;
  readonly policySigningKey?: string;
  readonly reportingToken?: string;
  readonly group?: string;
  readonly disableReporting?: true;
}

interface CommonOptions {
  readonly os: Os;
  readonly extensionId: string;
  readonly managed: ManagedValues;
  /** `--no-preconnect`: the hardening also turns the browser's network prediction off (policies.ts). */
  readonly noPreconnect: boolean;
}

export interface ChromiumDeployOptions extends CommonOptions {
  readonly browser: ChromiumBrowser;
  readonly updateUrl: string;
}

export interface FirefoxDeployOptions extends CommonOptions {
  readonly browser: 'firefox';
  readonly installUrl: string;
}

export type DeployOptions = ChromiumDeployOptions | FirefoxDeployOptions;

/** A file named by a flag, as read by the command line: lib/ never touches the file system. */
export interface FileText {
  readonly file: string;
  readonly text: string;
}

/** The flags as given (undefined: not given). */
export interface DeployInput {
  readonly browser?: string | undefined;
  readonly os?: string | undefined;
  readonly policyUrl?: string | undefined;
  readonly signingKey?: FileText | undefined;
  readonly group?: string | undefined;
  readonly reportingToken?: FileText | undefined;
  readonly disableReporting?: boolean | undefined;
  readonly updateUrl?: string | undefined;
  readonly installUrl?: string | undefined;
  readonly extensionId?: string | undefined;
  readonly noPreconnect?: boolean | undefined;
}

export interface FlagProblem {
  /** The flag as typed, `--group`. */
  readonly flag: string;
  readonly message: string;
}

export type DeployCheck =
  | { readonly ok: true; readonly options: DeployOptions }
  | { readonly ok: false; readonly problems: readonly FlagProblem[] };

/** docs/spec/managed-config.md: `group` is at most 64 characters. */
export const GROUP_MAX_LENGTH = 64;

// A URL with whitespace or a control character would be cleaned up silently by `new URL()`, so the browser would
// be given a different address than the one checked: refuse it instead.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const URL_FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;
// What XML 1.0 cannot carry at all (so no configuration profile could), and the other control characters, which
// have no place in an org unit's name. Tab, newline and carriage return are allowed: every format keeps them.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const GROUP_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|\p{Cs}/u;
// Sent as `Authorization: Bearer TOKEN`: visible ASCII only, as an HTTP header value allows.
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

// Long: one short check per flag, in the order of --help, so every problem is reported in one run.
export function checkDeployInput(input: DeployInput): DeployCheck {
  const problems: FlagProblem[] = [];
  const problem = (flag: string, message: string): void => void problems.push({ flag, message });

  const browser = input.browser;
  if (browser === undefined) problem('--browser', 'is required: chrome, edge or firefox');
  else if (!isBrowser(browser)) problem('--browser', `"${browser}" is not one of chrome, edge, firefox`);
  const os = input.os;
  if (os === undefined) problem('--os', 'is required: windows, macos or linux');
  else if (!isOs(os)) problem('--os', `"${os}" is not one of windows, macos, linux`);

  const policyUrl = input.policyUrl;
  if (policyUrl === undefined) problem('--policy-url', 'is required: the address of the policy Daylight fetches');
  else {
    const reason = checkUrl(policyUrl, false);
    if (reason !== null) problem('--policy-url', reason);
  }

  let policySigningKey: string | undefined;
  if (input.signingKey !== undefined) {
    const { file, text } = input.signingKey;
    if (/PRIVATE KEY-----/.test(text)) {
      problem(
        '--signing-key-file',
        `${file} is a private key; pass the public key, daylight-signing-key.pub (the private key signs policies and never goes to browsers)`,
      );
    } else {
      const key = decodeSigningKey(text);
      if (typeof key === 'string') {
        problem(
          '--signing-key-file',
          `${file} does not hold a signing public key (${key.replace('policySigningKey is', 'it is')}); pass daylight-signing-key.pub as written by "daylight keygen"`,
        );
      } else policySigningKey = encodeBase64(key);
    }
  }

  const group = input.group;
  if (group !== undefined) {
    if (group === '') problem('--group', 'must not be empty (leave it out for no group)');
    else if (group.length > GROUP_MAX_LENGTH) {
      problem('--group', `is ${group.length} characters; at most ${GROUP_MAX_LENGTH}`);
    } else if (GROUP_FORBIDDEN.test(group)) problem('--group', 'must not contain control characters');
  }

  let reportingToken: string | undefined;
  if (input.reportingToken !== undefined) {
    const { file, text } = input.reportingToken;
    const token = text.trim();
    if (token === '') problem('--reporting-token-file', `${file} is empty`);
    else if (!TOKEN_PATTERN.test(token)) {
      problem('--reporting-token-file', `${file} must hold one token: visible ASCII characters, no spaces`);
    } else reportingToken = token;
  }

  const isFirefox = browser === 'firefox';
  const isChromium = browser === 'chrome' || browser === 'edge';
  if (input.updateUrl !== undefined) {
    if (isFirefox) problem('--update-url', 'is for chrome and edge; Firefox installs from --install-url');
    else {
      const reason = checkUrl(input.updateUrl, false);
      if (reason !== null) problem('--update-url', reason);
    }
  }
  if (input.installUrl === undefined) {
    if (isFirefox) problem('--install-url', 'is required for firefox: the address of the signed Daylight XPI');
  } else if (isChromium) {
    problem('--install-url', 'is for firefox; Chrome and Edge install from their store, or from --update-url');
  } else {
    const reason = checkUrl(input.installUrl, true);
    if (reason !== null) problem('--install-url', reason);
  }

  const extensionId = input.extensionId;
  if (extensionId !== undefined) {
    if (isChromium && !CHROMIUM_ID_PATTERN.test(extensionId)) {
      problem('--extension-id', `"${extensionId}" is not a ${browser} extension id (32 letters a to p)`);
    }
    if (isFirefox && (!GECKO_ID_PATTERN.test(extensionId) || extensionId.length > GECKO_ID_MAX_LENGTH)) {
      problem('--extension-id', `"${extensionId}" is not a Firefox add-on id (name@domain or a {GUID})`);
    }
  }

  if (problems.length > 0 || browser === undefined || os === undefined || policyUrl === undefined) {
    return { ok: false, problems };
  }
  if (!isBrowser(browser) || !isOs(os)) return { ok: false, problems };

  const managed: ManagedValues = {
    policyUrl,
    ...(policySigningKey === undefined ? {} : { policySigningKey }),
    ...(reportingToken === undefined ? {} : { reportingToken }),
    ...(group === undefined ? {} : { group }),
    ...(input.disableReporting === true ? { disableReporting: true as const } : {}),
  };
  if (browser === 'firefox') {
    return {
      ok: true,
      options: {
        browser,
        os,
        extensionId: extensionId ?? DEFAULT_FIREFOX_ADDON_ID,
        // Never empty: a Firefox run without --install-url was refused above, as a problem.
        installUrl: input.installUrl ?? '',
        managed,
        noPreconnect: input.noPreconnect === true,
      },
    };
  }
  return {
    ok: true,
    options: {
      browser,
      os,
      extensionId: extensionId ?? DEFAULT_CHROMIUM_EXTENSION_ID,
      updateUrl: input.updateUrl ?? STORE_UPDATE_URLS[browser],
      managed,
      noPreconnect: input.noPreconnect === true,
    },
  };
}

/** https, http for a loopback host (the rule the extension applies to policyUrl), and file: where allowed. */
function checkUrl(value: string, allowFile: boolean): string | null {
  if (URL_FORBIDDEN.test(value))
    return `"${JSON.stringify(value).slice(1, -1)}" must not contain spaces or control characters`;
  const reason = checkWebUrl(value);
  if (reason === null) return null;
  if (allowFile && URL.canParse(value) && new URL(value).protocol === 'file:') return null;
  return allowFile ? `${reason.replace(/ must be an https URL$/, ' must be an https or file: URL')}` : reason;
}
