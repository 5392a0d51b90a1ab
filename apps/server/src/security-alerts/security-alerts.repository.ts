import type { SecurityAlertFiltersShape } from '@1security/contract';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import { changedColumnsUpdate, countUpserts, insertedFlag } from '../db/upsert';
import { IS_RESOLVED_COLUMN, isResolvedClause } from '../resources/alert-resolution';
import { defineResourceTable, type FiltersOf } from '../resources/resource-query';
import type { NewSecurityAlertRow } from './security-alerts.table';

/** The contract's security-alert filters: each one is mapped below, or the server fails to compile. */
export type SecurityAlertFilters = FiltersOf<typeof SecurityAlertFiltersShape>;

const LIST_COLUMNS = [
  'title',
  'description',
  'severity',
  'status',
  'classification',
  'category',
  'mitre_techniques',
  'threat_display_name',
  'first_activity_at',
  'service_source',
  'users',
  'groups',
  'emails',
  'apps',
  'created_at',
  'updated_at',
] as const;
const DATA_COLUMNS = [...LIST_COLUMNS, 'raw_data', 'recommended_actions'] as const;
/** The item, exactly as the API shows it (see `itemColumns` in resource-query.ts). */
const ITEM_COLUMNS = [
  'id',
  'title',
  'description',
  'severity',
  'status',
  'classification',
  'category',
  'mitre_techniques as mitreTechniques',
  'threat_display_name as threatDisplayName',
  isoTimestamp('first_activity_at').as('firstActivityDateTime'),
  IS_RESOLVED_COLUMN,
  'users',
  'groups',
  'emails',
  'apps',
  'service_source as serviceSource',
  isoTimestamp('created_at').as('createdAt'),
  isoTimestamp('updated_at').as('updatedAt'),
] as const;
const RAW_DATA_COLUMN = 'raw_data as rawData';

/** Security alerts as the shared query core reads them: ordered by their last change. */
export const securityAlertsTable = defineResourceTable<SecurityAlertFilters>()({
  table: 'security_alerts',
  sortColumn: 'updated_at',
  itemColumns: ITEM_COLUMNS,
  rawDataColumn: RAW_DATA_COLUMN,
  /** The item, and the alert's raw payload and recommended actions. */
  detailColumns: [...ITEM_COLUMNS, RAW_DATA_COLUMN, 'recommended_actions as recommendedActions'] as const,
  filters: {
    severity: (value, eb) => eb('severity', 'in', value),
    status: (value, eb) => eb('status', 'in', value),
    classification: (value, eb) => eb('classification', 'in', value),
    serviceSource: (value, eb) => eb('service_source', 'in', value),
    isResolved: isResolvedClause,
  },
});

/** Inserts new alerts and updates changed ones (same tenant and source_id); see monitoring alerts. */
export async function upsertSecurityAlerts(db: Db, rows: NewSecurityAlertRow[]) {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const { set, changed } = changedColumnsUpdate('security_alerts', DATA_COLUMNS, ['raw_data']);
  const result = await db
    .insertInto('security_alerts')
    .values(rows)
    .onConflict((oc) => oc.columns(['tenant_id', 'source_id']).doUpdateSet(set).where(changed))
    .returning(insertedFlag)
    .execute();
  return countUpserts(result, rows.length);
}
