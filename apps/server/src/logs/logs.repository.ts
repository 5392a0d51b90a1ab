import type { ActorType, LogEvent, LogEventDetail, Severity } from '@1security/contract';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import type { Database } from '../db/schema';
import { feedAfter, type FeedPosition, type FeedRowPosition, type FeedXmin } from '../pagination/changes-feed';
import { NO_INCLUDE, type ItemInclude } from '../pagination/item-include';
import { keysetAfter, type KeysetPosition, type SortOrder } from '../pagination/keyset';
import type { NewLogEventRow } from './logs.table';

export interface LogFilters {
  severity?: Severity[] | undefined;
  action?: string[] | undefined;
  workload?: string[] | undefined;
  actorType?: ActorType[] | undefined;
  resourceType?: string[] | undefined;
  actor?: string | undefined;
}

export interface LogWindow {
  since?: Date | undefined;
  until?: Date | undefined;
  order: SortOrder;
}

/**
 * The item, exactly as the API shows it: each column under its field name, times as ISO
 * strings. The driver's rows are then the response's items, with no mapping pass over a page
 * (a new object per row was a fifth of a 1,000-row page's CPU, most of it garbage collection).
 * WHERE and ORDER BY name the table's columns, never these aliases.
 */
const ITEM_COLUMNS = [
  'id',
  isoTimestamp('occurred_at').as('occurredAt'),
  isoTimestamp('discovered_at').as('discoveredAt'),
  'action',
  'severity',
  'actor_name as actorName',
  'actor_type as actorType',
  'actor_ip as actorIp',
  'resource_name as resourceName',
  'resource_type as resourceType',
  'workload',
  'application_display_name as applicationDisplayName',
] as const;
/** Selected after the item's columns, so it is the item's last field (as in the contract). */
const RAW_DATA_COLUMN = 'raw_data as rawData';
const DETAIL_COLUMNS = [...ITEM_COLUMNS, RAW_DATA_COLUMN] as const;

function withFilters<O>(
  query: SelectQueryBuilder<Database, 'log_events', O>,
  filters: LogFilters,
): SelectQueryBuilder<Database, 'log_events', O> {
  let q = query;
  if (filters.severity) q = q.where('severity', 'in', filters.severity);
  if (filters.action) q = q.where('action', 'in', filters.action);
  if (filters.workload) q = q.where('workload', 'in', filters.workload);
  if (filters.actorType) q = q.where('actor_type', 'in', filters.actorType);
  if (filters.resourceType) q = q.where('resource_type', 'in', filters.resourceType);
  if (filters.actor !== undefined) q = q.where(sql`lower(actor_name)`, '=', filters.actor.toLowerCase());
  return q;
}

/** The list query (exported so tests can EXPLAIN exactly what runs). */
export function logEventsQuery(
  db: Db,
  tenantId: string,
  filters: LogFilters,
  window: LogWindow,
  after: KeysetPosition | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
) {
  let query = withFilters(db.selectFrom('log_events').select(ITEM_COLUMNS).where('tenant_id', '=', tenantId), filters);
  if (window.since) query = query.where('discovered_at', '>=', window.since);
  if (window.until) query = query.where('discovered_at', '<', window.until);
  if (after) query = query.where(keysetAfter('discovered_at', window.order, after));
  return query
    .$if(include.rawData, (q) => q.select(RAW_DATA_COLUMN))
    .orderBy('log_events.discovered_at', window.order)
    .orderBy('log_events.id', window.order)
    .limit(take);
}

/** One page of a tenant's rows in `discovered_at, id` order, after the keyset position. */
export async function findLogEvents(
  db: Db,
  tenantId: string,
  filters: LogFilters,
  window: LogWindow,
  after: KeysetPosition | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
): Promise<LogEvent[]> {
  return logEventsQuery(db, tenantId, filters, window, after, take, include).execute();
}

/** The changes-feed query (exported so tests can EXPLAIN it). */
export function logEventChangesQuery(
  db: Db,
  tenantId: string,
  filters: LogFilters,
  after: FeedPosition,
  xmin: FeedXmin,
  from: Date | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
) {
  let query = withFilters(
    db
      .selectFrom('log_events')
      .select(ITEM_COLUMNS)
      .select([sql<string>`txid::text`.as('txid'), sql<string>`seq::text`.as('seq')])
      .where('tenant_id', '=', tenantId),
    filters,
  );
  if (from) query = query.where('discovered_at', '>=', from);
  return query
    .$if(include.rawData, (q) => q.select(RAW_DATA_COLUMN))
    .where(feedAfter('log_events', after, xmin))
    .orderBy('log_events.txid')
    .orderBy('log_events.seq')
    .limit(take);
}

/** The changes feed: rows committed after `after`, in commit order. */
export async function findLogEventChanges(
  db: Db,
  tenantId: string,
  filters: LogFilters,
  after: FeedPosition,
  xmin: FeedXmin,
  from: Date | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
): Promise<Array<LogEvent & FeedRowPosition>> {
  return logEventChangesQuery(db, tenantId, filters, after, xmin, from, take, include).execute();
}

/** One event and the provider record it was normalised from. */
export async function findLogEvent(db: Db, tenantId: string, id: string): Promise<LogEventDetail | undefined> {
  return db
    .selectFrom('log_events')
    .select(DETAIL_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Inserts events; an event whose (tenant, source_id) is already stored is skipped, so
 * re-ingesting a file inserts nothing. Returns how many rows were new.
 */
export async function insertLogEvents(db: Db, rows: NewLogEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db
    .insertInto('log_events')
    .values(rows)
    // Any unique key already stored (the id, or the tenant's source id) means "seen": skip it.
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * `insertLogEvents` for large loads (seeding a million events): the same rows and the same
 * skip-if-stored rule, but each column travels as one array parameter and `unnest` turns the
 * arrays back into rows, so a batch of thousands of rows is one small statement to parse and
 * plan instead of one with tens of thousands of parameters. Returns how many rows were new.
 */
export async function insertLogEventsBulk(db: Db, rows: NewLogEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof NewLogEventRow>(key: K) => rows.map((row) => row[key] ?? null);
  const time = (key: 'occurred_at' | 'discovered_at') =>
    rows.map((row) => {
      const value = row[key] as Date | string;
      return value instanceof Date ? value.toISOString() : value;
    });
  const result = await sql`
    insert into log_events (tenant_id, id, source_id, occurred_at, discovered_at, action, severity, actor_name,
                            actor_type, actor_ip, resource_name, resource_type, workload, application_display_name,
                            raw_data)
    select * from unnest(
      ${column('tenant_id')}::text[], ${column('id')}::text[], ${column('source_id')}::text[],
      ${time('occurred_at')}::timestamptz[], ${time('discovered_at')}::timestamptz[], ${column('action')}::text[],
      ${column('severity')}::text[], ${column('actor_name')}::text[], ${column('actor_type')}::text[],
      ${column('actor_ip')}::text[], ${column('resource_name')}::text[], ${column('resource_type')}::text[],
      ${column('workload')}::text[], ${column('application_display_name')}::text[], ${column('raw_data')}::json[]
    )
    on conflict do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
