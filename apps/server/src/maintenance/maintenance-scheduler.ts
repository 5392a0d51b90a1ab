import type { Db } from '../db/database';
import type { Logger } from '../logger';
import { MaintenanceBusyError } from './maintenance-lease';
import { runRetention } from './retention.service';

/**
 * Runs the retention pass inside the server every `intervalMs`. Every instance schedules it;
 * the lease lets one of them run at a time and the others skip that turn quietly. A failed
 * pass (database down) is logged and tried again at the next turn; it never stops the server.
 */
export class MaintenanceScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #abort = new AbortController();
  #closed = false;

  constructor(
    private readonly db: Db,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#runOnce().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, this.intervalMs);
    // A pending turn never keeps the process alive.
    this.#timer.unref();
  }

  async #runOnce(): Promise<void> {
    try {
      const run = await runRetention(this.db, { runner: 'server', signal: this.#abort.signal });
      const removed = Object.values(run.removed).reduce((a, b) => a + b, 0);
      this.logger.info(
        { job: 'retention', tenants: run.tenants.length, removed: run.removed, ms: +run.finishedAt - +run.startedAt },
        removed > 0 ? 'retention pass removed expired items' : 'retention pass: nothing expired',
      );
    } catch (err) {
      if (err instanceof MaintenanceBusyError) {
        this.logger.debug({ job: 'retention', holder: err.holder }, 'retention pass skipped: another holds the lease');
      } else if (!this.#abort.signal.aborted) {
        this.logger.warn(
          { job: 'retention', err: err instanceof Error ? err.message : String(err) },
          'retention pass failed; retrying at the next interval',
        );
      }
    }
  }

  /** Stops scheduling; a pass in progress stops after its current batch. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#running;
  }
}
