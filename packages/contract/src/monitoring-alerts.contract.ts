import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ErrorEnvelopeSchema, IdPathSchema } from './common.schemas';
import {
  ListMonitoringAlertsQuerySchema,
  MonitoringAlertChangesQuerySchema,
  MonitoringAlertChangesResponseSchema,
  MonitoringAlertListResponseSchema,
  MonitoringAlertResponseSchema,
} from './monitoring-alerts.schemas';

const c = initContract();
const scope = 'monitoring-alerts:read' as const;

export const monitoringAlertsContract = c.router({
  listMonitoringAlerts: {
    method: 'GET',
    path: '/monitoring-alerts',
    query: ListMonitoringAlertsQuerySchema,
    responses: { 200: MonitoringAlertListResponseSchema },
    summary: 'List monitoring alerts',
    description:
      'Alerts raised by your monitoring policies, most recently updated first (ties broken by id). Page with `cursor`. For incremental polling prefer `GET /monitoring-alerts/changes`. `include=rawData` adds the raw record of each alert.',
    metadata: { scope },
  },
  listMonitoringAlertChanges: {
    method: 'GET',
    path: '/monitoring-alerts/changes',
    query: MonitoringAlertChangesQuerySchema,
    responses: { 200: MonitoringAlertChangesResponseSchema },
    summary: 'Follow new and changed monitoring alerts (changes feed)',
    description:
      'Every monitoring alert in commit order; an alert appears again, in its latest state, each time it changes. Omit `cursor` on the first call; then always send the returned `nextCursor`, which is never null. `include=rawData` adds the raw record of each alert.',
    metadata: { scope },
  },
  getMonitoringAlert: {
    method: 'GET',
    path: '/monitoring-alerts/:id',
    pathParams: z.object({ id: IdPathSchema }),
    responses: { 200: MonitoringAlertResponseSchema, 404: ErrorEnvelopeSchema },
    summary: 'Get one monitoring alert',
    description:
      "One monitoring alert by id, with the record it was ingested from (`rawData`). 404 if the id is not one of your tenant's alerts.",
    metadata: { scope },
  },
});
