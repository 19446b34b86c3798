/**
 * The fleet's reporting token (docs/spec/report-protocol.md "Request"): reports must carry it, so that
 * only the fleet can add counts or people marks. By default one is generated at the collector's first
 * start (256 random bits), shown once, and kept only as its SHA-256, like the admin token; IT puts it in
 * the managed `reportingToken`. A collector may also be given one, or run open (null): then anyone who
 * reaches it can post reports.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CollectorStore } from './store';

export interface ReportingToken {
  /** The SHA-256 reports must match, or null on an open collector. */
  readonly hash: Buffer | null;
  /** The token generated at this start, to be shown once; null when given, open, or generated before. */
  readonly generated: string | null;
}

export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** `token`: the one to require, null for none, undefined for the generated one (made now if there is none). */
export function reportingToken(store: CollectorStore, token: string | null | undefined): ReportingToken {
  if (token === null) return { hash: null, generated: null };
  if (token !== undefined) return { hash: sha256(token), generated: null };
  const stored = store.getGeneratedReportingTokenHash();
  if (stored !== null) return { hash: stored, generated: null };
  const generated = randomBytes(32).toString('base64url');
  const hash = sha256(generated);
  store.setGeneratedReportingTokenHash(hash);
  return { hash, generated };
}
