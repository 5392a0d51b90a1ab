import type { LogFiltersShape } from '@1security/contract';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import { defineResourceTable, type FiltersOf } from '../resources/resource-query';
import type { NewLogEventRow } from './logs.table';

/** The contract's log filters: each one is mapped below, or the server fails to compile. */
export type LogFilters = FiltersOf<typeof LogFiltersShape>;

/** The item, exactly as the API shows it (see `itemColumns` in resource-query.ts). */
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
const RAW_DATA_COLUMN = 'raw_data as rawData';

/** Audit events as the shared query core reads them: newest discovered first by default. */
export const logEventsTable = defineResourceTable<LogFilters>()({
  table: 'log_events',
  sortColumn: 'discovered_at',
  itemColumns: ITEM_COLUMNS,
  rawDataColumn: RAW_DATA_COLUMN,
  /** One event and the provider record it was normalised from. */
  detailColumns: [...ITEM_COLUMNS, RAW_DATA_COLUMN] as const,
  filters: {
    severity: (value, eb) => eb('severity', 'in', value),
    action: (value, eb) => eb('action', 'in', value),
    workload: (value, eb) => eb('workload', 'in', value),
    actorType: (value, eb) => eb('actor_type', 'in', value),
    resourceType: (value, eb) => eb('resource_type', 'in', value),
    actor: (value, eb) => eb(sql<string>`lower(actor_name)`, '=', value.toLowerCase()),
  },
});

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
