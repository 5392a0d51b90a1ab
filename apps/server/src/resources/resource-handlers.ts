import type { IncludableField } from '@1security/contract';
import type { SelectExpression } from 'kysely';
import type { AuthContext } from '../auth/auth-context';
import { readAsLiveKey, type ReadSource } from '../auth/live-read';
import type { Database } from '../db/schema';
import { errors } from '../http/api-error';
import { requireAuth } from '../http/route-helpers';
import { changesPage } from '../pagination/changes-feed';
import { fingerprintOf, type CursorCodec } from '../pagination/cursor-codec';
import { itemIncludeOf } from '../pagination/item-include';
import { keysetPage } from '../pagination/keyset';
import {
  changesQuery,
  findDetail,
  listQuery,
  type ItemRow,
  type ListWindow,
  type ResourceTableName,
  type ResourceTableSpec,
} from './resource-query';

/** What the handlers need of a resource beside its table: its name, sort key and not-found text. */
export interface ResourceHandlerSpec<
  Table extends ResourceTableName,
  Filters,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
  DetailColumns extends readonly SelectExpression<Database, Table>[],
> {
  /** Names the resource in cursor fingerprints, so a cursor never crosses resources. */
  name: string;
  table: ResourceTableSpec<Table, Filters, ItemColumns, DetailColumns>;
  /** The item's sort-column value (ISO string), for the next cursor. */
  sortKeyOf: (item: ItemRow<Table, ItemColumns>) => string;
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
 * The filters of a parsed query: exactly the keys the resource maps to SQL, which the type of
 * its filter map makes exactly the contract's filter keys. The fingerprint is built from this
 * object, so a new filter is in it the moment the server applies it.
 */
export function filtersOf<Filters>(table: { filters: object }, query: Filters): Filters {
  return Object.fromEntries(
    Object.keys(table.filters).map((key) => [key, (query as Record<string, unknown>)[key]]),
  ) as Filters;
}

/** What a resource's router needs: where to read (the primary, and replicas if any) and the cursor codec. */
export interface ResourceRouterDeps extends ReadSource {
  cursors: CursorCodec;
}

/**
 * The three handlers every resource has — list (keyset pages), changes (the feed) and
 * detail — built on the shared query core, so each resource behaves the same way. Each reads
 * through `readAsLiveKey`: from a read replica when one is in use, the key checked on the primary.
 */
export function resourceHandlers<
  Table extends ResourceTableName,
  Filters,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
  DetailColumns extends readonly SelectExpression<Database, Table>[],
>(deps: ResourceRouterDeps, spec: ResourceHandlerSpec<Table, Filters, ItemColumns, DetailColumns>) {
  return {
    list: async ({
      req,
      query,
    }: Caller & { query: Filters & ListWindow & Inclusion & { limit: number; cursor?: string | undefined } }) => {
      const { tenantId, keyId } = requireAuth(req);
      if (query.since && query.until && query.since >= query.until) {
        throw errors.validation([{ parameter: 'until', message: 'must be later than since' }]);
      }
      const filters = filtersOf(spec.table, query);
      const window: ListWindow = { since: query.since, until: query.until, order: query.order };
      const include = itemIncludeOf(query.include);
      const body = await readAsLiveKey(deps, keyId, (db) =>
        keysetPage({
          codec: deps.cursors,
          tenantId,
          fingerprint: fingerprintOf({ resource: spec.name, ...filters, ...window }),
          request: query,
          sortKeyOf: spec.sortKeyOf,
          fetch: async (after, take) =>
            (await listQuery(db, spec.table, {
              tenantId,
              filters,
              window,
              after,
              take,
              include,
            }).execute()) as Array<ItemRow<Table, ItemColumns> & { id: string }>,
        }),
      );
      return { status: 200 as const, body };
    },

    changes: async ({
      req,
      query,
    }: Caller & {
      query: Filters & Inclusion & { from?: Date | undefined; limit: number; cursor?: string | undefined };
    }) => {
      const { tenantId, keyId } = requireAuth(req);
      const filters = filtersOf(spec.table, query);
      const include = itemIncludeOf(query.include);
      // On a replica the feed's horizon is the standby's own snapshot xmin: see changes-feed.ts.
      const body = await readAsLiveKey(deps, keyId, (db) =>
        changesPage({
          db,
          codec: deps.cursors,
          tenantId,
          fingerprint: fingerprintOf({ resource: `${spec.name}/changes`, ...filters }),
          request: query,
          fetch: (pageDb, after, xmin, from, take) =>
            changesQuery(pageDb, spec.table, { tenantId, filters, after, xmin, from, take, include }).execute(),
        }),
      );
      return { status: 200 as const, body };
    },

    get: async ({ req, params }: Caller & { params: { id: string } }) => {
      const { tenantId, keyId } = requireAuth(req);
      const detail = await readAsLiveKey(deps, keyId, (db) => findDetail(db, spec.table, { tenantId, id: params.id }));
      if (!detail) throw errors.notFound(spec.notFoundMessage);
      return { status: 200 as const, body: { data: detail } };
    },
  };
}
