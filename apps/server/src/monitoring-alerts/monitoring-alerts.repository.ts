import type { MonitoringAlert, MonitoringAlertDetail, Severity } from '@1security/contract';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import type { Database } from '../db/schema';
import { changedColumnsUpdate, countUpserts, insertedFlag } from '../db/upsert';
import { feedAfter, type FeedPosition, type FeedRowPosition, type FeedXmin } from '../pagination/changes-feed';
import { NO_INCLUDE, type ItemInclude } from '../pagination/item-include';
import { keysetAfter, type KeysetPosition, type SortOrder } from '../pagination/keyset';
import type { NewMonitoringAlertRow } from './monitoring-alerts.table';

export interface MonitoringAlertFilters {
  severity?: Severity[] | undefined;
  status?: MonitoringAlert['status'][] | undefined;
  resourceType?: string[] | undefined;
  isResolved?: boolean | undefined;
}

export interface AlertWindow {
  since?: Date | undefined;
  until?: Date | undefined;
  order: SortOrder;
}

const DATA_COLUMNS = [
  'name',
  'severity',
  'status',
  'resource_type',
  'resources',
  'assigned_user',
  'description',
  'created_from',
  'last_scan',
  'resolved_at',
  'snoozed_at',
  'raw_data',
  'created_at',
  'updated_at',
] as const;
/** The item, exactly as the API shows it (see the logs repository's ITEM_COLUMNS). */
const ITEM_COLUMNS = [
  'id',
  'name',
  'severity',
  'status',
  sql<boolean>`status = 'resolved'`.as('isResolved'),
  'resource_type as resourceType',
  'resources',
  'assigned_user as assignedUser',
  'description',
  'created_from as createdFrom',
  isoTimestamp('last_scan').as('lastScan'),
  isoTimestamp('resolved_at').as('resolvedAt'),
  isoTimestamp('snoozed_at').as('snoozedAt'),
  isoTimestamp('created_at').as('createdAt'),
  isoTimestamp('updated_at').as('updatedAt'),
] as const;
/** Selected after the item's columns, so it is the item's last field (as in the contract). */
const RAW_DATA_COLUMN = 'raw_data as rawData';
/** The detail: the item and the record it was ingested from. */
const DETAIL_COLUMNS = [...ITEM_COLUMNS, RAW_DATA_COLUMN] as const;

function withFilters<O>(
  query: SelectQueryBuilder<Database, 'monitoring_alerts', O>,
  filters: MonitoringAlertFilters,
): SelectQueryBuilder<Database, 'monitoring_alerts', O> {
  let q = query;
  if (filters.severity) q = q.where('severity', 'in', filters.severity);
  if (filters.status) q = q.where('status', 'in', filters.status);
  if (filters.resourceType) q = q.where('resource_type', 'in', filters.resourceType);
  if (filters.isResolved !== undefined) q = q.where('status', filters.isResolved ? '=' : '<>', 'resolved');
  return q;
}

/** The list query (exported so tests can EXPLAIN exactly what runs). */
export function monitoringAlertsQuery(
  db: Db,
  tenantId: string,
  filters: MonitoringAlertFilters,
  window: AlertWindow,
  after: KeysetPosition | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
) {
  let query = withFilters(
    db.selectFrom('monitoring_alerts').select(ITEM_COLUMNS).where('tenant_id', '=', tenantId),
    filters,
  );
  if (window.since) query = query.where('updated_at', '>=', window.since);
  if (window.until) query = query.where('updated_at', '<', window.until);
  if (after) query = query.where(keysetAfter('updated_at', window.order, after));
  return query
    .$if(include.rawData, (q) => q.select(RAW_DATA_COLUMN))
    .orderBy('monitoring_alerts.updated_at', window.order)
    .orderBy('monitoring_alerts.id', window.order)
    .limit(take);
}

/** One page of a tenant's rows in `updated_at, id` order, after the keyset position. */
export async function findMonitoringAlerts(
  db: Db,
  tenantId: string,
  filters: MonitoringAlertFilters,
  window: AlertWindow,
  after: KeysetPosition | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
): Promise<MonitoringAlert[]> {
  return monitoringAlertsQuery(db, tenantId, filters, window, after, take, include).execute();
}

/** The changes-feed query (exported so tests can EXPLAIN it). */
export function monitoringAlertChangesQuery(
  db: Db,
  tenantId: string,
  filters: MonitoringAlertFilters,
  after: FeedPosition,
  xmin: FeedXmin,
  from: Date | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
) {
  let query = withFilters(
    db
      .selectFrom('monitoring_alerts')
      .select(ITEM_COLUMNS)
      .select([sql<string>`txid::text`.as('txid'), sql<string>`seq::text`.as('seq')])
      .where('tenant_id', '=', tenantId),
    filters,
  );
  if (from) query = query.where('updated_at', '>=', from);
  return query
    .$if(include.rawData, (q) => q.select(RAW_DATA_COLUMN))
    .where(feedAfter('monitoring_alerts', after, xmin))
    .orderBy('monitoring_alerts.txid')
    .orderBy('monitoring_alerts.seq')
    .limit(take);
}

/** The changes feed: rows committed after `after`, in commit order. */
export async function findMonitoringAlertChanges(
  db: Db,
  tenantId: string,
  filters: MonitoringAlertFilters,
  after: FeedPosition,
  xmin: FeedXmin,
  from: Date | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
): Promise<Array<MonitoringAlert & FeedRowPosition>> {
  return monitoringAlertChangesQuery(db, tenantId, filters, after, xmin, from, take, include).execute();
}

export async function findMonitoringAlert(
  db: Db,
  tenantId: string,
  id: string,
): Promise<MonitoringAlertDetail | undefined> {
  return db
    .selectFrom('monitoring_alerts')
    .select(DETAIL_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Inserts new alerts and updates known ones (same tenant and source_id). An update that
 * changes nothing is skipped; one that changes anything moves the alert in the changes feed.
 */
export async function upsertMonitoringAlerts(db: Db, rows: NewMonitoringAlertRow[]) {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const { set, changed } = changedColumnsUpdate('monitoring_alerts', DATA_COLUMNS, ['raw_data']);
  const result = await db
    .insertInto('monitoring_alerts')
    .values(rows)
    .onConflict((oc) => oc.columns(['tenant_id', 'source_id']).doUpdateSet(set).where(changed))
    .returning(insertedFlag)
    .execute();
  return countUpserts(result, rows.length);
}
