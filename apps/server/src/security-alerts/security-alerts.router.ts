import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { resourceHandlers, type ResourceRouterDeps } from '../resources/resource-handlers';
import { securityAlertsTable } from './security-alerts.repository';

const s = initServer();

export function securityAlertsRouter(deps: ResourceRouterDeps) {
  const handlers = resourceHandlers(deps, {
    name: 'security-alerts',
    table: securityAlertsTable,
    sortKeyOf: (item) => item.updatedAt,
    notFoundMessage: 'No security alert with this id.',
  });
  return s.router(contract.securityAlerts, {
    listSecurityAlerts: handlers.list,
    listSecurityAlertChanges: handlers.changes,
    getSecurityAlert: handlers.get,
  });
}
