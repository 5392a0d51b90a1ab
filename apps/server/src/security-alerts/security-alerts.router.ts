import { contract, type SecurityAlert, type SecurityAlertDetail } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/database';
import type { CursorCodec } from '../pagination/cursor-codec';
import { resourceHandlers } from '../pagination/resource-handlers';
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
    firstActivityDateTime: row.first_activity_at,
    isResolved: row.status === 'resolved',
    users: row.users,
    groups: row.groups,
    emails: row.emails,
    apps: row.apps,
    serviceSource: row.service_source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toSecurityAlertDetail(row: SecurityAlertDetailRow): SecurityAlertDetail {
  return { ...toSecurityAlert(row), rawData: row.raw_data, recommendedActions: row.recommended_actions };
}

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
    sortKeyOf: (row: SecurityAlertItemRow) => row.updated_at,
    list: findSecurityAlerts,
    changes: findSecurityAlertChanges,
    get: findSecurityAlert,
    toItem: toSecurityAlert,
    toDetail: toSecurityAlertDetail,
    notFoundMessage: 'No security alert with this id.',
  });
  return s.router(contract.securityAlerts, {
    listSecurityAlerts: handlers.list,
    listSecurityAlertChanges: handlers.changes,
    getSecurityAlert: handlers.get,
  });
}
