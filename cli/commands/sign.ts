import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeSigningKey, verifyPolicySignature } from '../../lib/policy/signature';
import { BUNDLED_CATALOG } from '../../lib/policy/bundled';
import { parsePolicyText } from '../../lib/policy/validate';
import { EXIT_OK, EXIT_UNUSABLE, UsageError, reportPolicy, type Io } from '../io';
import { PRIVATE_KEY_FILE, getSigningKeyValue } from './keygen';

export const signHelp = `Usage: daylight sign POLICY --key PEM [--out FILE]

Signs a policy for fleets that set the managed policySigningKey: writes the
base64 Ed25519 signature over the exact bytes of POLICY to POLICY.sig, which
the collector serves at /v1/policy.sig. Serve POLICY as it is now: any change
to it, even a line ending, needs a new signature.

The policy is validated first, and refused when invalid. The fresh signature is
checked as the extension checks it, and the public key it verifies with is
printed, to compare with the policySigningKey the fleet has.

Exit code: 0 when the signature was written, 2 when the policy is invalid, the
key is not an Ed25519 private key or the signature cannot be written.

Options:
  -k, --key PEM    the private key (${PRIVATE_KEY_FILE} from "daylight keygen", or
                   any PKCS#8 PEM Ed25519 key, as "openssl genpkey -algorithm ed25519" writes)
  -o, --out FILE   where to write the signature (default POLICY.sig)
  -h, --help       show this help
`;

export async function signCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      key: { type: 'string', short: 'k' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help === true) {
    io.out(signHelp);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('sign needs exactly one policy file');
  if (values.key === undefined) throw new UsageError('sign needs --key PEM, the private key');
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
  const loaded = reportPolicy(parsePolicyText(new TextDecoder().decode(policyBytes), BUNDLED_CATALOG), policyFile, io);
  if (loaded === null) return EXIT_UNUSABLE;
  if (loaded.policy.issuedAt === undefined) {
    // docs/spec/policy-format.md `issuedAt`: the rollback protection works only on policies that carry it.
    io.err(
      `${policyFile}: warning: issuedAt: not set; without issuedAt the extension cannot refuse an older signed policy replayed later\n`,
    );
  }

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
