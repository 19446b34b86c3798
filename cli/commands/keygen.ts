import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_OK, EXIT_UNUSABLE, UsageError, type Io } from '../io';

export const keygenHelp = `Usage: daylight keygen --out DIR

Creates an Ed25519 key pair for signed policies (managed policySigningKey):

  DIR/daylight-signing-key.pem   the private key (PKCS#8 PEM, readable by you only):
                                 it signs policies ("daylight sign"); keep it off the
                                 policy server and out of git
  DIR/daylight-signing-key.pub   the public key, base64 of its raw 32 bytes: the value
                                 of the managed policySigningKey

Prints the public key on stdout, so KEY=$(daylight keygen --out DIR) works.
DIR is created if missing. An existing key is never overwritten.

Exit code: 0 when both files were written, 2 when a key is already there or DIR
cannot be written.

Options:
  -o, --out DIR   where to write the key pair (required)
  -h, --help      show this help
`;

export const PRIVATE_KEY_FILE = 'daylight-signing-key.pem';
export const PUBLIC_KEY_FILE = 'daylight-signing-key.pub';

/** Base64 of the raw 32-byte public key: docs/spec/managed-config.md `policySigningKey`. */
export function getSigningKeyValue(key: KeyObject): string {
  // The JWK `x` member is exactly the raw public key (RFC 8037), which SPKI would wrap in a DER header.
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  if (x === undefined) throw new Error(`a ${key.asymmetricKeyType ?? 'symmetric'} key has no Ed25519 public key`);
  return Buffer.from(x, 'base64url').toString('base64');
}

export function keygenCommand(args: readonly string[], io: Io): number {
  const { values } = parseArgs({
    args: [...args],
    options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    io.out(keygenHelp);
    return EXIT_OK;
  }
  if (values.out === undefined) throw new UsageError('keygen needs --out DIR, the folder for the key pair');
  const privateKeyPath = join(values.out, PRIVATE_KEY_FILE);
  const publicKeyPath = join(values.out, PUBLIC_KEY_FILE);
  const { privateKey } = generateKeyPairSync('ed25519');
  const signingKeyValue = getSigningKeyValue(privateKey);
  try {
    mkdirSync(values.out, { recursive: true });
    // `wx`: created here or not at all, so a key already in use is never replaced, even by a second keygen racing
    // this one; 0600 because whoever reads it can sign policies for the whole fleet.
    writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    io.err(`daylight keygen: ${describeWriteError(privateKeyPath, error)}\n`);
    return EXIT_UNUSABLE;
  }
  try {
    writeFileSync(publicKeyPath, `${signingKeyValue}\n`, { flag: 'wx' });
  } catch (error) {
    // A .pub left from an earlier key may be the value the fleet trusts: keep it, and take back the new private key
    // rather than leave a pair that does not match.
    unlinkSync(privateKeyPath);
    io.err(`daylight keygen: ${describeWriteError(publicKeyPath, error)}\n`);
    return EXIT_UNUSABLE;
  }
  io.out(`${signingKeyValue}\n`);
  io.err(
    `Private key: ${privateKeyPath} (readable by you only): sign policies with it ("daylight sign"); ` +
      `keep it off the policy server and out of git.\n` +
      `Public key: ${publicKeyPath} (printed above): the managed policySigningKey value ` +
      `("daylight deploy --signing-key-file ${publicKeyPath}").\n`,
  );
  return EXIT_OK;
}

function describeWriteError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') {
    return `${path} already exists; a signing key is never overwritten (move it away, or choose another --out)`;
  }
  return `cannot write ${path}: ${code ?? String(error)}`;
}
