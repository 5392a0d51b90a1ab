import { sql, type RawBuilder } from 'kysely';
import { errors } from '../http/api-error';
import type { CursorCodec } from './cursor-codec';

export type SortOrder = 'asc' | 'desc';

/** A date both JavaScript and PostgreSQL can hold (years 1 to 9999). */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}

/** The last row of a page: its sort-column value and id. */
export type KeysetPosition = [Date, string];

/**
 * `(sortColumn, id) > (…)` for ascending pages, `<` for descending: a row-value comparison
 * that PostgreSQL answers as a range scan on the (tenant_id, sortColumn, id) index.
 */
export function keysetAfter(sortColumn: string, order: SortOrder, [at, id]: KeysetPosition): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(sortColumn)}, ${sql.ref('id')}) ${sql.raw(order === 'asc' ? '>' : '<')} (${at}, ${id})`;
}

export interface ListRequest {
  order: SortOrder;
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  data: T[];
  pagination: { nextCursor: string | null; hasMore: boolean; limit: number };
}

/**
 * Runs one keyset page: decodes the cursor (checking it against the filters), fetches one
 * row more than asked to learn whether another page follows, and issues the next cursor.
 */
export async function keysetPage<Item extends { id: string }>(options: {
  codec: CursorCodec;
  tenantId: string;
  fingerprint: string;
  request: ListRequest;
  /** The item's sort-column value, as the ISO string it shows. */
  sortKeyOf: (item: Item) => string;
  /** Items as the API shows them: the page serialises them as they come. */
  fetch: (after: KeysetPosition | undefined, take: number) => Promise<Item[]>;
}): Promise<Page<Item>> {
  const { codec, tenantId, fingerprint, request } = options;
  let after: KeysetPosition | undefined;
  if (request.cursor !== undefined) {
    const { position } = codec.decode(request.cursor, tenantId, fingerprint);
    const [at, id] = position;
    const date = typeof at === 'string' ? new Date(at) : undefined;
    if (!date || !isStorableDate(date) || typeof id !== 'string' || id.length > 128) {
      throw errors.invalidCursor('The cursor does not belong to this list.');
    }
    after = [date, id];
  }
  const rows = await options.fetch(after, request.limit + 1);
  const hasMore = rows.length > request.limit;
  const page = hasMore ? rows.slice(0, request.limit) : rows;
  const last = page[page.length - 1];
  return {
    data: page,
    pagination: {
      nextCursor: hasMore && last ? codec.encode(tenantId, fingerprint, [options.sortKeyOf(last), last.id]) : null,
      hasMore,
      limit: request.limit,
    },
  };
}
