/**
 * lib/policy/signature.ts: the managed `policySigningKey` and the `.sig` file (docs/spec/managed-config.md), checked against
 * signatures made by node:crypto, which shares nothing with WebCrypto's verify path but OpenSSL underneath.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeBase64, decodeSigningKey, encodeBase64, verifyPolicySignature } from '../../../../lib/policy/signature';
import { fakePolicy } from '../../../support/fake-policy';

interface TestKey {
  readonly privateKey: KeyObject;
  /** The managed `policySigningKey` value: base64 of the raw public key. */
  readonly signingKey: string;
}

function fakeKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // An Ed25519 SPKI is a fixed 12-byte header followed by the raw 32-byte key (RFC 8410).
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return { privateKey, signingKey: raw.toString('base64') };
}

const signBase64 = (key: TestKey, bytes: Uint8Array): string => sign(null, bytes, key.privateKey).toString('base64');

const flipBit = (bytes: Uint8Array, index: number, mask = 1): Uint8Array<ArrayBuffer> => {
  const copy = new Uint8Array(bytes);
  copy[index] = (copy[index] as number) ^ mask;
  return copy;
};

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(text, 'utf8'));

const key = fakeKey();
const otherKey = fakeKey();
const policyBytes = utf8(`${JSON.stringify(fakePolicy({ issuedAt: '2026-11-26T09:00:00Z' }), null, 2)}\n`);
const signature = signBase64(key, policyBytes);

describe('decodeBase64', () => {
  it.each([
    ['', []],
    ['AA==', [0]],
    ['AA', [0]],
    ['AAA=', [0, 0]],
    ['AAA', [0, 0]],
    ['+/+/', [0xfb, 0xff, 0xbf]],
    ['  AQID\n', [1, 2, 3]],
    ['AQID\r\n', [1, 2, 3]],
    // Wrapped, as `openssl base64` without -A writes it.
    ['AQ ID', [1, 2, 3]],
    ['AQID\nBAUG\n', [1, 2, 3, 4, 5, 6]],
  ])('decodes %j', (text, bytes) => {
    expect(decodeBase64(text)).toEqual(new Uint8Array(bytes));
  });

  it.each([
    ['one character too many', 'AAAAA'],
    ['a lone character', 'A'],
    ['padding that does not make a multiple of four', 'AA='],
    ['too much padding', 'AAA=='],
    ['three padding characters', 'A==='],
    ['padding in the middle', 'AA==AAAA'],
    ['the base64url alphabet', '-_-_'],
    ['a character outside base64', 'AA!A'],
  ])('refuses %s (%j)', (_, text) => {
    expect(decodeBase64(text)).toBeNull();
  });

  it('round-trips any bytes through encodeBase64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
      }),
    );
  });
});

describe('decodeSigningKey (managed policySigningKey)', () => {
  const raw = decodeBase64(key.signingKey) as Uint8Array;
  const unpadded = key.signingKey.replace(/=+$/, '');

  it.each([
    ['as keygen prints it', key.signingKey],
    ['with the newline of a .pub file', `${key.signingKey}\n`],
    ['with a Windows line ending', `${key.signingKey}\r\n`],
    ['with spaces around it', `  ${key.signingKey}  `],
    ['without padding', unpadded],
  ])('accepts the key %s', (_, value) => {
    expect(decodeSigningKey(value)).toEqual(raw);
  });

  it.each([
    ['31 bytes', encodeBase64(raw.subarray(0, 31)), 'policySigningKey is 31 bytes; an Ed25519 public key is 32'],
    [
      '33 bytes',
      encodeBase64(new Uint8Array([...raw, 0])),
      'policySigningKey is 33 bytes; an Ed25519 public key is 32',
    ],
    ['empty', '', 'policySigningKey is 0 bytes; an Ed25519 public key is 32'],
    ['an SPKI PEM', '-----BEGIN PUBLIC KEY-----', 'policySigningKey is not base64'],
    ['base64url', Buffer.alloc(32, 0xfb).toString('base64url'), 'policySigningKey is not base64'],
    ['padded wrongly', `${unpadded}==`, 'policySigningKey is not base64'],
  ])('refuses a key that is %s', (_, value, reason) => {
    expect(decodeSigningKey(value)).toBe(reason);
  });
});

