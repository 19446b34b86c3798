/**
 * POST /v1/reports (docs/spec/report-protocol.md "Collector answers"). The checks run in
 * the protocol's order: declared size (413), token (401), capacity (429), body (413, 400).
 * The token comes from the headers, so a client without it never holds a slot or sends a
 * byte of body; a client with it holds at most MAX_REPORTS_IN_FLIGHT_PER_ADDRESS slots, and
 * one that stops sending its body loses its connection after BODY_IDLE_MS.
 *
 * No CORS headers, on purpose: the extension posts from its service worker, which
 * its host permissions exempt from CORS
 * (https://developer.chrome.com/docs/extensions/develop/concepts/network-requests),
 * and web pages are the ones to keep out.
 */
import { timingSafeEqual } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { parseJsonText } from '../lib/json-text';
import { MAX_REPORT_BYTES, parseReport, type ParsedReport } from '../lib/protocol/report-schema';
import { BASE_HEADERS, CLOSE, JSON_TYPE, clientAddress, isJsonType, readBody, reply, type Exchange } from './http';
import { AddressCounts } from './address-counts';
import { IngestQueue } from './ingest-queue';
import { sha256 } from './tokens';
import type { CollectorStore } from './store';
import type { TokenBucket } from './token-bucket';

/**
 * Reports admitted and not yet answered (being received, parsed or waiting for their commit),
 * server-wide: with 64 KiB each, at most 64 MiB held, however many slow clients there are.
 */
export const MAX_REPORTS_IN_FLIGHT = 1024;
/**
 * Of those, one client address may hold this many: slow bodies from one place cannot fill them all. A fleet behind
 * one NAT or proxy sends a report in milliseconds, far below it. Addresses are held in memory only, while they have a
 * report in flight, and never stored or logged.
 */
export const MAX_REPORTS_IN_FLIGHT_PER_ADDRESS = 64;
/** A body that stops arriving for this long is given up, with its connection. */
export const BODY_IDLE_MS = 5_000;

