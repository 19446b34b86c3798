import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeSigningKey, verifyPolicySignature } from '../../lib/policy/signature';
import { BUNDLED_CATALOG } from '../../lib/policy/bundled';
import { parsePolicyText, type PolicyResult } from '../../lib/policy/validate';
import { EXIT_OK, EXIT_UNUSABLE, UsageError, reportPolicy, type Io } from '../io';
import { PRIVATE_KEY_FILE, getSigningKeyValue } from './keygen';

/** A policy that passed validation, with its warnings. */
type Loaded = Extract<PolicyResult, { ok: true }>;

export const signHelp = `Usage: daylight sign POLICY --key PEM [--audience URL] [--as-is] [--out FILE]

Signs a policy for fleets that set the managed policySigningKey: writes the
base64 Ed25519 signature over the exact bytes of POLICY to POLICY.sig, which
the collector serves at /v1/policy.sig. Serve POLICY as it is now: any change
to it, even a line ending, needs a new signature.

First it dates the policy: issuedAt becomes now (or stays, if later), and with
--audience, audience becomes the policy URL the fleet fetches it from, so that
no browser takes an older policy, or one meant for another URL, signed with
the same key (docs/spec/policy-format.md "Rollback protection"). POLICY is
written again, as JSON indented by two spaces, before it is signed.

The policy is validated first, and refused when invalid. The fresh signature is
checked as the extension checks it, and the public key it verifies with is
printed, to compare with the policySigningKey the fleet has.

Exit code: 0 when the signature was written, 2 when the policy is invalid, the
key is not an Ed25519 private key or the signature cannot be written.

Options:
  -k, --key PEM    the private key (${PRIVATE_KEY_FILE} from "daylight keygen", or
                   any PKCS#8 PEM Ed25519 key, as "openssl genpkey -algorithm ed25519" writes)
      --audience URL  the policyUrl this policy is for (https://daylight.example.com/v1/policy)
      --as-is      sign POLICY's bytes as they are: no issuedAt or audience written
  -o, --out FILE   where to write the signature (default POLICY.sig)
  -h, --help       show this help
`;

