/**
 * Limits on wrong admin tokens at POST /login, so that nobody can guess the token quickly and nobody can lock the
 * real admin out by trying wrong ones:
 *
 * - per client address: 10 tries at once, then one every 6 s, each taken before the token is read; an address past it
 *   gets 429 without its token being looked at, so one address cannot guess faster, however many it sends at once;
 * - server-wide, a ceiling on wrong tokens from every address together (60 at once, then one a second), which is
 *   checked only after the token: the right token is always taken, from any address that is not itself paused.
 *
 * Addresses are held in memory only, for as long as their limit matters, and never stored or logged. Behind a
 * reverse proxy every request comes from the proxy's address, which then shares one limit.
 */
import { TokenBucket } from './token-bucket';

const PER_ADDRESS_BURST = 10;
const PER_ADDRESS_PER_SECOND = 1 / 6;
const SERVER_BURST = 60;
const SERVER_PER_SECOND = 1;
/**
 * Beyond this many addresses the one not seen for longest is forgotten (and may try 10 more): memory stays bounded, and
 * an attacker with as many addresses has as many tries anyway.
 */
const MAX_ADDRESSES = 10_000;

export class LoginLimits {
  readonly #addresses = new Map<string, TokenBucket>();
  readonly #server: TokenBucket;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#server = new TokenBucket(SERVER_PER_SECOND, SERVER_BURST, now);
  }

  /**
   * Takes one try of `address` before its token is read, so that tokens sent all at once count as well: seconds until
   * it may try again when it has none left (nothing taken), else 0.
   */
  tryFrom(address: string): number {
    let bucket = this.#addresses.get(address);
    if (bucket === undefined) {
      bucket = new TokenBucket(PER_ADDRESS_PER_SECOND, PER_ADDRESS_BURST, this.#now);
    } else {
      // Most recently used last: when the map is full, the address not seen for longest goes first.
      this.#addresses.delete(address);
    }
    this.#addresses.set(address, bucket);
    if (this.#addresses.size > MAX_ADDRESSES) this.#addresses.delete(this.#addresses.keys().next().value as string);
    return bucket.take() ? 0 : bucket.secondsUntilToken();
  }

  /** A wrong token (its address's try was taken already): counted against the server-wide ceiling. */
  wrongToken(): void {
    this.#server.take();
  }

  /** Seconds until a wrong token is answered 401 again rather than 429, or 0: never applies to the right token. */
  serverPausedFor(): number {
    return this.#server.hasToken() ? 0 : this.#server.secondsUntilToken();
  }
}
