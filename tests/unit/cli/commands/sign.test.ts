/**
 * `daylight keygen` and `daylight sign` through the built CLI, and their interoperability with OpenSSL's Ed25519 in
 * both directions (docs/spec/managed-config.md `policySigningKey`): a key or signature made by either side works on the other.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, decodeSigningKey, verifyPolicySignature } from '../../../../lib/policy/signature';
import { runCli } from '../../../support/cli';
import { fakePolicy } from '../../../support/fake-policy';

const root = mkdtempSync(join(tmpdir(), 'daylight-signing-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh folder per test, so no test sees another's key. */
const freshDir = (): string => {
  const dir = join(root, `t${++dirCount}`);
  mkdirSync(dir);
  return dir;
};

const policyText = (overrides: Record<string, unknown> = {}): string =>
  `${JSON.stringify(fakePolicy({ issuedAt: '2026-11-26T09:00:00Z', ...overrides }), null, 2)}\n`;

const writeFile = (dir: string, name: string, content: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const readBytes = (path: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(path));

/** Runs `daylight keygen` into a fresh folder: the key files and the printed public key. */
function keygen(): { dir: string; privateKeyPath: string; publicKeyPath: string; signingKey: string } {
  const dir = freshDir();
  const run = runCli(['keygen', '--out', join(dir, 'keys')]);
  expect(run.status, run.stderr).toBe(0);
  return {
    dir,
    privateKeyPath: join(dir, 'keys', 'daylight-signing-key.pem'),
    publicKeyPath: join(dir, 'keys', 'daylight-signing-key.pub'),
    signingKey: run.stdout.trim(),
  };
}

describe('daylight keygen', () => {
  it('writes the private key (PKCS#8 PEM, 0600) and the public key, and prints the public key alone', () => {
    const dir = freshDir();
    const out = join(dir, 'new', 'keys');
    const run = runCli(['keygen', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const privateKeyPath = join(out, 'daylight-signing-key.pem');
    const publicKeyPath = join(out, 'daylight-signing-key.pub');
    expect(readFileSync(privateKeyPath, 'utf8')).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/,
    );
    expect(statSync(privateKeyPath).mode & 0o777).toBe(0o600);
    expect(run.stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(readFileSync(publicKeyPath, 'utf8')).toBe(run.stdout);
    expect(decodeSigningKey(run.stdout)).toHaveLength(32);
    expect(run.stderr).toContain(privateKeyPath);
    expect(run.stderr).toContain('keep it off the policy server and out of git');
    expect(run.stderr).toContain('policySigningKey');
  });

  it('makes a new key every time', () => {
    expect(keygen().signingKey).not.toBe(keygen().signingKey);
  });

  it('never overwrites a key: refuses, names the file, and leaves both files as they were', () => {
    const { dir, privateKeyPath, publicKeyPath } = keygen();
    const before = [readFileSync(privateKeyPath, 'utf8'), readFileSync(publicKeyPath, 'utf8')];
    const run = runCli(['keygen', '--out', join(dir, 'keys')]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${privateKeyPath} already exists`);
    expect([readFileSync(privateKeyPath, 'utf8'), readFileSync(publicKeyPath, 'utf8')]).toEqual(before);
  });

  it('keeps a public key left from an earlier key, and writes no private key beside it', () => {
    const dir = freshDir();
    const publicKeyPath = writeFile(dir, 'daylight-signing-key.pub', 'the key the fleet trusts\n');
    const run = runCli(['keygen', '--out', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${publicKeyPath} already exists`);
    expect(readFileSync(publicKeyPath, 'utf8')).toBe('the key the fleet trusts\n');
    expect(existsSync(join(dir, 'daylight-signing-key.pem'))).toBe(false);
  });

  it('needs --out', () => {
    const run = runCli(['keygen']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--out');
  });
});

const AUDIENCE = 'https://daylight.example.com/v1/policy';

describe('daylight sign', () => {
  it('dates the policy, names its audience, writes POLICY.sig the extension verifies, and says so', async () => {
    const { dir, privateKeyPath, signingKey } = keygen();
    const policy = writeFile(dir, 'policy.json', policyText());
    const before = Date.now() - 1000;
    const run = runCli(['sign', policy, '--key', privateKeyPath, '--audience', AUDIENCE]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const bytes = readBytes(policy);
    const written = JSON.parse(Buffer.from(bytes).toString('utf8')) as { issuedAt: string; audience: string };
    expect(Object.keys(written).slice(0, 4)).toEqual(['schemaVersion', 'revision', 'issuedAt', 'audience']);
    expect(written.audience).toBe(AUDIENCE);
    expect(Date.parse(written.issuedAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(written.issuedAt)).toBeLessThanOrEqual(Date.now());
    expect(run.stdout).toBe(
      `${policy}: issuedAt ${written.issuedAt}, audience ${AUDIENCE}\n` +
        `${policy}.sig: signature of ${policy} (${bytes.length} bytes)\npolicySigningKey: ${signingKey}\n`,
    );
    const signatureText = readFileSync(`${policy}.sig`, 'utf8');
    expect(signatureText).toMatch(/^[A-Za-z0-9+/]{86}==\n$/);
    expect(await verifyPolicySignature(signingKey, bytes, signatureText)).toEqual({ ok: true });
  });

  it('with --as-is, signs the bytes on disk as they are: CRLF, a byte order mark and non-ASCII text included', async () => {
    const { dir, privateKeyPath, signingKey } = keygen();
    const text = policyText({ organization: { name: 'Société Générale — 東京' } });
    const policy = writeFile(dir, 'windows.json', `\ufeff${text.replaceAll('\n', '\r\n')}`);
    const signatureFile = join(dir, 'elsewhere.sig');
    const run = runCli(['sign', policy, '--key', privateKeyPath, '--out', signatureFile, '--as-is']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(
      `${signatureFile}: signature of ${policy} (${readBytes(policy).length} bytes)`,
    );
    expect(existsSync(`${policy}.sig`)).toBe(false);
    const signatureText = readFileSync(signatureFile, 'utf8');
    expect(await verifyPolicySignature(signingKey, readBytes(policy), signatureText)).toEqual({ ok: true });
    expect((await verifyPolicySignature(signingKey, new Uint8Array(Buffer.from(text)), signatureText)).ok).toBe(false);
  });

  it('refuses an invalid policy with its errors, and writes no signature', () => {
    const { dir, privateKeyPath } = keygen();
    const policy = writeFile(dir, 'policy.json', JSON.stringify({ schemaVersion: 1, catalog: 'none' }));
    const run = runCli(['sign', policy, '--key', privateKeyPath]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${policy}: error: revision: is required`);
    expect(existsSync(`${policy}.sig`)).toBe(false);
  });

  it('refuses a policy over the 1 MiB the extension accepts, and writes no signature', () => {
    const { dir, privateKeyPath } = keygen();
    const text = JSON.stringify({ schemaVersion: 1, revision: 'r', note: '' });
    const policy = writeFile(dir, 'big.json', text.replace('"note":""', `"note":"${'x'.repeat(1 << 20)}"`));
    const run = runCli(['sign', policy, '--key', privateKeyPath]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('over the 1,048,576 (1 MiB) that the extension accepts');
    expect(existsSync(`${policy}.sig`)).toBe(false);
  });

  it('with --as-is, warns and still signs when the policy has no issuedAt or audience', () => {
    const { dir, privateKeyPath } = keygen();
    const text = JSON.stringify(fakePolicy());
    const policy = writeFile(dir, 'policy.json', text);
    const run = runCli(['sign', policy, '--key', privateKeyPath, '--as-is']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      `${policy}: warning: audience: not set; without it a policy signed with this key is taken at any policyUrl (--audience URL)\n` +
        `${policy}: warning: issuedAt: not set; without issuedAt the extension cannot refuse an older signed policy replayed later\n`,
    );
    expect(readFileSync(policy, 'utf8')).toBe(text);
    expect(existsSync(`${policy}.sig`)).toBe(true);
  });

  it('keeps an issuedAt later than now, and refuses a bad --audience before writing anything', () => {
    const { dir, privateKeyPath } = keygen();
    const later = '2999-01-01T00:00:00Z';
    const policy = writeFile(dir, 'policy.json', JSON.stringify({ ...fakePolicy(), issuedAt: later }));
    const run = runCli(['sign', policy, '--key', privateKeyPath]);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(readFileSync(policy, 'utf8')) as { issuedAt: string }).issuedAt).toBe(later);
    expect(run.stderr).toContain('warning: audience: not set');
    const before = readFileSync(policy, 'utf8');
    const bad = runCli([
      'sign',
      policy,
      '--key',
      privateKeyPath,
      '--audience',
      'http://daylight.example.com/v1/policy',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${policy}: error: audience:`);
    expect(readFileSync(policy, 'utf8')).toBe(before);
  });

  describe('refuses a key that is not an Ed25519 private key, naming the file', () => {
    const { privateKey: rsaKey, publicKey: rsaPublicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { publicKey: ed25519PublicKey } = generateKeyPairSync('ed25519');
    it.each([
      ['an RSA private key', rsaKey.export({ type: 'pkcs8', format: 'pem' }), 'is not an Ed25519 key (it is RSA)'],
      ['an RSA public key', rsaPublicKey.export({ type: 'spki', format: 'pem' }), 'is a public key'],
      ['an Ed25519 public key', ed25519PublicKey.export({ type: 'spki', format: 'pem' }), 'is a public key'],
      ['a .pub file (the policySigningKey value)', `${Buffer.alloc(32, 7).toString('base64')}\n`, 'is a public key'],
      ['garbage', 'not a key\n', 'is not a PEM private key'],
      ['empty', '', 'is not a PEM private key'],
    ])('%s', (_, content, reason) => {
      const dir = freshDir();
      const policy = writeFile(dir, 'policy.json', policyText());
      const keyFile = writeFile(dir, 'key.pem', content);
      const run = runCli(['sign', policy, '--key', keyFile]);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`daylight sign: ${keyFile} ${reason}`);
      expect(existsSync(`${policy}.sig`)).toBe(false);
    });
  });

  it('refuses a key file it cannot read, naming it', () => {
    const dir = freshDir();
    const policy = writeFile(dir, 'policy.json', policyText());
    const run = runCli(['sign', policy, '--key', join(dir, 'missing.pem')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`cannot read the key ${join(dir, 'missing.pem')}: ENOENT`);
  });

  it('needs one policy and --key', () => {
    expect(runCli(['sign', '--key', 'k.pem']).status).toBe(2);
    expect(runCli(['sign', 'policy.json']).stderr).toContain('--key');
  });
});

describe('interoperability with OpenSSL Ed25519', () => {
  /** Runs the real openssl binary; a failure is the test's answer, so the exit status is returned, not thrown. */
  const openssl = (args: readonly string[]): { status: number | null; stdout: string; stderr: string } => {
    const run = spawnSync('openssl', args, { encoding: 'utf8' });
    if (run.error !== undefined) throw run.error;
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  beforeAll(() => {
    // Never skipped: without OpenSSL the interoperability this proves would go unchecked (CI installs it).
    const version = spawnSync('openssl', ['version'], { encoding: 'utf8' });
    if (version.error !== undefined || version.status !== 0 || !version.stdout.startsWith('OpenSSL 3')) {
      throw new Error(
        `these tests need the openssl command, OpenSSL 3 (apt-get install openssl): ${version.error?.message ?? version.stdout}`,
      );
    }
  });

  /** The raw public key OpenSSL derives from a private key: the last 32 bytes of its SPKI (RFC 8410). */
  const opensslPublicKey = (privateKeyPath: string, publicKeyPath: string): string => {
    const run = openssl(['pkey', '-in', privateKeyPath, '-pubout', '-out', publicKeyPath]);
    expect(run.status, run.stderr).toBe(0);
    const pem = readFileSync(publicKeyPath, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const spki = decodeBase64(pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replaceAll('\n', '')) as Uint8Array;
    expect(spki).toHaveLength(44);
    return Buffer.from(spki.subarray(-32)).toString('base64');
  };

  const opensslVerify = (publicKeyPath: string, policy: string, signatureBinary: string): boolean => {
    const run = openssl([
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      publicKeyPath,
      '-rawin',
      '-in',
      policy,
      '-sigfile',
      signatureBinary,
    ]);
    return run.status === 0 && run.stdout.includes('Signature Verified Successfully');
  };

  it('a key from daylight keygen and a signature from daylight sign verify with OpenSSL', () => {
    const { dir, privateKeyPath, publicKeyPath, signingKey } = keygen();
    const opensslPublicKeyPath = join(dir, 'openssl-public.pem');
    expect(opensslPublicKey(privateKeyPath, opensslPublicKeyPath)).toBe(signingKey);
    expect(readFileSync(publicKeyPath, 'utf8')).toBe(`${signingKey}\n`);

    const policy = writeFile(dir, 'policy.json', policyText());
    expect(runCli(['sign', policy, '--key', privateKeyPath]).status).toBe(0);
    const signatureBinary = writeFile(
      dir,
      'policy.json.sig.bin',
      decodeBase64(readFileSync(`${policy}.sig`, 'utf8')) as Uint8Array,
    );
    expect(opensslVerify(opensslPublicKeyPath, policy, signatureBinary)).toBe(true);

    const tampered = writeFile(dir, 'tampered.json', policyText({ revision: 'test-2' }));
    expect(opensslVerify(opensslPublicKeyPath, tampered, signatureBinary)).toBe(false);
  });

  it('a key from openssl genpkey signs with daylight sign, and what OpenSSL signs the extension accepts', async () => {
    const dir = freshDir();
    const privateKeyPath = join(dir, 'openssl-key.pem');
    const generated = openssl(['genpkey', '-algorithm', 'ed25519', '-out', privateKeyPath]);
    expect(generated.status, generated.stderr).toBe(0);
    const publicKeyPath = join(dir, 'openssl-public.pem');
    const signingKey = opensslPublicKey(privateKeyPath, publicKeyPath);
    const policy = writeFile(dir, 'policy.json', policyText());

    const signed = runCli(['sign', policy, '--key', privateKeyPath]);
    expect(signed.status, signed.stderr).toBe(0);
    const bytes = readBytes(policy);
    expect(signed.stdout).toContain(`policySigningKey: ${signingKey}\n`);
    const daylightSignature = readFileSync(`${policy}.sig`, 'utf8');
    expect(await verifyPolicySignature(signingKey, bytes, daylightSignature)).toEqual({ ok: true });

    const signatureBinary = join(dir, 'openssl.sig.bin');
    const opensslSigned = openssl([
      'pkeyutl',
      '-sign',
      '-rawin',
      '-inkey',
      privateKeyPath,
      '-in',
      policy,
      '-out',
      signatureBinary,
    ]);
    expect(opensslSigned.status, opensslSigned.stderr).toBe(0);
    const opensslSignature = `${readFileSync(signatureBinary).toString('base64')}\n`;
    expect(await verifyPolicySignature(signingKey, bytes, opensslSignature)).toEqual({ ok: true });
    // Ed25519 signatures are deterministic (RFC 8032 5.1.6): both sides sign the same bytes into the same signature.
    expect(opensslSignature).toBe(daylightSignature);
    // Signing by hand, IT may write the .sig with `openssl base64`, which wraps its lines at 64 characters.
    const wrappedSignature = join(dir, 'policy.json.sig.wrapped');
    expect(openssl(['base64', '-in', signatureBinary, '-out', wrappedSignature]).status).toBe(0);
    expect(readFileSync(wrappedSignature, 'utf8').trimEnd()).toContain('\n');
    expect(await verifyPolicySignature(signingKey, bytes, readFileSync(wrappedSignature, 'utf8'))).toEqual({
      ok: true,
    });

    const tampered = new Uint8Array(bytes);
    tampered[10] = (bytes[10] as number) ^ 1;
    expect((await verifyPolicySignature(signingKey, tampered, opensslSignature)).ok).toBe(false);
  });
});
