import { contract, type MonitoringAlert } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import type { CursorCodec } from '../pagination/cursor-codec';
import { resourceHandlers } from '../pagination/resource-handlers';
import {
  findMonitoringAlert,
  findMonitoringAlertChanges,
  findMonitoringAlerts,
  type MonitoringAlertFilters,
  type MonitoringAlertItemRow,
} from './monitoring-alerts.repository';

export function toMonitoringAlert(row: MonitoringAlertItemRow): MonitoringAlert {
  return {
    id: row.id,
    name: row.name,
    severity: row.severity,
    status: row.status,
    isResolved: row.status === 'resolved',
    resourceType: row.resource_type,
    resources: row.resources,
    assignedUser: row.assigned_user,
    description: row.description,
    createdFrom: row.created_from,
    lastScan: row.last_scan,
    resolvedAt: row.resolved_at,
    snoozedAt: row.snoozed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const s = initServer();

export function monitoringAlertsRouter(deps: { db: Db; cursors: CursorCodec }) {
  const handlers = resourceHandlers(deps, {
    name: 'monitoring-alerts',
    filtersOf: ({ severity, status, resourceType, isResolved }: MonitoringAlertFilters): MonitoringAlertFilters => ({
      severity,
      status,
      resourceType,
      isResolved,
    }),
    sortKeyOf: (row: MonitoringAlertItemRow) => row.updated_at,
    list: findMonitoringAlerts,
    changes: findMonitoringAlertChanges,
    get: findMonitoringAlert,
    toItem: toMonitoringAlert,
    toDetail: toMonitoringAlert,
    notFoundMessage: 'No monitoring alert with this id.',
  });
  return s.router(contract.monitoringAlerts, {
    listMonitoringAlerts: handlers.list,
    listMonitoringAlertChanges: handlers.changes,
    getMonitoringAlert: handlers.get,
  });
}
