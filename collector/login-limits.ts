/**
 * Limits on wrong admin tokens at POST /login, so that nobody can guess the token quickly and nobody can lock the
 * real admin out by trying wrong ones:
 *
 * - per client address: 10 wrong tokens at once, then one every 6 s; an address past it gets 429 before its token is
 *   looked at, so one address cannot guess faster, whatever it sends;
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
/** Beyond this many addresses, those whose limit is full again are forgotten first: memory stays bounded. */
const MAX_ADDRESSES = 10_000;

export class LoginLimits {
  readonly #addresses = new Map<string, TokenBucket>();
  readonly #server: TokenBucket;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#server = new TokenBucket(SERVER_PER_SECOND, SERVER_BURST, now);
  }

  /** Seconds until `address` may try again, or 0: checked before the token is looked at. */
  pausedFor(address: string): number {
    const bucket = this.#addresses.get(address);
    return bucket === undefined || bucket.hasToken() ? 0 : bucket.secondsUntilToken();
  }

  /** A wrong token from `address`: counted against it and against the server-wide ceiling. */
  wrongToken(address: string): void {
    let bucket = this.#addresses.get(address);
    if (bucket === undefined) {
      this.#forgetSome();
      bucket = new TokenBucket(PER_ADDRESS_PER_SECOND, PER_ADDRESS_BURST, this.#now);
      this.#addresses.set(address, bucket);
    }
    bucket.take();
    this.#server.take();
  }

  /** Seconds until a wrong token is answered 401 again rather than 429, or 0: never applies to the right token. */
  serverPausedFor(): number {
    return this.#server.hasToken() ? 0 : this.#server.secondsUntilToken();
  }

  #forgetSome(): void {
    if (this.#addresses.size < MAX_ADDRESSES) return;
    for (const [address, bucket] of this.#addresses) if (bucket.isFull()) this.#addresses.delete(address);
    // Every address is still limited: the oldest goes, which at worst lets it try 10 more.
    if (this.#addresses.size >= MAX_ADDRESSES) this.#addresses.delete(this.#addresses.keys().next().value as string);
  }
}
