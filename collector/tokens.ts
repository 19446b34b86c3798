/**
 * The collector's two tokens, each kept only as its SHA-256: the admin token (admin-auth.ts), and the fleet's
 * reporting token (docs/spec/report-protocol.md "Request"), which reports must carry so that only the fleet can
 * add counts or people marks. Either may be given; without one, it is generated at the first start (256 random
 * bits), written to a file of the data folder that only its owner may read (never to a log or a terminal, which
 * journald or docker would keep), and its hash kept. The reporting token may also be off (null): then anyone who
 * reaches the collector can post reports.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import type { CollectorStore } from './store';

export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export interface Token {
  /** The SHA-256 a candidate must match. */
  readonly hash: Buffer;
  /** The token generated at this start, to be shown once; null when given or generated before. */
  readonly generated: string | null;
}

/** The files of the data folder a generated token is written to. */
export const ADMIN_TOKEN_FILE = 'admin-token';
export const REPORTING_TOKEN_FILE = 'reporting-token';

/** Writes a generated token for its owner alone (0600, also when the file was there). */
export function writeTokenFile(file: string, token: string): void {
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * `token` when given, else the one generated at an earlier start (`stored`), else a new one: kept first (`keep`, its
 * file), so that a crash between the two never leaves a hash whose token nobody has, then its hash saved by `save`.
 */
export function givenOrGenerated(
  token: string | undefined,
  stored: Buffer | null,
  save: (hash: Buffer) => void,
  keep: (token: string) => void,
): Token {
  if (token !== undefined) return { hash: sha256(token), generated: null };
  if (stored !== null) return { hash: stored, generated: null };
  const generated = randomBytes(32).toString('base64url');
  const hash = sha256(generated);
  keep(generated);
  save(hash);
  return { hash, generated };
}

/** The reporting token: `token` to require, null for none, undefined for the generated one. */
export function reportingToken(
  store: CollectorStore,
  token: string | null | undefined,
  keep: (token: string) => void,
): { readonly hash: Buffer | null; readonly generated: string | null } {
  if (token === null) return { hash: null, generated: null };
  return givenOrGenerated(
    token,
    store.getGeneratedReportingTokenHash(),
    (hash) => store.setGeneratedReportingTokenHash(hash),
    keep,
  );
}
