import { contract, type SecurityAlert, type SecurityAlertDetail } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import { errors } from '../http/api-error';
import { requireAuth } from '../http/route-helpers';
import { changesPage } from '../pagination/changes-feed';
import { fingerprintOf, type CursorCodec } from '../pagination/cursor-codec';
import { keysetPage } from '../pagination/keyset';
import {
  findSecurityAlert,
  findSecurityAlertChanges,
  findSecurityAlerts,
  type SecurityAlertDetailRow,
  type SecurityAlertFilters,
  type SecurityAlertItemRow,
} from './security-alerts.repository';

export function toSecurityAlert(row: SecurityAlertItemRow): SecurityAlert {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    severity: row.severity,
    status: row.status,
    classification: row.classification,
    category: row.category,
    threatDisplayName: row.threat_display_name,
    firstActivityDateTime: row.first_activity_at?.toISOString() ?? null,
    isResolved: row.status === 'resolved',
    users: row.users,
    groups: row.groups,
    emails: row.emails,
    apps: row.apps,
    serviceSource: row.service_source,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toSecurityAlertDetail(row: SecurityAlertDetailRow): SecurityAlertDetail {
  return { ...toSecurityAlert(row), rawData: row.raw_data, recommendedActions: row.recommended_actions };
}

function filtersOf(query: SecurityAlertFilters): SecurityAlertFilters {
  const { severity, status, classification, serviceSource, isResolved } = query;
  return { severity, status, classification, serviceSource, isResolved };
}

const s = initServer();

export function securityAlertsRouter(deps: { db: Db; cursors: CursorCodec }) {
  return s.router(contract.securityAlerts, {
    listSecurityAlerts: async ({ req, query }) => {
      const { tenantId } = requireAuth(req);
      if (query.since && query.until && query.since >= query.until) {
        throw errors.validation([{ parameter: 'until', message: 'must be later than since' }]);
      }
      const filters = filtersOf(query);
      const window = { since: query.since, until: query.until, order: query.order };
      const page = await keysetPage({
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: 'security-alerts', ...filters, ...window }),
        request: query,
        sortKeyOf: (row: SecurityAlertItemRow) => row.updated_at,
        fetch: (after, take) => findSecurityAlerts(deps.db, tenantId, filters, window, after, take),
        toItem: toSecurityAlert,
      });
      return { status: 200, body: page };
    },
    listSecurityAlertChanges: async ({ req, query }) => {
      const { tenantId } = requireAuth(req);
      const filters = filtersOf(query);
      const page = await changesPage({
        db: deps.db,
        codec: deps.cursors,
        tenantId,
        fingerprint: fingerprintOf({ resource: 'security-alerts/changes', ...filters }),
        request: query,
        fetch: (after, xmin, from, take) => findSecurityAlertChanges(deps.db, tenantId, filters, after, xmin, from, take),
        toItem: (row) => toSecurityAlert(row),
      });
      return { status: 200, body: page };
    },
    getSecurityAlert: async ({ req, params }) => {
      const { tenantId } = requireAuth(req);
      const row = await findSecurityAlert(deps.db, tenantId, params.id);
      if (!row) throw errors.notFound('No security alert with this id.');
      return { status: 200, body: { data: toSecurityAlertDetail(row) } };
    },
  });
}
