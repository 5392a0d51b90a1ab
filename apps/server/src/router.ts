import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from './db/database';
import { logsRouter } from './logs/logs.router';
import { monitoringAlertsRouter } from './monitoring-alerts/monitoring-alerts.router';
import type { CursorCodec } from './pagination/cursor-codec';
import { pingRouter } from './ping/ping.router';
import { securityAlertsRouter } from './security-alerts/security-alerts.router';

const s = initServer();

/** Every contract route's handler, composed in the contract's shape. */
export function createRouter(deps: { db: Db; cursors: CursorCodec }) {
  return s.router(contract, {
    ping: pingRouter(deps),
    logs: logsRouter(deps),
    monitoringAlerts: monitoringAlertsRouter(deps),
    securityAlerts: securityAlertsRouter(deps),
  });
}
