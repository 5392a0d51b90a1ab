import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import type { CursorCodec } from '../pagination/cursor-codec';
import { resourceHandlers } from '../resources/resource-handlers';
import { monitoringAlertsTable } from './monitoring-alerts.repository';

const s = initServer();

export function monitoringAlertsRouter(deps: { db: Db; cursors: CursorCodec }) {
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
