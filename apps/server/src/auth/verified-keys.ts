import type { AuthContext } from './auth-context';

interface Entry {
  identity: AuthContext;
  /** Epoch ms, or null when the key never expires. */
  expiresAt: number | null;
}

/**
 * What the server remembers of keys it has verified: secret hash → the key's identity
 * (tenant, scopes, rate limit), which never changes for a key. Never whether the key is still
 * live: every request's statement checks that in the database (`withLiveKey`), so forgetting
 * nothing here can keep a revoked key working. Bounded: the oldest entry leaves first.
 */
export class VerifiedKeys {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly capacity = 10_000) {}

  /** The identity of a verified, unexpired key with this hash. */
  get(hash: string, now: number): AuthContext | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.#entries.delete(hash);
      return undefined;
    }
    return entry.identity;
  }

  remember(hash: string, identity: AuthContext, expiresAt: Date | null): void {
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(hash, { identity, expiresAt: expiresAt?.getTime() ?? null });
  }

  /** Drops a key the database reported dead, so its next request is looked up afresh. */
  forget(keyId: string): void {
    for (const [hash, entry] of this.#entries) if (entry.identity.keyId === keyId) this.#entries.delete(hash);
  }
}
