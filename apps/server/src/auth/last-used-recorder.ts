import type { Logger } from '../logger';

/**
 * Records `last_used_at` for keys without touching the request path: uses are collected in
 * memory and written in one batch every few seconds, at most once a minute per key.
 */
export class LastUsedRecorder {
  readonly #pending = new Set<string>();
  readonly #lastWritten = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly write: (keyIds: string[], at: Date) => Promise<void>,
    private readonly logger: Logger,
    flushEveryMs = 5_000,
    private readonly minIntervalMs = 60_000,
  ) {
    this.#timer = setInterval(() => void this.flush(), flushEveryMs);
    this.#timer.unref();
  }

  touch(keyId: string): void {
    const last = this.#lastWritten.get(keyId);
    if (last === undefined || Date.now() - last >= this.minIntervalMs) this.#pending.add(keyId);
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const keyIds = [...this.#pending];
    this.#pending.clear();
    const now = Date.now();
    for (const id of keyIds) this.#lastWritten.set(id, now);
    try {
      await this.write(keyIds, new Date(now));
    } catch (err) {
      for (const id of keyIds) this.#lastWritten.delete(id);
      this.logger.warn({ err: (err as Error).message }, 'could not record key usage; will retry');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
