/**
 * A token bucket: the server-wide limit behind a report's 429 (docs/spec/report-protocol.md "Collector
 * answers"), and the limits on wrong admin tokens (login-limits.ts). Tokens refill continuously at
 * `ratePerSecond` up to `burst`; each admitted request takes one. The rate must be above 0 and the burst
 * at least 1.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
    this.#last = now;
  }

  hasToken(): boolean {
    this.#refill();
    return this.#tokens >= 1;
  }

  /** Takes a token if there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether it is back to its burst: nothing taken is still being paid for. */
  isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.burst;
  }

  /** Whole seconds until a token is back (at least 1): the value of Retry-After. */
  secondsUntilToken(): number {
    this.#refill();
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.ratePerSecond));
  }
}
