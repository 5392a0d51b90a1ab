/**
 * A first-come, first-served async mutex. PGlite has exactly one database session, so
 * everything that uses it (the server's own queries and every socket client) must take
 * turns, and a transaction must keep the session until it ends.
 */
export class SessionGate {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /** Resolves when the caller holds the session; call the returned function to give it back. */
  async acquire(): Promise<() => void> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#held = false;
    };
  }
}
