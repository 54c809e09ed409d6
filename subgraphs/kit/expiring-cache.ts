// A bounded map whose entries each hold until an instant: the verdicts on tokens a process has
// already checked (gateway/authentication.ts, kit/trust.ts) and the tokens the gateway signed for
// reuse (gateway/subgraph-token.ts). An entry past its instant is never handed out, and one that
// would be is not kept; beyond the bound, the least recently used entry goes first.
export class ExpiringCache<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly until: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Taken out and put back: Map order is then least recently used first.
    this.#entries.delete(key);
    if (entry.until <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` until the instant `until` (epoch ms), unless that has already come. */
  set(key: string, value: V, until: number): void {
    this.#entries.delete(key);
    if (until <= this.#now()) return;
    this.#entries.set(key, { value, until });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
