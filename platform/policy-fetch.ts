/**
 * Fetching the policy from `policyUrl` (managed-config.md): with the ETag of
 * the last answer, no cookies, never from the HTTP cache. Takes `fetch` as a
 * parameter so the background and tests can share it.
 */

export type PolicyFetchResult =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'fetched'; readonly text: string; readonly etag: string | null }
  | { readonly kind: 'failed'; readonly error: string };

const FETCH_TIMEOUT_MS = 30_000;

/** Policies are small; anything bigger is not one (and not worth keeping in memory). */
const MAX_POLICY_BYTES = 1 << 20;

export async function fetchPolicy(fetchFn: typeof fetch, url: string, etag: string | null): Promise<PolicyFetchResult> {
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
  if (response.status === 304) return { kind: 'unchanged' };
  if (!response.ok) return { kind: 'failed', error: `${url} answered HTTP ${response.status}` };
  const text = await response.text();
  if (text.length > MAX_POLICY_BYTES) return { kind: 'failed', error: `${url} sent more than 1 MiB; not a policy` };
  return { kind: 'fetched', text, etag: response.headers.get('ETag') };
}

/** Minutes before the next try after `failures` failures in a row: 1, 2, 4 … 60, with jitter so 50,000 browsers do not return at once. */
export function retryDelayMinutes(failures: number, random: () => number = Math.random): number {
  const base = Math.min(60, 2 ** Math.max(0, failures - 1));
  return base * (0.5 + random() / 2);
}
