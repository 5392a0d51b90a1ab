import type { CheckpointStore } from './checkpoint-store';
import type { Page } from './pagination';
import type { IncludeParam, TimeParam } from './query-params';
import { sleep, type RequestOptions } from './retrying-fetcher';

/** A changes-feed fetcher: `client.logs.changes`, `client.monitoringAlerts.changes`, `client.securityAlerts.changes`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the filter type is inferred per endpoint
export type ChangesFetcher<TFilters = any, TItem = unknown> = (
  params: TFilters & { cursor?: string; from?: TimeParam; limit?: number; include?: IncludeParam },
  options?: RequestOptions,
) => Promise<Page<TItem>>;

type FiltersOf<F> = F extends (params: infer P, options?: RequestOptions) => Promise<Page<unknown>>
  ? Omit<P, 'cursor' | 'from' | 'limit' | 'include'>
  : never;
type ItemOf<F> = F extends (params: never, options?: RequestOptions) => Promise<Page<infer T>> ? T : never;

/** One batch of a changes feed, handed to your handler. */
export interface SyncBatch<TItem> {
  /** The new or changed items, in commit order. Never empty. */
  items: TItem[];
  /** The checkpoint this batch was read from (undefined on the very first call). */
  cursor: string | undefined;
  /** The checkpoint saved once this batch is handled. */
  nextCursor: string;
  /** True when further batches are already waiting. */
  hasMore: boolean;
}

/** Options of {@link syncBatches}. */
export interface SyncBatchesOptions<TFilters> extends Omit<RequestOptions, 'signal'> {
  /** Where the checkpoint is loaded from and saved to. */
  store: CheckpointStore;
  /**
   * The checkpoint's name in the store. The resource methods (`client.logs.sync`, …) derive
   * it from the resource and the filters; the generic {@link sync} needs it given.
   */
  key: string;
  /**
   * The resource's filters, sent with every call. A cursor only works with the filters it
   * was issued for: change the filters and you need another `key` (else 400 INVALID_CURSOR).
   */
  filters?: TFilters;
  /** With no checkpoint yet: start from items at or after this time (default: all retained). */
  from?: TimeParam;
  /** Batch size, 1-1000 (default 500). */
  limit?: number;
  /**
   * `'rawData'`: every item carries its raw provider record. Not part of the cursor, so it
   * may be turned on or off for an existing checkpoint.
   */
  include?: IncludeParam;
  /**
   * After catching up, keep polling every `pollIntervalMs` until `signal` aborts. Default
   * false: stop once caught up.
   */
  follow?: boolean;
  /** Pause between polls once caught up, when `follow` is set. Default 60 000 ms. */
  pollIntervalMs?: number;
  /** Stops the sync. In-flight work is abandoned and its batch not checkpointed. */
  signal?: AbortSignal;
}

/** Options of {@link sync}. */
export interface SyncOptions<TFilters, TItem> extends SyncBatchesOptions<TFilters> {
  /**
   * Receives each batch. The checkpoint moves past the batch only after the returned promise
   * resolves; if it throws, the sync stops with that error and the batch is delivered again
   * on the next run (at-least-once).
   */
  handler: (batch: SyncBatch<TItem>) => Promise<void> | void;
}

/** What a finished (caught-up or stopped) {@link sync} did. */
export interface SyncResult {
  /** Batches handed to the handler. */
  batches: number;
  /** Items handed to the handler. */
  items: number;
  /** The checkpoint saved last (undefined if the feed never answered). */
  cursor: string | undefined;
  /** True when it stopped because `signal` aborted. */
  aborted: boolean;
}

export const DEFAULT_SYNC_LIMIT = 500;
export const DEFAULT_POLL_INTERVAL_MS = 60_000;

/**
 * The changes feed as an async iterator of batches, resuming from the store's checkpoint.
 * The checkpoint moves past a batch when the loop asks for the next one, that is once your
 * loop body finished without throwing. Leaving the loop early (`break`, `throw`) leaves the
 * checkpoint before the current batch, which is then delivered again next time.
 *
 * @example
 * for await (const batch of syncBatches(client.logs.changes, { store, key: 'logs' })) {
 *   await siem.index(batch.items);
 * }
 */
export async function* syncBatches<F extends ChangesFetcher>(
  fetchChanges: F,
  options: SyncBatchesOptions<FiltersOf<F>>,
): AsyncGenerator<SyncBatch<ItemOf<F>>, void, undefined> {
  const {
    store,
    key,
    filters,
    from,
    limit = DEFAULT_SYNC_LIMIT,
    include,
    follow = false,
    pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
    signal,
    ...requestOptions
  } = options;
  let cursor = await store.load(key);
  for (;;) {
    signal?.throwIfAborted();
    const query = cursor === undefined ? { ...filters, from, limit, include } : { ...filters, cursor, limit, include };
    const page = (await fetchChanges(query as Parameters<F>[0], { ...requestOptions, signal })) as Page<ItemOf<F>>;
    const { nextCursor, hasMore } = page.pagination;
    if (!nextCursor)
      throw new Error('The changes feed answered without a nextCursor; refusing to lose the checkpoint.');
    if (page.data.length > 0) yield { items: page.data, cursor, nextCursor, hasMore };
    if (nextCursor !== cursor) {
      await store.save(key, nextCursor);
      cursor = nextCursor;
    }
    if (!hasMore) {
      if (!follow) return;
      await sleep(pollIntervalMs, signal);
    }
  }
}

/**
 * Incremental sync of a changes feed into your sink, at-least-once with no gaps: loads the
 * checkpoint, hands every batch to `handler`, and saves the batch's `nextCursor` only after
 * the handler resolved. Stops when caught up, or with `follow`, when `signal` aborts.
 *
 * @example
 * const store = new FileCheckpointStore('./checkpoints.json');
 * await sync(client.securityAlerts.changes, {
 *   store,
 *   key: 'security-alerts',
 *   handler: async ({ items }) => siem.upsert(items),
 * });
 */
export async function sync<F extends ChangesFetcher>(
  fetchChanges: F,
  options: SyncOptions<FiltersOf<F>, ItemOf<F>>,
): Promise<SyncResult> {
  const { handler, ...batchOptions } = options;
  let batches = 0;
  let items = 0;
  let aborted = false;
  try {
    for await (const batch of syncBatches(fetchChanges, batchOptions)) {
      await handler(batch);
      batches++;
      items += batch.items.length;
    }
  } catch (err) {
    // Aborting is how a `follow` sync is stopped: not an error.
    if (!(options.signal?.aborted && err === options.signal.reason)) throw err;
    aborted = true;
  }
  return { batches, items, cursor: await options.store.load(options.key), aborted };
}
