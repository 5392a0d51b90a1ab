import type { z } from 'zod';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type CompiledQuery,
  type Kysely,
  type SelectExpression,
  type Selection,
  type SqlBool,
} from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { feedAfter, type FeedPosition, type FeedRowPosition, type FeedXmin } from '../pagination/changes-feed';
import { NO_INCLUDE, type ItemInclude } from '../pagination/item-include';
import { keysetAfter, type KeysetPosition, type SortOrder } from '../pagination/keyset';

/** A table a resource's items live in: per tenant, with an id and the changes feed's position. */
export type ResourceTableName = {
  [T in keyof Database]: Database[T] extends { tenant_id: string; id: string; txid: unknown; seq: unknown } ? T : never;
}[keyof Database];

/** The filters a contract's filter shape parses to: exactly its keys, each optional. */
export type FiltersOf<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;

/**
 * Each filter of the contract as a WHERE clause on the resource's table. Every key of the
 * contract's filter shape is required (`-?`): a filter the contract gains and the server does
 * not map is a compile error, never a parameter silently ignored.
 */
export type FilterClauses<Table extends ResourceTableName, Filters> = {
  [K in keyof Filters]-?: (
    value: NonNullable<Filters[K]>,
    eb: ExpressionBuilder<Database, Table>,
  ) => Expression<SqlBool>;
};

/** A row of a list or feed page: the item as the API shows it. */
export type ItemRow<
  Table extends ResourceTableName,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
> = Selection<Database, Table, ItemColumns[number]>;

/** The time window and direction of a list page (`since`/`until` on the sort column). */
export interface ListWindow {
  since?: Date | undefined;
  until?: Date | undefined;
  order: SortOrder;
}

/** What the query core needs to know of a resource's table; everything else is shared. */
export interface ResourceTableSpec<
  Table extends ResourceTableName,
  Filters,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
  DetailColumns extends readonly SelectExpression<Database, Table>[],
> {
  table: Table;
  /** The keyset and window column; indexed as (tenant_id, sortColumn, id). */
  sortColumn: keyof Database[Table] & string;
  /**
   * The item, exactly as the API shows it: each column under its field name, times as ISO
   * strings. The driver's rows are then the response's items, with no mapping pass over a page
   * (a new object per row was a fifth of a 1,000-row page's CPU, most of it garbage collection).
   * WHERE and ORDER BY name the table's columns, never these aliases.
   */
  itemColumns: ItemColumns;
  /** `include=rawData`: selected after the item's columns, so it is the item's last field. */
  rawDataColumn: SelectExpression<Database, Table>;
  detailColumns: DetailColumns;
  filters: FilterClauses<Table, Filters>;
}

/**
 * A resource's table spec, its filters typed by the contract (given) and its table and columns
 * inferred: `defineResourceTable<LogFilters>()({ table: 'log_events', … })`.
 */
export function defineResourceTable<Filters>() {
  return <
    Table extends ResourceTableName,
    const ItemColumns extends readonly SelectExpression<Database, Table>[],
    const DetailColumns extends readonly SelectExpression<Database, Table>[],
  >(
    spec: ResourceTableSpec<Table, Filters, ItemColumns, DetailColumns>,
  ) => spec;
}

/** A built list or feed query: run it, or compile or EXPLAIN it (benchmarks, plan tests). */
export interface ResourceQuery<Row> {
  execute(): Promise<Row[]>;
  compile(): CompiledQuery<Row>;
  explain(format?: 'json'): Promise<Array<Record<string, unknown>>>;
}

export interface ListOptions<Filters> {
  tenantId: string;
  filters: Filters;
  window: ListWindow;
  after?: KeysetPosition | undefined;
  take: number;
  include?: ItemInclude;
}

export interface ChangesOptions<Filters> {
  tenantId: string;
  filters: Filters;
  after: FeedPosition;
  /** Serve only rows of transactions older than this (see changes-feed.ts). */
  xmin: FeedXmin;
  from?: Date | undefined;
  take: number;
  include?: ItemInclude;
}

