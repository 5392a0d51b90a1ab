import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ErrorEnvelopeSchema, IdPathSchema } from './common.schemas';
import {
  ListSecurityAlertsQuerySchema,
  SecurityAlertChangesQuerySchema,
  SecurityAlertChangesResponseSchema,
  SecurityAlertListResponseSchema,
  SecurityAlertResponseSchema,
} from './security-alerts.schemas';

const c = initContract();
const scope = 'security-alerts:read' as const;

export const securityAlertsContract = c.router({
  listSecurityAlerts: {
    method: 'GET',
    path: '/security-alerts',
    query: ListSecurityAlertsQuerySchema,
    responses: { 200: SecurityAlertListResponseSchema },
    summary: 'List security alerts',
    description:
      'Microsoft Defender and Sentinel alerts, most recently updated first (ties broken by id). Page with `cursor`. For incremental polling prefer `GET /security-alerts/changes`. `include=rawData` adds the raw provider payload of each alert, saving a detail call per alert.',
    metadata: { scope },
  },
  listSecurityAlertChanges: {
    method: 'GET',
    path: '/security-alerts/changes',
    query: SecurityAlertChangesQuerySchema,
    responses: { 200: SecurityAlertChangesResponseSchema },
    summary: 'Follow new and changed security alerts (changes feed)',
    description:
      'Every security alert in commit order; an alert appears again, in its latest state, each time it changes (status, classification…). Omit `cursor` on the first call; then always send the returned `nextCursor`, which is never null. `include=rawData` adds the raw provider payload of each alert.',
    metadata: { scope },
  },
  getSecurityAlert: {
    method: 'GET',
    path: '/security-alerts/:id',
    pathParams: z.object({ id: IdPathSchema }),
    responses: { 200: SecurityAlertResponseSchema, 404: ErrorEnvelopeSchema },
    summary: 'Get one security alert, with its raw payload',
    description:
      "Full detail for one security alert, including the raw provider payload (`rawData`) and `recommendedActions`. 404 if the id is not one of your tenant's alerts.",
    metadata: { scope },
  },
});
