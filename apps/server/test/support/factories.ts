import { ulid } from 'ulid';
import type { Db } from '../../src/db/database';
import { insertLogEvents } from '../../src/logs/logs.repository';
import type { NewLogEventRow } from '../../src/logs/logs.table';
import { upsertMonitoringAlerts } from '../../src/monitoring-alerts/monitoring-alerts.repository';
import type { NewMonitoringAlertRow } from '../../src/monitoring-alerts/monitoring-alerts.table';
import { upsertSecurityAlerts } from '../../src/security-alerts/security-alerts.repository';
import type { NewSecurityAlertRow } from '../../src/security-alerts/security-alerts.table';
import type { ResourceName } from '../../src/resources/registry';

/** A millisecond-precision Date `offsetMs` after a fixed base time. */
export function at(offsetMs: number): Date {
  return new Date(Date.UTC(2026, 5, 5, 9, 0, 0) + offsetMs);
}

export function makeLogEvent(tenantId: string, partial: Partial<NewLogEventRow> = {}): NewLogEventRow {
  const discovered = partial.discovered_at ?? at(0);
  return {
    tenant_id: tenantId,
    id: ulid(),
    source_id: null,
    occurred_at: new Date(discovered.getTime() - 17_000),
    discovered_at: discovered,
    action: 'FileDownloaded',
    severity: 'medium',
    actor_name: 'jane@contoso.com',
    actor_type: 'user',
    actor_ip: '20.42.73.5',
    resource_name: 'Q3-forecast.xlsx',
    resource_type: 'file',
    workload: 'SharePoint',
    application_display_name: 'Microsoft SharePoint',
    ...partial,
  };
}

export function makeMonitoringAlert(
  tenantId: string,
  partial: Partial<NewMonitoringAlertRow> = {},
): NewMonitoringAlertRow {
  const updated = partial.updated_at ?? at(0);
  return {
    tenant_id: tenantId,
    id: ulid(),
    source_id: null,
    name: 'External sharing of sensitive file',
    severity: 'high',
    status: 'open',
    resource_type: 'site',
    resources: JSON.stringify([{ id: 'site-42', name: 'Finance', type: 'site' }]),
    assigned_user: JSON.stringify({ id: 'u-7', displayName: 'Sam Analyst', email: 'sam@contoso.com' }),
    description: 'A labelled file was shared externally.',
    created_from: JSON.stringify({ policyId: 'pol-3', policyName: 'External sharing' }),
    last_scan: updated,
    resolved_at: null,
    snoozed_at: null,
    created_at: new Date(updated.getTime() - 60_000),
    updated_at: updated,
    ...partial,
  };
}

export function makeSecurityAlert(tenantId: string, partial: Partial<NewSecurityAlertRow> = {}): NewSecurityAlertRow {
  const updated = partial.updated_at ?? at(0);
  return {
    tenant_id: tenantId,
    id: ulid(),
    source_id: null,
    title: 'Suspicious inbox forwarding rule',
    description: 'A user created an inbox rule forwarding mail externally.',
    severity: 'high',
    status: 'new',
    classification: null,
    category: 'Exfiltration',
    threat_display_name: null,
    first_activity_at: new Date(updated.getTime() - 300_000),
    service_source: 'microsoftDefenderForOffice365',
    users: JSON.stringify([{ userPrincipalName: 'jane@contoso.com', displayName: 'Jane Doe' }]),
    groups: JSON.stringify([]),
    emails: JSON.stringify([]),
    apps: JSON.stringify([]),
    raw_data: JSON.stringify({ id: `da${ulid()}`, title: 'Suspicious inbox forwarding rule' }),
    recommended_actions: 'Review the rule and remove it if unexpected.',
    created_at: new Date(updated.getTime() - 60_000),
    updated_at: updated,
    ...partial,
  };
}

export async function insertLogs(db: Db, rows: NewLogEventRow[]) {
  await insertLogEvents(db, rows);
  return rows;
}

export async function insertMonitoringAlerts(db: Db, rows: NewMonitoringAlertRow[]) {
  await upsertMonitoringAlerts(db, rows);
  return rows;
}

export async function insertSecurityAlerts(db: Db, rows: NewSecurityAlertRow[]) {
  await upsertSecurityAlerts(db, rows);
  return rows;
}

/**
 * One factory per resource of the registry (a missing one fails to compile): `sortAt` sets the
 * row's sort column, so tests that iterate every resource can lay rows out in time.
 */
export const FACTORIES: { [N in ResourceName]: (tenantId: string, sortAt: Date) => object } = {
  logs: (tenantId, sortAt) => makeLogEvent(tenantId, { discovered_at: sortAt }),
  'monitoring-alerts': (tenantId, sortAt) => makeMonitoringAlert(tenantId, { updated_at: sortAt }),
  'security-alerts': (tenantId, sortAt) => makeSecurityAlert(tenantId, { updated_at: sortAt }),
};

/**
 * A native log record as `pnpm admin ingest` reads it (the API's item shape), number `i`: source
 * id `${prefix}-${i}`, a second apart from the others.
 */
export function nativeLogRecord(i: number, prefix = 'evt') {
  return {
    sourceId: `${prefix}-${i}`,
    occurredAt: `2026-06-05T09:12:${String(10 + i).padStart(2, '0')}Z`,
    action: 'FileDownloaded',
    severity: 'high',
    actorName: 'jane@contoso.com',
    actorType: 'user',
    actorIp: '20.42.73.5',
    resourceName: `file-${i}.xlsx`,
    resourceType: 'file',
    workload: 'SharePoint',
    applicationDisplayName: 'Microsoft SharePoint',
  };
}