export interface ReportsOptions {
  readonly store: CollectorStore;
  readonly capacity: TokenBucket;
  /** The SHA-256 of the token `Authorization: Bearer <token>` must carry, or null (collector/tokens.ts). */
  readonly reportingTokenHash: Buffer | null;
  readonly now: () => Date;
  /** How many days back a report's days may go: the collector's retention (at most REPORT_DAYS_BACK). */
  readonly daysBack: number;
  /** Behind a reverse proxy that appends X-Forwarded-For: the per-address limit goes by it (http.ts clientAddress). */
  readonly trustProxy: boolean;
  /**
   * Why the collector does not take a report's group (not empty) or policy revision, as a 400's error naming the
   * field; null when it does (docs/spec/report-protocol.md "Groups and revisions").
   */
  readonly unknown: {
    readonly group: (group: string) => string | null;
    readonly revision: (revision: string) => string | null;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Prebuilt answers for the two that carry no detail: the hot path allocates no headers. */
function fixedAnswer(status: number, value: unknown, extraHeaders?: OutgoingHttpHeaders) {
  const body = JSON.stringify(value);
  return {
    status,
    body,
    headers: { ...BASE_HEADERS, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...extraHeaders },
  };
}

/** The reasons of the refusals that name no field. */
const TOO_LARGE_REASON = '(size)';
const NO_TOKEN_REASON = '(reporting token)';

const ACCEPTED = fixedAnswer(202, { status: 'accepted' });
const DUPLICATE = fixedAnswer(200, { status: 'already accepted' });
const TOO_LARGE = fixedAnswer(413, { error: `the body is over ${MAX_REPORT_BYTES} bytes` }, CLOSE);
const UNAUTHORIZED = fixedAnswer(
  401,
  { error: 'a reporting token is required: Authorization: Bearer <token>' },
  // Answered before the body is read: the connection is not reused, so the rest is never read.
  { 'www-authenticate': 'Bearer', ...CLOSE },
);

/**
 * What the admin is shown of a refused report (docs/spec/report-protocol.md "What admins see"): the field
 * a 400 names, its list indices dropped ("counts[].day"), so the reasons are few and carry nothing of the body.
 */
export function refusalReason(error: string): string {
  return error.slice(0, error.indexOf(':')).replace(/\[\d+\]/g, '[]');
}

function badRequest(ex: Exchange, error: string, refused: (reason: string) => void): void {
  refused(refusalReason(error));
  const body = JSON.stringify({ error });
  reply(ex, 400, { ...BASE_HEADERS, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) }, body, {
    counts: 0,
  });
}

// Long: a factory; the in-flight count and token hash it closes over are shared by the short checks inside.
export function createReportsHandler(options: ReportsOptions): (ex: Exchange) => Promise<void> {
  const { capacity, now } = options;
  const queue = new IngestQueue(options.store);
  const tokenHash = options.reportingTokenHash;
  let reportsInFlight = 0;
  /** Reports in flight per client address, in memory only, while they are: never stored or logged. */
  const inFlightByAddress = new AddressCounts();
  const refused = (reason: string): void => options.store.countRefusal(now().toISOString().slice(0, 10), reason);

  /** Compares hashes, so the time taken says nothing of how much of the token was right, nor of its length. */
  const hasToken = (authorization: string | undefined): boolean => {
    if (tokenHash === null) return true;
    if (authorization === undefined || !/^bearer /i.test(authorization)) return false;
    return timingSafeEqual(sha256(authorization.slice(7).trim()), tokenHash);
  };

  /** A well-formed report is refused too when its group or revision is one this collector does not know. */
  const known = (parsed: ParsedReport): ParsedReport => {
    if (!parsed.ok) return parsed;
    const { group, policyRevision } = parsed.report;
    const error =
      (group === undefined || group === '' ? null : options.unknown.group(group)) ??
      options.unknown.revision(policyRevision);
    return error === null ? parsed : { ok: false, error };
  };

  /** After the token and capacity checks: read, parse, store. */
  const admitted = async (ex: Exchange): Promise<void> => {
    const { req } = ex;
    const body = await readBody(req, MAX_REPORT_BYTES, BODY_IDLE_MS);
    if (body === null) {
      refused(TOO_LARGE_REASON);
      reply(ex, TOO_LARGE.status, TOO_LARGE.headers, TOO_LARGE.body, { counts: 0 });
      return;
    }
    // A page cannot send application/json to another site without a CORS preflight, which this server never
    // grants: requiring it keeps any website a person visits from posting made-up counts.
    if (!isJsonType(req.headers['content-type'])) {
      badRequest(ex, 'Content-Type: must be application/json', refused);
      return;
    }
    const json = parseJsonText(body.toString('utf8'));
    if (!json.ok) {
      badRequest(ex, `(report): not valid JSON: ${json.message}`, refused);
      return;
    }
    const parsed = known(parseReport(json.value, now(), options.daysBack));
    if (!parsed.ok) {
      // docs/spec/report-protocol.md: a replayed batchId is answered 200 and ignored, whatever its body.
      const batchId = (json.value as { batchId?: unknown } | null)?.batchId;
      if (typeof batchId === 'string' && UUID.test(batchId) && options.store.hasBatch(batchId)) {
        reply(ex, DUPLICATE.status, DUPLICATE.headers, DUPLICATE.body, { counts: 0 });
        return;
      }
      badRequest(ex, parsed.error, refused);
      return;
    }
    const answer = (await queue.add(parsed.report)) === 'accepted' ? ACCEPTED : DUPLICATE;
    reply(ex, answer.status, answer.headers, answer.body, {
      counts: answer === ACCEPTED ? parsed.report.counts.length : 0,
    });
  };

  return async (ex) => {
    const { req } = ex;
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_REPORT_BYTES) {
      refused(TOO_LARGE_REASON);
      reply(ex, TOO_LARGE.status, TOO_LARGE.headers, TOO_LARGE.body, { counts: 0 });
      return;
    }
    // From the headers: without the token, a client takes no share of the capacity and sends no body.
    if (!hasToken(req.headers.authorization)) {
      refused(NO_TOKEN_REASON);
      reply(ex, UNAUTHORIZED.status, UNAUTHORIZED.headers, UNAUTHORIZED.body, { counts: 0 });
      return;
    }
    const address = clientAddress(req, options.trustProxy);
    const fromAddress = inFlightByAddress.of(address);
    if (
      reportsInFlight >= MAX_REPORTS_IN_FLIGHT ||
      fromAddress >= MAX_REPORTS_IN_FLIGHT_PER_ADDRESS ||
      !capacity.take()
    ) {
      const full = reportsInFlight >= MAX_REPORTS_IN_FLIGHT || fromAddress >= MAX_REPORTS_IN_FLIGHT_PER_ADDRESS;
      overCapacity(ex, full ? 1 : capacity.secondsUntilToken());
      return;
    }
    reportsInFlight++;
    inFlightByAddress.add(address);
    try {
      await admitted(ex);
    } finally {
      reportsInFlight--;
      inFlightByAddress.remove(address);
    }
  };
}

/** 429 with Retry-After, closing the connection: the body, if any, is not read. */
function overCapacity(ex: Exchange, retryAfter: number): void {
  const body = JSON.stringify({ error: `over capacity; retry after ${retryAfter} s` });
  reply(
    ex,
    429,
    {
      ...BASE_HEADERS,
      ...CLOSE,
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(body),
      'retry-after': String(retryAfter),
    },
    body,
    { counts: 0 },
  );
}