describe('verifyPolicySignature', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('says when the browser cannot check Ed25519 at all (Chrome and Edge before 137), instead of blaming the key', async () => {
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValue(
      new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'),
    );
    expect(await verifyPolicySignature(key.signingKey, policyBytes, signature)).toEqual({
      ok: false,
      reason: 'this browser cannot check Ed25519 signatures (it needs Chrome or Edge 137, or Firefox 129, or later)',
    });
  });

  const signatureBytes = decodeBase64(signature) as Uint8Array;

  it.each([
    ['a valid signature', key.signingKey, policyBytes, signature],
    ['a .sig file with its final newline', key.signingKey, policyBytes, `${signature}\n`],
    ['a .pub file as the key', `${key.signingKey}\n`, policyBytes, signature],
  ])('accepts %s', async (_, signingKey, bytes, signatureText) => {
    expect(await verifyPolicySignature(signingKey, bytes, signatureText)).toEqual({ ok: true });
  });

  const mismatch = 'the signature does not match the policy and policySigningKey';
  it.each([
    ['one flipped bit in the policy', key.signingKey, flipBit(policyBytes, 17), signature, mismatch],
    ['a policy one byte shorter', key.signingKey, policyBytes.slice(0, -1), signature, mismatch],
    [
      'one flipped bit in the signature',
      key.signingKey,
      policyBytes,
      encodeBase64(flipBit(signatureBytes, 40, 0x80)),
      mismatch,
    ],
    ['a signature of other bytes', key.signingKey, policyBytes, signBase64(key, utf8('{}')), mismatch],
    ['another key', otherKey.signingKey, policyBytes, signature, mismatch],
    [
      'a truncated signature',
      key.signingKey,
      policyBytes,
      encodeBase64(signatureBytes.subarray(0, 63)),
      'the signature file holds 63 bytes; an Ed25519 signature is 64',
    ],
    [
      'an empty signature file',
      key.signingKey,
      policyBytes,
      '',
      'the signature file holds 0 bytes; an Ed25519 signature is 64',
    ],
    [
      'a signature that is not base64',
      key.signingKey,
      policyBytes,
      'not a signature!',
      'the signature file is not base64',
    ],
    ['a key that is not base64', '-', policyBytes, signature, 'policySigningKey is not base64'],
    [
      'a key of the wrong length',
      encodeBase64(new Uint8Array(16)),
      policyBytes,
      signature,
      'policySigningKey is 16 bytes; an Ed25519 public key is 32',
    ],
  ])('refuses %s', async (_, signingKey, bytes, signatureText, reason) => {
    expect(await verifyPolicySignature(signingKey, bytes, signatureText)).toEqual({ ok: false, reason });
  });

  it('accepts what node:crypto signs, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        expect(await verifyPolicySignature(key.signingKey, new Uint8Array(bytes), signBase64(key, bytes))).toEqual({
          ok: true,
        });
      }),
    );
  });

  it('refuses any single-byte change to the policy or the signature', async () => {
    const change = fc
      .record({
        bytes: fc.uint8Array({ minLength: 1, maxLength: 512 }),
        at: fc.nat(),
        mask: fc.integer({ min: 1, max: 255 }),
        inSignature: fc.boolean(),
      })
      .map(({ bytes, at, mask, inSignature }) => ({
        bytes,
        mask,
        inSignature,
        at: at % (inSignature ? 64 : bytes.length),
      }));
    await fc.assert(
      fc.asyncProperty(change, async ({ bytes, at, mask, inSignature }) => {
        const signed = sign(null, bytes, key.privateKey);
        const policy = inSignature ? new Uint8Array(bytes) : flipBit(bytes, at, mask);
        const signatureText = encodeBase64(inSignature ? flipBit(signed, at, mask) : signed);
        expect((await verifyPolicySignature(key.signingKey, policy, signatureText)).ok).toBe(false);
      }),
    );
  });
});

describe('a signature covers the exact bytes, not the text they spell', () => {
  // docs/spec/managed-config.md: "the Ed25519 signature over the exact bytes fetched"; an editor or a server that changes line
  // endings, drops a byte order mark or re-encodes text has changed the policy.
  const text = JSON.stringify(fakePolicy({ organization: { name: 'Société Générale — 東京' } }), null, 2);
  const nfd = text.normalize('NFD');
  it.each([
    ['CRLF line endings', utf8(text.replaceAll('\n', '\r\n')), [utf8(text)]],
    ['a byte order mark', utf8(`\ufeff${text}`), [utf8(text)]],
    ['non-ASCII text', utf8(text), [utf8(nfd), new Uint8Array(Buffer.from(text, 'utf16le'))]],
  ])('a policy with %s verifies only as signed', async (_, signedBytes, sameTextOtherBytes) => {
    const signatureText = signBase64(key, signedBytes);
    expect((await verifyPolicySignature(key.signingKey, signedBytes, signatureText)).ok).toBe(true);
    for (const bytes of sameTextOtherBytes) {
      expect(bytes).not.toEqual(signedBytes);
      expect((await verifyPolicySignature(key.signingKey, bytes, signatureText)).ok).toBe(false);
    }
  });
});
