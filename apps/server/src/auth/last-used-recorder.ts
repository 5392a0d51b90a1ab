import type { ApiKeyUse } from '../api-keys/api-keys.repository';
import type { Logger } from '../logger';

/**
 * Records `last_used_at` for keys without touching the request path: uses are collected in
 * memory and written in one batch every few seconds, at most once a minute per key. What is
 * written is the time of the key's last request, not of the batch: a key revoked between the
 * two must not show a use after its revocation.
 */
export class LastUsedRecorder {
  readonly #pending = new Map<string, Date>();
  readonly #lastWritten = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly write: (uses: ApiKeyUse[]) => Promise<void>,
    private readonly logger: Logger,
    flushEveryMs = 5_000,
    private readonly minIntervalMs = 60_000,
  ) {
    this.#timer = setInterval(() => void this.flush(), flushEveryMs);
    this.#timer.unref();
  }

  touch(keyId: string, at: Date = new Date()): void {
    const last = this.#lastWritten.get(keyId);
    if (last !== undefined && Date.now() - last < this.minIntervalMs) return;
    const pending = this.#pending.get(keyId);
    if (pending === undefined || pending < at) this.#pending.set(keyId, at);
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const uses = [...this.#pending].map(([keyId, at]) => ({ keyId, at }));
    this.#pending.clear();
    const now = Date.now();
    for (const { keyId } of uses) this.#lastWritten.set(keyId, now);
    try {
      await this.write(uses);
    } catch (err) {
      for (const { keyId, at } of uses) {
        this.#lastWritten.delete(keyId);
        this.touch(keyId, at);
      }
      this.logger.warn({ err: (err as Error).message }, 'could not record key usage; will retry');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
