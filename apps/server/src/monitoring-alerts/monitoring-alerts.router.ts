import { contract, type MonitoringAlert } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import { requireAuth } from '../http/route-helpers';
import { changesPage } from '../pagination/changes-feed';
import { fingerprintOf, type CursorCodec } from '../pagination/cursor-codec';
import { keysetPage } from '../pagination/keyset';
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
    lastScan: row.last_scan?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    snoozedAt: row.snoozed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function filtersOf(query: MonitoringAlertFilters): MonitoringAlertFilters {
  const { severity, status, resourceType, isResolved } = query;
  return { severity, status, resourceType, isResolved };
}

const s = initServer();

export function monitoringAlertsRouter(deps: { db: Db; cursors: CursorCodec }) {
  return s.router(contract.monitoringAlerts, {
    listMonitoringAlerts: async ({ req, query }) => {
      const { tenantId } = requireAuth(req);
      if (query.since && query.until && query.since >= query.until) {
        throw errors.validation([{ parameter: 'until', message: 'must be later than since' }]);
      }
      const filters = filtersOf(query);
      const window = { since: query.since, until: query.until, order: query.order };
      const page = await keysetPage({
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: 'monitoring-alerts', ...filters, ...window }),
        request: query,
        sortKeyOf: (row: MonitoringAlertItemRow) => row.updated_at,
        fetch: (after, take) => findMonitoringAlerts(deps.db, tenantId, filters, window, after, take),
        toItem: toMonitoringAlert,
      });
      return { status: 200, body: page };
    },
    listMonitoringAlertChanges: async ({ req, query }) => {
      const { tenantId } = requireAuth(req);
      const filters = filtersOf(query);
      const page = await changesPage({
        db: deps.db,
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: 'monitoring-alerts/changes', ...filters }),
        request: query,
        fetch: (after, xmin, from, take) => findMonitoringAlertChanges(deps.db, tenantId, filters, after, xmin, from, take),
        toItem: (row) => toMonitoringAlert(row),
      });
      return { status: 200, body: page };
    },
    getMonitoringAlert: async ({ req, params }) => {
      const { tenantId } = requireAuth(req);
      const row = await findMonitoringAlert(deps.db, tenantId, params.id);
      if (!row) throw errors.notFound('No monitoring alert with this id.');
      return { status: 200, body: { data: toMonitoringAlert(row) } };
    },
  });
}
