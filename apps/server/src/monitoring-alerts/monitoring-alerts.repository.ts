import type { MonitoringAlert, Severity } from '@1security/contract';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import type { Database } from '../db/schema';
import { changedColumnsUpdate, countUpserts, insertedFlag } from '../db/upsert';
import { feedAfter, type FeedPosition } from '../pagination/changes-feed';
import { keysetAfter, type KeysetPosition, type SortOrder } from '../pagination/keyset';
import type { MonitoringAlertRow, NewMonitoringAlertRow } from './monitoring-alerts.table';

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
  'created_at',
  'updated_at',
] as const;
/** What an item shows: the data columns, timestamps as ISO strings. */
const ITEM_COLUMNS = [
  'id',
  'name',
  'severity',
  'status',
  'resource_type',
  'resources',
  'assigned_user',
  'description',
  'created_from',
  isoTimestamp('last_scan').as('last_scan'),
  isoTimestamp('resolved_at').as('resolved_at'),
  isoTimestamp('snoozed_at').as('snoozed_at'),
  isoTimestamp('created_at').as('created_at'),
  isoTimestamp('updated_at').as('updated_at'),
] as const;
type TimeColumn = 'last_scan' | 'resolved_at' | 'snoozed_at' | 'created_at' | 'updated_at';
export type MonitoringAlertItemRow = Pick<
  MonitoringAlertRow,
  Exclude<(typeof DATA_COLUMNS)[number], TimeColumn> | 'id'
> & {
  last_scan: string | null;
  resolved_at: string | null;
  snoozed_at: string | null;
  created_at: string;
  updated_at: string;
};

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
) {
  let query = withFilters(
    db.selectFrom('monitoring_alerts').select(ITEM_COLUMNS).where('tenant_id', '=', tenantId),
    filters,
  );
  if (window.since) query = query.where('updated_at', '>=', window.since);
  if (window.until) query = query.where('updated_at', '<', window.until);
  if (after) query = query.where(keysetAfter('updated_at', window.order, after));
  // Qualified: a bare `updated_at` in ORDER BY would mean the selected ISO rendering, not the indexed column.
  return query
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
): Promise<MonitoringAlertItemRow[]> {
  return monitoringAlertsQuery(db, tenantId, filters, window, after, take).execute();
}

/** The changes-feed query (exported so tests can EXPLAIN it). */
export function monitoringAlertChangesQuery(
  db: Db,
  tenantId: string,
  filters: MonitoringAlertFilters,
  after: FeedPosition,
  xmin: string,
  from: Date | undefined,
  take: number,
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
  xmin: string,
  from: Date | undefined,
  take: number,
): Promise<Array<MonitoringAlertItemRow & { txid: string; seq: string }>> {
  return monitoringAlertChangesQuery(db, tenantId, filters, after, xmin, from, take).execute();
}

export async function findMonitoringAlert(
  db: Db,
  tenantId: string,
  id: string,
): Promise<MonitoringAlertItemRow | undefined> {
  return db
    .selectFrom('monitoring_alerts')
    .select(ITEM_COLUMNS)
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
  const { set, changed } = changedColumnsUpdate('monitoring_alerts', DATA_COLUMNS);
  const result = await db
    .insertInto('monitoring_alerts')
    .values(rows)
    .onConflict((oc) => oc.columns(['tenant_id', 'source_id']).doUpdateSet(set).where(changed))
    .returning(insertedFlag)
    .execute();
  return countUpserts(result, rows.length);
}
