import type { MonitoringAlertFiltersShape } from '@1security/contract';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import { changedColumnsUpdate, countUpserts, insertedFlag } from '../db/upsert';
import { IS_RESOLVED_COLUMN, isResolvedClause } from '../resources/alert-resolution';
import { defineResourceTable, type FiltersOf } from '../resources/resource-query';
import type { NewMonitoringAlertRow } from './monitoring-alerts.table';

/** The contract's monitoring-alert filters: each one is mapped below, or the server fails to compile. */
export type MonitoringAlertFilters = FiltersOf<typeof MonitoringAlertFiltersShape>;

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
/** The item, exactly as the API shows it (see `itemColumns` in resource-query.ts). */
const ITEM_COLUMNS = [
  'id',
  'name',
  'severity',
  'status',
  IS_RESOLVED_COLUMN,
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
const RAW_DATA_COLUMN = 'raw_data as rawData';

/** Monitoring alerts as the shared query core reads them: ordered by their last change. */
export const monitoringAlertsTable = defineResourceTable<MonitoringAlertFilters>()({
  table: 'monitoring_alerts',
  sortColumn: 'updated_at',
  itemColumns: ITEM_COLUMNS,
  rawDataColumn: RAW_DATA_COLUMN,
  /** The item and the record it was ingested from. */
  detailColumns: [...ITEM_COLUMNS, RAW_DATA_COLUMN] as const,
  filters: {
    severity: (value, eb) => eb('severity', 'in', value),
    status: (value, eb) => eb('status', 'in', value),
    resourceType: (value, eb) => eb('resource_type', 'in', value),
    isResolved: isResolvedClause,
  },
});

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