// The spec's columns and clauses are typed against their own table; the builder that runs them
// is one for every table, so it is untyped here and the result is typed by the spec's columns.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyBuilder = any;

function itemQuery(
  db: Db,
  spec: ResourceTableSpec<ResourceTableName, object, never, never>,
  tenantId: string,
  filters: object,
  include: ItemInclude,
) {
  let query: AnyBuilder = (db as unknown as Kysely<Database>)
    .selectFrom(spec.table)
    .select(spec.itemColumns as AnyBuilder)
    .where('tenant_id', '=', tenantId);
  // The contract's keys, not the object's: a parsed query carries paging parameters too.
  for (const [key, clause] of Object.entries(spec.filters) as Array<[string, AnyBuilder]>) {
    const value = (filters as Record<string, unknown>)[key];
    if (value !== undefined) query = query.where((eb: unknown) => clause(value, eb));
  }
  if (include.rawData) query = query.select(spec.rawDataColumn);
  return query;
}

/** The list query: one keyset page in (sortColumn, id) order (exported so tests can EXPLAIN it). */
export function listQuery<
  Table extends ResourceTableName,
  Filters,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
  DetailColumns extends readonly SelectExpression<Database, Table>[],
>(db: Db, spec: ResourceTableSpec<Table, Filters, ItemColumns, DetailColumns>, options: ListOptions<Filters>) {
  const { window, after } = options;
  const sort = spec.sortColumn;
  let query = itemQuery(db, spec as never, options.tenantId, options.filters as object, options.include ?? NO_INCLUDE);
  if (window.since) query = query.where(sort, '>=', window.since);
  if (window.until) query = query.where(sort, '<', window.until);
  if (after) query = query.where(keysetAfter(sort, window.order, after));
  return query
    .orderBy(`${spec.table}.${sort}`, window.order)
    .orderBy(`${spec.table}.id`, window.order)
    .limit(options.take) as ResourceQuery<ItemRow<Table, ItemColumns>>;
}

/** The changes-feed query: rows committed after `after`, in commit order (exported for EXPLAIN). */
export function changesQuery<
  Table extends ResourceTableName,
  Filters,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
  DetailColumns extends readonly SelectExpression<Database, Table>[],
>(db: Db, spec: ResourceTableSpec<Table, Filters, ItemColumns, DetailColumns>, options: ChangesOptions<Filters>) {
  let query = itemQuery(
    db,
    spec as never,
    options.tenantId,
    options.filters as object,
    options.include ?? NO_INCLUDE,
  ).select([sql<string>`txid::text`.as('txid'), sql<string>`seq::text`.as('seq')]);
  if (options.from) query = query.where(spec.sortColumn, '>=', options.from);
  return query
    .where(feedAfter(spec.table, options.after, options.xmin))
    .orderBy(`${spec.table}.txid`)
    .orderBy(`${spec.table}.seq`)
    .limit(options.take) as ResourceQuery<ItemRow<Table, ItemColumns> & FeedRowPosition>;
}

/** One item with its detail-only fields, or undefined when the tenant has none with this id. */
export function findDetail<
  Table extends ResourceTableName,
  Filters,
  ItemColumns extends readonly SelectExpression<Database, Table>[],
  DetailColumns extends readonly SelectExpression<Database, Table>[],
>(
  db: Db,
  spec: ResourceTableSpec<Table, Filters, ItemColumns, DetailColumns>,
  options: { tenantId: string; id: string },
): Promise<Selection<Database, Table, DetailColumns[number]> | undefined> {
  return (db as unknown as Kysely<Database>)
    .selectFrom(spec.table as ResourceTableName)
    .select(spec.detailColumns as AnyBuilder)
    .where('tenant_id', '=', options.tenantId)
    .where('id', '=', options.id)
    .executeTakeFirst() as AnyBuilder;
}
