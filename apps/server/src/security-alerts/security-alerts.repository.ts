import type { SecurityAlert, SecurityAlertDetail, Severity } from '@1security/contract';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database';
import { isoTimestamp } from '../db/iso-timestamps';
import type { Database } from '../db/schema';
import { changedColumnsUpdate, countUpserts, insertedFlag } from '../db/upsert';
import type { AlertWindow } from '../monitoring-alerts/monitoring-alerts.repository';
import { feedAfter, type FeedPosition, type FeedRowPosition, type FeedXmin } from '../pagination/changes-feed';
import { NO_INCLUDE, type ItemInclude } from '../pagination/item-include';
import { keysetAfter, type KeysetPosition } from '../pagination/keyset';
import type { NewSecurityAlertRow } from './security-alerts.table';

export interface SecurityAlertFilters {
  severity?: Severity[] | undefined;
  status?: SecurityAlert['status'][] | undefined;
  classification?: NonNullable<SecurityAlert['classification']>[] | undefined;
  serviceSource?: string[] | undefined;
  isResolved?: boolean | undefined;
}

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
/** The item, exactly as the API shows it (see the logs repository's ITEM_COLUMNS). */
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
  sql<boolean>`status = 'resolved'`.as('isResolved'),
  'users',
  'groups',
  'emails',
  'apps',
  'service_source as serviceSource',
  isoTimestamp('created_at').as('createdAt'),
  isoTimestamp('updated_at').as('updatedAt'),
] as const;
/** Selected after the item's columns, so it is the item's last field (as in the contract). */
const RAW_DATA_COLUMN = 'raw_data as rawData';
/** The detail: the item, and the alert's raw payload and recommended actions. */
const DETAIL_COLUMNS = [...ITEM_COLUMNS, RAW_DATA_COLUMN, 'recommended_actions as recommendedActions'] as const;

function withFilters<O>(
  query: SelectQueryBuilder<Database, 'security_alerts', O>,
  filters: SecurityAlertFilters,
): SelectQueryBuilder<Database, 'security_alerts', O> {
  let q = query;
  if (filters.severity) q = q.where('severity', 'in', filters.severity);
  if (filters.status) q = q.where('status', 'in', filters.status);
  if (filters.classification) q = q.where('classification', 'in', filters.classification);
  if (filters.serviceSource) q = q.where('service_source', 'in', filters.serviceSource);
  if (filters.isResolved !== undefined) q = q.where('status', filters.isResolved ? '=' : '<>', 'resolved');
  return q;
}

/** The list query (exported so tests can EXPLAIN exactly what runs). */
export function securityAlertsQuery(
  db: Db,
  tenantId: string,
  filters: SecurityAlertFilters,
  window: AlertWindow,
  after: KeysetPosition | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
) {
  let query = withFilters(
    db.selectFrom('security_alerts').select(ITEM_COLUMNS).where('tenant_id', '=', tenantId),
    filters,
  );
  if (window.since) query = query.where('updated_at', '>=', window.since);
  if (window.until) query = query.where('updated_at', '<', window.until);
  if (after) query = query.where(keysetAfter('updated_at', window.order, after));
  return query
    .$if(include.rawData, (q) => q.select(RAW_DATA_COLUMN))
    .orderBy('security_alerts.updated_at', window.order)
    .orderBy('security_alerts.id', window.order)
    .limit(take);
}

/** One page of a tenant's rows in `updated_at, id` order, after the keyset position. */
export async function findSecurityAlerts(
  db: Db,
  tenantId: string,
  filters: SecurityAlertFilters,
  window: AlertWindow,
  after: KeysetPosition | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
): Promise<SecurityAlert[]> {
  return securityAlertsQuery(db, tenantId, filters, window, after, take, include).execute();
}

/** The changes-feed query (exported so tests can EXPLAIN it). */
export function securityAlertChangesQuery(
  db: Db,
  tenantId: string,
  filters: SecurityAlertFilters,
  after: FeedPosition,
  xmin: FeedXmin,
  from: Date | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
) {
  let query = withFilters(
    db
      .selectFrom('security_alerts')
      .select(ITEM_COLUMNS)
      .select([sql<string>`txid::text`.as('txid'), sql<string>`seq::text`.as('seq')])
      .where('tenant_id', '=', tenantId),
    filters,
  );
  if (from) query = query.where('updated_at', '>=', from);
  return query
    .$if(include.rawData, (q) => q.select(RAW_DATA_COLUMN))
    .where(feedAfter('security_alerts', after, xmin))
    .orderBy('security_alerts.txid')
    .orderBy('security_alerts.seq')
    .limit(take);
}

/** The changes feed: rows committed after `after`, in commit order. */
export async function findSecurityAlertChanges(
  db: Db,
  tenantId: string,
  filters: SecurityAlertFilters,
  after: FeedPosition,
  xmin: FeedXmin,
  from: Date | undefined,
  take: number,
  include: ItemInclude = NO_INCLUDE,
): Promise<Array<SecurityAlert & FeedRowPosition>> {
  return securityAlertChangesQuery(db, tenantId, filters, after, xmin, from, take, include).execute();
}

export async function findSecurityAlert(
  db: Db,
  tenantId: string,
  id: string,
): Promise<SecurityAlertDetail | undefined> {
  return db
    .selectFrom('security_alerts')
    .select(DETAIL_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

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
