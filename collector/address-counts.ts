/**
 * How many of something each client address holds now (reports in flight, open connections), in memory only: an
 * address back at 0 is forgotten, so the map holds only the clients under way, never a history of them.
 */
export class AddressCounts {
  readonly #counts = new Map<string, number>();

  of(address: string): number {
    return this.#counts.get(address) ?? 0;
  }

  add(address: string): void {
    this.#counts.set(address, this.of(address) + 1);
  }

  remove(address: string): void {
    const left = this.of(address) - 1;
    if (left <= 0) this.#counts.delete(address);
    else this.#counts.set(address, left);
  }
}
