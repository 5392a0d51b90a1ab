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
} from './monitoring-alerts.repository';

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
    sortKeyOf: (item: MonitoringAlert) => item.updatedAt,
    list: findMonitoringAlerts,
    changes: findMonitoringAlertChanges,
    get: findMonitoringAlert,
    notFoundMessage: 'No monitoring alert with this id.',
  });
  return s.router(contract.monitoringAlerts, {
    listMonitoringAlerts: handlers.list,
    listMonitoringAlertChanges: handlers.changes,
    getMonitoringAlert: handlers.get,
  });
}
