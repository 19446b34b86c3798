/**
 * Fetching the policy from `policyUrl` and its signature from `policyUrl` + `.sig`
 * (docs/spec/managed-config.md): with the ETag of the last answer, no cookies, never from the HTTP cache.
 * Takes `fetch` as a parameter so the background and tests can share it.
 */
import { MAX_POLICY_BYTES } from '../lib/policy/validate';

export type PolicyFetchResult =
  | { readonly kind: 'unchanged' }
  | {
      readonly kind: 'fetched';
      readonly text: string;
      /** The exact bytes received: a signature is over these, not over the decoded text. */
      readonly bytes: Uint8Array<ArrayBuffer>;
      readonly etag: string | null;
    }
  | { readonly kind: 'failed'; readonly error: string };

const FETCH_TIMEOUT_MS = 30_000;

/** A signature file is 88 base64 characters and a newline; room for a CRLF or padding, no more. */
const MAX_SIGNATURE_BYTES = 1024;

type Answer = Exclude<PolicyFetchResult, { kind: 'unchanged' }>;

/** Without an ETag nothing was asked conditionally, so the answer is never "unchanged". */
function get(fetchFn: typeof fetch, url: string, etag: null, maxBytes: number, what: string): Promise<Answer>;
function get(
  fetchFn: typeof fetch,
  url: string,
  etag: string | null,
  maxBytes: number,
  what: string,
): Promise<PolicyFetchResult>;
async function get(
  fetchFn: typeof fetch,
  url: string,
  etag: string | null,
  maxBytes: number,
  what: string,
): Promise<PolicyFetchResult> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      credentials: 'omit',
      cache: 'no-store',
      headers: etag === null ? {} : { 'If-None-Match': etag },
      // A server that accepts the connection and never answers must not hold the refresh forever.
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    return {
      kind: 'failed',
      error: `could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  // A redirect may not take an https policy to plain http, where anyone on the path could change it.
  if (url.startsWith('https:') && response.url !== '' && !response.url.startsWith('https:')) {
    return { kind: 'failed', error: `${url} redirected to ${response.url}, which is not https` };
  }
  if (response.status === 304) {
    // A 304 vouches for the policy behind our ETag; to a plain request (say, the first after a new
    // signing key) it vouches for nothing, and must not pass for a verified answer.
    return etag === null
      ? { kind: 'failed', error: `${url} answered HTTP 304 to a plain request` }
      : { kind: 'unchanged' };
  }
  if (!response.ok) return { kind: 'failed', error: `${url} answered HTTP ${response.status}` };
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) return { kind: 'failed', error: `${url} sent ${bytes.length} bytes; not ${what}` };
  return { kind: 'fetched', text: new TextDecoder().decode(bytes), bytes, etag: response.headers.get('ETag') };
}

export function fetchPolicy(fetchFn: typeof fetch, url: string, etag: string | null): Promise<PolicyFetchResult> {
  return get(fetchFn, url, etag, MAX_POLICY_BYTES, 'a policy');
}

/** Where the signature of the policy at `policyUrl` is: the same URL with `.sig` appended (docs/spec/managed-config.md). */
export const signatureUrl = (policyUrl: string): string => `${policyUrl}.sig`;

/** The signature file's text; never conditional, since it belongs to the policy bytes just fetched. */
export async function fetchSignature(
  fetchFn: typeof fetch,
  policyUrl: string,
): Promise<{ readonly kind: 'fetched'; readonly text: string } | { readonly kind: 'failed'; readonly error: string }> {
  const result = await get(fetchFn, signatureUrl(policyUrl), null, MAX_SIGNATURE_BYTES, 'a signature');
  return result.kind === 'fetched' ? { kind: 'fetched', text: result.text } : result;
}

/** Minutes before the next try after `failures` failures in a row: 1, 2, 4 … 60, with jitter so 50,000 browsers do not return at once. */
export function retryDelayMinutes(failures: number, random: () => number = Math.random): number {
  const base = Math.min(60, 2 ** Math.max(0, failures - 1));
  return base * (0.5 + random() / 2);
}
