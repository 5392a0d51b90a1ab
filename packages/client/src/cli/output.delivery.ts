import { backoffDelay, sleep } from '../retrying-fetcher';
import { CliError } from './exit-codes';
import { PermanentOutputError, type OutputRecord, type OutputSink } from './output.sink';

export interface DeliveryOptions {
  /** Retries after the first attempt. */
  retries: number;
  signal?: AbortSignal;
  warn(message: string): void;
}

/** Output retries back off from 1 s up to 30 s, with the client's jitter. */
export const OUTPUT_BACKOFF = { maxAttempts: Infinity, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 0 };
export const DEFAULT_OUTPUT_RETRIES = 8;

/**
 * Delivers one batch, retrying with backoff while the output fails. Resolves once the batch
 * reached the output; after the last retry throws OUTPUT_UNREACHABLE. A stop request during
 * a wait rejects with the signal's reason: the batch then stays unconfirmed. An error that
 * waiting cannot cure ({@link PermanentOutputError}) throws OUTPUT_UNREACHABLE at once.
 */
export async function deliverWithRetries(
  sink: OutputSink,
  records: readonly OutputRecord[],
  options: DeliveryOptions,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.deliver(records, options.signal);
      return;
    } catch (err) {
      if (options.signal?.aborted && err === options.signal.reason) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (err instanceof PermanentOutputError) {
        throw new CliError(
          'OUTPUT_UNREACHABLE',
          `output ${reason}; not retried, the checkpoint stays before this batch.`,
        );
      }
      if (attempt > options.retries) {
        throw new CliError(
          'OUTPUT_UNREACHABLE',
          `output ${sink.description} failed ${attempt} time${attempt > 1 ? 's' : ''} (last: ${reason}); the checkpoint stays before this batch.`,
        );
      }
      const delayMs = backoffDelay(attempt, OUTPUT_BACKOFF);
      options.warn(
        `output ${sink.description} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s (retry ${attempt} of ${options.retries})`,
      );
      await sleep(delayMs, options.signal);
    }
  }
}