const SIGN_OPTIONS = {
  key: { type: 'string', short: 'k' },
  out: { type: 'string', short: 'o' },
  audience: { type: 'string' },
  'as-is': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function signCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: SIGN_OPTIONS, allowPositionals: true });
  if (values.help === true) {
    io.out(signHelp);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('sign needs exactly one policy file');
  if (values.key === undefined) throw new UsageError('sign needs --key PEM, the private key');
  if (values['as-is'] === true && values.audience !== undefined) {
    throw new UsageError('--audience writes the policy; --as-is signs it as it is: give one of them');
  }
  const policyFile = positionals[0] as string;
  const signatureFile = values.out ?? `${policyFile}.sig`;

  const privateKey = loadPrivateKey(values.key);
  if (typeof privateKey === 'string') {
    io.err(`daylight sign: ${privateKey}\n`);
    return EXIT_UNUSABLE;
  }
  // The bytes as they are on disk, read once: what is validated is what is signed, never decoded and
  // re-encoded in between, since the extension verifies the bytes it fetches.
  let policyBytes: Uint8Array<ArrayBuffer>;
  try {
    policyBytes = new Uint8Array(readFileSync(policyFile));
  } catch (error) {
    io.err(`daylight sign: cannot read ${policyFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT_UNUSABLE;
  }
  // Signing a broken policy would only ship a broken policy: the extension would refuse it after the signature check.
  const text = new TextDecoder().decode(policyBytes);
  let loaded = reportPolicy(parsePolicyText(text, BUNDLED_CATALOG), policyFile, io);
  if (loaded === null) return EXIT_UNUSABLE;
  if (values['as-is'] !== true) {
    const written = writeDated(policyFile, text, loaded.policy.issuedAt, values.audience, io);
    if (written === null) return EXIT_UNUSABLE;
    ({ loaded, policyBytes } = written);
  }
  warnUnprotected(policyFile, loaded, io);

  const signatureText = sign(null, policyBytes, privateKey).toString('base64');
  const signingKeyValue = getSigningKeyValue(privateKey);
  // The extension's own check (lib/policy/signature.ts), so a signature written here is one the fleet accepts.
  const check = await verifyPolicySignature(signingKeyValue, policyBytes, signatureText);
  if (!check.ok) throw new Error(`the fresh signature does not verify as the extension checks it: ${check.reason}`);
  try {
    writeFileSync(signatureFile, `${signatureText}\n`);
  } catch (error) {
    io.err(`daylight sign: cannot write ${signatureFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT_UNUSABLE;
  }
  io.out(`${signatureFile}: signature of ${policyFile} (${policyBytes.length} bytes)\n`);
  io.out(`policySigningKey: ${signingKeyValue}\n`);
  return EXIT_OK;
}

/** docs/spec/policy-format.md "Rollback protection" works only on what a policy carries: says what this one lacks. */
function warnUnprotected(policyFile: string, { policy }: Loaded, io: Io): void {
  if (policy.audience === undefined) {
    io.err(
      `${policyFile}: warning: audience: not set; without it a policy signed with this key is taken at any policyUrl (--audience URL)\n`,
    );
  }
  if (policy.issuedAt === undefined) {
    io.err(
      `${policyFile}: warning: issuedAt: not set; without issuedAt the extension cannot refuse an older signed policy replayed later\n`,
    );
  }
}

/**
 * Writes POLICY dated (`dated`), checked again as written so that a bad --audience is refused, naming the field,
 * before anything is written; null when it is refused or cannot be written (said on stderr).
 */
function writeDated(
  policyFile: string,
  original: string,
  issuedAt: string | undefined,
  audience: string | undefined,
  io: Io,
): { loaded: Loaded; policyBytes: Uint8Array<ArrayBuffer> } | null {
  const text = dated(original, issuedAt, audience);
  const loaded = reportPolicy(parsePolicyText(text, BUNDLED_CATALOG), policyFile, io);
  if (loaded === null) return null;
  const policyBytes = new TextEncoder().encode(text);
  try {
    writeFileSync(policyFile, policyBytes);
  } catch (error) {
    io.err(`daylight sign: cannot write ${policyFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return null;
  }
  const { policy } = loaded;
  io.out(
    `${policyFile}: issuedAt ${policy.issuedAt ?? ''}${policy.audience === undefined ? '' : `, audience ${policy.audience}`}\n`,
  );
  return { loaded, policyBytes };
}

/**
 * The policy's text with issuedAt now, or as it was when that is later (a clock behind must not make the policy
 * older than one already out), and `audience` when given; both right after `revision`, the rest as it was.
 */
function dated(text: string, issuedAt: string | undefined, audience: string | undefined): string {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const stamp = issuedAt !== undefined && Date.parse(issuedAt) > Date.parse(now) ? issuedAt : now;
  const policy = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  const written: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(policy)) {
    if (key === 'issuedAt' || (key === 'audience' && audience !== undefined)) continue;
    written[key] = value;
    if (key === 'revision') {
      written.issuedAt = stamp;
      if (audience !== undefined) written.audience = audience;
    }
  }
  return `${JSON.stringify(written, null, 2)}\n`;
}

/** The Ed25519 private key in `file`, or why it is not one, naming the file. */
function loadPrivateKey(file: string): KeyObject | string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    return `cannot read the key ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  const howToMakeOne = `"daylight keygen" or "openssl genpkey -algorithm ed25519" makes one`;
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    if (pem.includes('PUBLIC KEY-----') || typeof decodeSigningKey(pem) !== 'string') {
      return `${file} is a public key; sign with the private key (${PRIVATE_KEY_FILE} from "daylight keygen")`;
    }
    return `${file} is not a PEM private key (PKCS#8, "-----BEGIN PRIVATE KEY-----"); ${howToMakeOne}`;
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    const type = (key.asymmetricKeyType ?? 'unknown').toUpperCase();
    return `${file} is not an Ed25519 key (it is ${type}); policies are signed with Ed25519 (docs/spec/managed-config.md policySigningKey); ${howToMakeOne}`;
  }
  return key;
}
