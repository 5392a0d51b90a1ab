import { contract, type SecurityAlert } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import type { CursorCodec } from '../pagination/cursor-codec';
import { resourceHandlers } from '../pagination/resource-handlers';
import {
  findSecurityAlert,
  findSecurityAlertChanges,
  findSecurityAlerts,
  type SecurityAlertFilters,
} from './security-alerts.repository';

const s = initServer();

export function securityAlertsRouter(deps: { db: Db; cursors: CursorCodec }) {
  const handlers = resourceHandlers(deps, {
    name: 'security-alerts',
    filtersOf: ({
      severity,
      status,
      classification,
      serviceSource,
      isResolved,
    }: SecurityAlertFilters): SecurityAlertFilters => ({
      severity,
      status,
      classification,
      serviceSource,
      isResolved,
    }),
    sortKeyOf: (item: SecurityAlert) => item.updatedAt,
    list: findSecurityAlerts,
    changes: findSecurityAlertChanges,
    get: findSecurityAlert,
    notFoundMessage: 'No security alert with this id.',
  });
  return s.router(contract.securityAlerts, {
    listSecurityAlerts: handlers.list,
    listSecurityAlertChanges: handlers.changes,
    getSecurityAlert: handlers.get,
  });
}
