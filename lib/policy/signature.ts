/**
 * Signed policies (docs/spec/managed-config.md `policySigningKey`): the key is base64 of a raw 32-byte Ed25519
 * public key, the signature at `policyUrl` + `.sig` is base64 of the 64-byte Ed25519 signature over
 * the exact bytes fetched. Verified with WebCrypto, which the extension's worker and Node share, so
 * the CLI and the extension cannot disagree about what a valid signature is.
 */

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/**
 * Base64 in the standard alphabet, padding optional. Whitespace anywhere is ignored: a file's final
 * newline, and the line breaks of tools that wrap base64 (`openssl base64` without `-A` wraps at 64).
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return null;
  const unpadded = compact.replace(/=+$/, '');
  // Padding, when present, must make the length a multiple of four: "AAA==" is not base64.
  if (compact.length !== unpadded.length && compact.length % 4 !== 0) return null;
  const binary = atob(unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '='));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The raw public key, or why the managed value is not one. */
export function decodeSigningKey(value: string): Uint8Array<ArrayBuffer> | string {
  const bytes = decodeBase64(value);
  if (bytes === null) return 'policySigningKey is not base64';
  if (bytes.length !== PUBLIC_KEY_BYTES) {
    return `policySigningKey is ${bytes.length} bytes; an Ed25519 public key is ${PUBLIC_KEY_BYTES}`;
  }
  return bytes;
}

/**
 * Whether `signatureText` (the `.sig` file's content) is a valid Ed25519 signature by `signingKey`
 * (the managed value) over `policyBytes`. The reasons name what is wrong, for the options page.
 */
export async function verifyPolicySignature(
  signingKey: string,
  policyBytes: Uint8Array<ArrayBuffer>,
  signatureText: string,
): Promise<SignatureCheck> {
  const key = decodeSigningKey(signingKey);
  if (typeof key === 'string') return { ok: false, reason: key };
  const signature = decodeBase64(signatureText);
  if (signature === null) return { ok: false, reason: 'the signature file is not base64' };
  if (signature.length !== SIGNATURE_BYTES) {
    return {
      ok: false,
      reason: `the signature file holds ${signature.length} bytes; an Ed25519 signature is ${SIGNATURE_BYTES}`,
    };
  }
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    // WebCrypto has Ed25519 from Chrome and Edge 137 and Firefox 129 on; an older browser cannot check any signature.
    if (error instanceof DOMException && error.name === 'NotSupportedError') {
      return {
        ok: false,
        reason: 'this browser cannot check Ed25519 signatures (it needs Chrome or Edge 137, or Firefox 129, or later)',
      };
    }
    return { ok: false, reason: `policySigningKey is not a usable Ed25519 public key (${String(error)})` };
  }
  const valid = await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, policyBytes);
  return valid ? { ok: true } : { ok: false, reason: 'the signature does not match the policy and policySigningKey' };
}
