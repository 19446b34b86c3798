/**
 * Installing the extension the way IT does: a CRX packed with a throwaway key (made per run, never
 * written outside a temporary directory, never committed: docs/spec/managed-config.md), an update manifest
 * and the CRX served on 127.0.0.1, and a policy file in /etc/chromium/policies/managed that
 * force-installs it from there. Recipe and traps: docs/browsers.md "Force-install".
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM } from './browser';

export interface PackedExtension {
  readonly crx: Buffer;
  /** The id Chromium gives a CRX signed with this key. */
  readonly extensionId: string;
  readonly version: string;
  dispose(): void;
}

/** Chromium's extension id: the first 128 bits of sha256(DER public key), hex digits 0-f written as a-p. */
export function extensionIdOf(publicKeyDer: Buffer): string {
  const hex = createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode('a'.charCodeAt(0) + parseInt(digit, 16))).join('');
}

/**
 * Packs `extensionDir` with a fresh RSA key, as `chromium --pack-extension` does for a release. The
 * manifest's `key` (the public half that fixes the unpacked build's id) is taken out: a CRX's id comes
 * from the key that signed it, and IT writes its policy files for that id.
 */
export function packWithThrowawayKey(extensionDir: string): PackedExtension {
  const work = mkdtempSync(join(tmpdir(), 'daylight-crx-'));
  try {
    const source = join(work, 'daylight');
    cpSync(extensionDir, source, { recursive: true });
    const manifestFile = join(source, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { key?: string; version: string };
    delete manifest.key;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(work, 'throwaway.pem');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const packed = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', `--pack-extension=${source}`, `--pack-extension-key=${keyFile}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const crxFile = `${source}.crx`;
    let crx: Buffer;
    try {
      crx = readFileSync(crxFile);
    } catch {
      throw new Error(`chromium --pack-extension made no CRX (exit ${packed.status}): ${packed.stderr}`);
    }
    return {
      crx,
      extensionId: extensionIdOf(publicKey.export({ format: 'der', type: 'spki' })),
      version: manifest.version,
      dispose: () => rmSync(work, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

export interface UpdateServer {
  /** The update manifest's URL: what `daylight deploy --update-url` takes. */
  readonly updateUrl: string;
  /** Paths asked for, oldest first. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** Serves the gupdate manifest Chromium's extension updater asks for, and the CRX it names. */
export async function startUpdateServer(packed: PackedExtension): Promise<UpdateServer> {
  const requests: string[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    if (path === '/update.xml') {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n` +
          `<gupdate xmlns="http://www.google.com/update2/response" protocol="2.0">\n` +
          `  <app appid="${packed.extensionId}">\n` +
          `    <updatecheck codebase="${origin}/daylight.crx" version="${packed.version}" />\n` +
          `  </app>\n` +
          `</gupdate>\n`,
      );
    } else if (path === '/daylight.crx') {
      res.writeHead(200, { 'Content-Type': 'application/x-chrome-extension' });
      res.end(packed.crx);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    updateUrl: `${origin}/update.xml`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
