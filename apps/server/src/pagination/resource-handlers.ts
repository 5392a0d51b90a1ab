import type { IncludableField } from '@1security/contract';
import type { AuthContext } from '../auth/auth-context';
import { withLiveKey } from '../auth/live-key';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import { requireAuth } from '../http/route-helpers';
import { changesPage, type FeedPosition, type FeedRowPosition, type FeedXmin } from './changes-feed';
import { fingerprintOf, type CursorCodec } from './cursor-codec';
import { itemIncludeOf, type ItemInclude } from './item-include';
import { keysetPage, type KeysetPosition, type SortOrder } from './keyset';

export interface ListWindow {
  since?: Date | undefined;
  until?: Date | undefined;
  order: SortOrder;
}

/**
 * What one resource supplies: its repository's queries, which select items exactly as the API
 * shows them (the handlers serialise the driver's rows without a mapping pass).
 */
export interface ResourceSpec<Filters, Item extends { id: string }, Detail> {
  /** Names the resource in cursor fingerprints, so a cursor never crosses resources. */
  name: string;
  /** The resource's filter parameters, picked out of a query. */
  filtersOf: (query: Filters) => Filters;
  /** The item's sort-column value (ISO string), for the next cursor. */
  sortKeyOf: (item: Item) => string;
  list: (
    db: Db,
    tenantId: string,
    filters: Filters,
    window: ListWindow,
    after: KeysetPosition | undefined,
    take: number,
    include: ItemInclude,
  ) => Promise<Item[]>;
  changes: (
    db: Db,
    tenantId: string,
    filters: Filters,
    after: FeedPosition,
    xmin: FeedXmin,
    from: Date | undefined,
    take: number,
    include: ItemInclude,
  ) => Promise<Array<Item & FeedRowPosition>>;
  get: (db: Db, tenantId: string, id: string) => Promise<Detail | undefined>;
  notFoundMessage: string;
}

interface Caller {
  req: { auth?: AuthContext };
}

/** `include` picks which fields items carry, not which items a page holds: never in a fingerprint. */
interface Inclusion {
  include?: IncludableField[] | undefined;
}

/**
 * The three handlers every resource has — list (keyset pages), changes (the feed) and
 * detail — built from the resource's repository queries, so each behaves the same way.
 */
export function resourceHandlers<Filters, Item extends { id: string }, Detail>(
  deps: { db: Db; cursors: CursorCodec },
  spec: ResourceSpec<Filters, Item, Detail>,
) {
  return {
    list: async ({
      req,
      query,
    }: Caller & { query: Filters & ListWindow & Inclusion & { limit: number; cursor?: string | undefined } }) => {
      const { tenantId, keyId } = requireAuth(req);
      const db = withLiveKey(deps.db, keyId);
      if (query.since && query.until && query.since >= query.until) {
        throw errors.validation([{ parameter: 'until', message: 'must be later than since' }]);
      }
      const filters = spec.filtersOf(query);
      const window: ListWindow = { since: query.since, until: query.until, order: query.order };
      const include = itemIncludeOf(query.include);
      const body = await keysetPage({
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: spec.name, ...filters, ...window }),
        request: query,
        sortKeyOf: spec.sortKeyOf,
        fetch: (after, take) => spec.list(db, tenantId, filters, window, after, take, include),
      });
      return { status: 200 as const, body };
    },

    changes: async ({
      req,
      query,
    }: Caller & {
      query: Filters & Inclusion & { from?: Date | undefined; limit: number; cursor?: string | undefined };
    }) => {
      const { tenantId, keyId } = requireAuth(req);
      const filters = spec.filtersOf(query);
      const include = itemIncludeOf(query.include);
      const body = await changesPage({
        db: withLiveKey(deps.db, keyId),
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: `${spec.name}/changes`, ...filters }),
        request: query,
        fetch: (db, after, xmin, from, take) => spec.changes(db, tenantId, filters, after, xmin, from, take, include),
      });
      return { status: 200 as const, body };
    },

    get: async ({ req, params }: Caller & { params: { id: string } }) => {
      const { tenantId, keyId } = requireAuth(req);
      const detail = await spec.get(withLiveKey(deps.db, keyId), tenantId, params.id);
      if (!detail) throw errors.notFound(spec.notFoundMessage);
      return { status: 200 as const, body: { data: detail } };
    },
  };
}
