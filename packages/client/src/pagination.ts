import type { Pagination } from '@1security/contract';
import type { RequestOptions } from './retrying-fetcher';

/** One page of a list endpoint or of a changes feed: `{ data, pagination }`. */
export interface Page<TItem> {
  data: TItem[];
  pagination: Pagination;
}

/** Any function that fetches one page given a query with a `cursor`: `client.logs.list`, `client.securityAlerts.changes`… */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the query type is inferred per endpoint
export type PageFetcher<TParams extends { cursor?: string } = any, TItem = unknown> = (
  params: TParams,
  options?: RequestOptions,
) => Promise<Page<TItem>>;

/** The query type a page fetcher takes. */
export type PageParams<F> = F extends (params: infer P, options?: RequestOptions) => Promise<Page<unknown>> ? P : never;
/** The item type a page fetcher returns. */
export type PageItem<F> = F extends (params: never, options?: RequestOptions) => Promise<Page<infer T>> ? T : never;

/** Options of {@link pages} and {@link paginate}. */
export interface PaginateOptions extends RequestOptions {
  /** Stop after this many pages (default: no limit). */
  maxPages?: number;
}

/**
 * Every page of a list, following `nextCursor` with the same filters until `hasMore` is
 * false. Each page is fetched only when the loop asks for it.
 *
 * @example
 * for await (const page of pages(client.logs.list, { severity: ['high', 'critical'], limit: 500 })) {
 *   await sink.write(page.data);
 * }
 */
export async function* pages<F extends PageFetcher>(
  fetchPage: F,
  params?: PageParams<F>,
  options: PaginateOptions = {},
): AsyncGenerator<Page<PageItem<F>>, void, undefined> {
  const { maxPages = Infinity, ...requestOptions } = options;
  let query = { ...(params ?? {}) } as PageParams<F> & { cursor?: string };
  for (let count = 0; count < maxPages; count++) {
    const page = (await fetchPage(query, requestOptions)) as Page<PageItem<F>>;
    yield page;
    const { hasMore, nextCursor } = page.pagination;
    if (!hasMore || !nextCursor) return;
    query = { ...query, cursor: nextCursor };
  }
}

/**
 * Every item of a list, page after page (see {@link pages}).
 *
 * @example
 * for await (const alert of paginate(client.securityAlerts.list, { status: 'new' })) {
 *   console.log(alert.id, alert.title);
 * }
 */
export async function* paginate<F extends PageFetcher>(
  fetchPage: F,
  params?: PageParams<F>,
  options: PaginateOptions = {},
): AsyncGenerator<PageItem<F>, void, undefined> {
  for await (const page of pages(fetchPage, params, options)) yield* page.data;
}
