import type { AuthContext } from '../auth/auth-context';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import { requireAuth } from '../http/route-helpers';
import { changesPage, type FeedPosition } from './changes-feed';
import { fingerprintOf, type CursorCodec } from './cursor-codec';
import { keysetPage, type KeysetPosition, type SortOrder } from './keyset';

export interface ListWindow {
  since?: Date | undefined;
  until?: Date | undefined;
  order: SortOrder;
}

/** What one resource supplies: its queries (from its repository) and its item mappers. */
export interface ResourceSpec<Filters, Row extends { id: string }, DetailRow, Item, Detail> {
  /** Names the resource in cursor fingerprints, so a cursor never crosses resources. */
  name: string;
  /** The resource's filter parameters, picked out of a query. */
  filtersOf: (query: Filters) => Filters;
  /** The row's sort-column value, as the ISO string the item shows. */
  sortKeyOf: (row: Row) => string;
  list: (
    db: Db,
    tenantId: string,
    filters: Filters,
    window: ListWindow,
    after: KeysetPosition | undefined,
    take: number,
  ) => Promise<Row[]>;
  changes: (
    db: Db,
    tenantId: string,
    filters: Filters,
    after: FeedPosition,
    xmin: string,
    from: Date | undefined,
    take: number,
  ) => Promise<Array<Row & { txid: string; seq: string }>>;
  get: (db: Db, tenantId: string, id: string) => Promise<DetailRow | undefined>;
  toItem: (row: Row) => Item;
  toDetail: (row: DetailRow) => Detail;
  notFoundMessage: string;
}

interface Caller {
  req: { auth?: AuthContext };
}

/**
 * The three handlers every resource has — list (keyset pages), changes (the feed) and
 * detail — built from the resource's repository queries, so each behaves the same way.
 */
export function resourceHandlers<Filters, Row extends { id: string }, DetailRow, Item, Detail>(
  deps: { db: Db; cursors: CursorCodec },
  spec: ResourceSpec<Filters, Row, DetailRow, Item, Detail>,
) {
  return {
    list: async ({
      req,
      query,
    }: Caller & { query: Filters & ListWindow & { limit: number; cursor?: string | undefined } }) => {
      const { tenantId } = requireAuth(req);
      if (query.since && query.until && query.since >= query.until) {
        throw errors.validation([{ parameter: 'until', message: 'must be later than since' }]);
      }
      const filters = spec.filtersOf(query);
      const window: ListWindow = { since: query.since, until: query.until, order: query.order };
      const body = await keysetPage({
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: spec.name, ...filters, ...window }),
        request: query,
        sortKeyOf: spec.sortKeyOf,
        fetch: (after, take) => spec.list(deps.db, tenantId, filters, window, after, take),
        toItem: spec.toItem,
      });
      return { status: 200 as const, body };
    },

    changes: async ({
      req,
      query,
    }: Caller & { query: Filters & { from?: Date | undefined; limit: number; cursor?: string | undefined } }) => {
      const { tenantId } = requireAuth(req);
      const filters = spec.filtersOf(query);
      const body = await changesPage({
        db: deps.db,
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: `${spec.name}/changes`, ...filters }),
        request: query,
        fetch: (after, xmin, from, take) => spec.changes(deps.db, tenantId, filters, after, xmin, from, take),
        toItem: (row) => spec.toItem(row),
      });
      return { status: 200 as const, body };
    },

    get: async ({ req, params }: Caller & { params: { id: string } }) => {
      const { tenantId } = requireAuth(req);
      const row = await spec.get(deps.db, tenantId, params.id);
      if (!row) throw errors.notFound(spec.notFoundMessage);
      return { status: 200 as const, body: { data: spec.toDetail(row) } };
    },
  };
}
