import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { resourceHandlers, type ResourceRouterDeps } from '../resources/resource-handlers';
import { monitoringAlertsTable } from './monitoring-alerts.repository';

const s = initServer();

export function monitoringAlertsRouter(deps: ResourceRouterDeps) {
  const handlers = resourceHandlers(deps, {
    name: 'monitoring-alerts',
    table: monitoringAlertsTable,
    sortKeyOf: (item) => item.updatedAt,
    notFoundMessage: 'No monitoring alert with this id.',
  });
  return s.router(contract.monitoringAlerts, {
    listMonitoringAlerts: handlers.list,
    listMonitoringAlertChanges: handlers.changes,
    getMonitoringAlert: handlers.get,
  });
}
