import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import {
  changesQuerySchema,
  listQuerySchema,
  SEVERITIES,
  SeveritySchema,
  booleanQuery,
  enumListQuery,
  itemEnvelope,
  listEnvelope,
  stringListQuery,
  timestampField,
} from './common.schemas';

export const MONITORING_ALERT_STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const;
export const MonitoringAlertStatusSchema = extendApi(z.enum(MONITORING_ALERT_STATUSES), {
  description: 'Where the alert is in triage. `isResolved` is true exactly when this is `resolved`.',
});

export const MonitoringAlertResourceSchema = extendApi(
  z.object({
    id: z.string().describe('Id of the affected resource.'),
    name: z.string().describe('Display name of the affected resource.'),
    type: z.string().describe('Kind of resource: user, site, mailbox, application, group, device…'),
  }),
  { title: 'MonitoringAlertResource' },
);

export const AssignedUserSchema = extendApi(
  z.object({
    id: z.string(),
    displayName: z.string(),
    email: z.string(),
  }),
  { title: 'AssignedUser', description: 'The analyst the alert is assigned to.' },
);

export const MonitoringPolicyRefSchema = extendApi(
  z.object({
    policyId: z.string().describe('Id of the monitoring policy that raised the alert.'),
    policyName: z.string().describe('Name of that policy.'),
  }),
  { title: 'MonitoringPolicyRef' },
);

const monitoringAlertRawDataSchema = extendApi(z.record(z.unknown()).nullable(), {
  description:
    'The record exactly as ingested: the `rawData` object the monitoring engine sent with the alert. Null when it sent none, and for alerts stored before raw records were kept.',
});

const monitoringAlertShape = {
  id: z.string().describe('Unique id of the alert (a ULID).'),
  name: z.string().describe('What the alert is about.'),
  severity: SeveritySchema,
  status: MonitoringAlertStatusSchema,
  isResolved: z.boolean().describe('True exactly when status is `resolved`.'),
  resourceType: z.string().describe('Kind of resource the alert concerns: user, site, mailbox, application…'),
  resources: z.array(MonitoringAlertResourceSchema).describe('The resources the alert concerns.'),
  assignedUser: AssignedUserSchema.nullable(),
  description: z.string().describe('Details of what was detected.'),
  createdFrom: MonitoringPolicyRefSchema,
  lastScan: timestampField('When the policy last evaluated this alert.').nullable(),
  resolvedAt: timestampField('When the alert was resolved; null unless resolved.').nullable(),
  snoozedAt: timestampField('When the alert was last snoozed; null if never.').nullable(),
  createdAt: timestampField('When the alert was raised.'),
  updatedAt: timestampField('When the alert last changed. Lists sort and window on this.'),
};

const monitoringAlertExample = {
  id: '01J2Z3K4M5N6P7Q8R9S0T1V2W3',
  name: 'External sharing of sensitive file',
  severity: 'high',
  status: 'open',
  isResolved: false,
  resourceType: 'site',
  resources: [{ id: 'site-42', name: 'Finance', type: 'site' }],
  assignedUser: { id: 'u-7', displayName: 'Sam Analyst', email: 'sam@contoso.com' },
  description: 'A file labelled Confidential was shared with an external domain.',
  createdFrom: { policyId: 'pol-3', policyName: 'External sharing of labelled content' },
  lastScan: '2026-06-05T09:00:00.000Z',
  resolvedAt: null,
  snoozedAt: null,
  createdAt: '2026-06-05T08:58:12.000Z',
  updatedAt: '2026-06-05T09:00:00.000Z',
};

/** An alert raised by one of the tenant's monitoring policies; `rawData` only when the page was asked for it. */
export const MonitoringAlertSchema = extendApi(
  z.object({
    ...monitoringAlertShape,
    rawData: extendApi(monitoringAlertRawDataSchema.optional(), {
      description: 'Only with `include=rawData`: the record exactly as ingested (see the detail endpoint).',
    }),
  }),
  { title: 'MonitoringAlert', example: monitoringAlertExample },
);
export type MonitoringAlert = z.infer<typeof MonitoringAlertSchema>;

/** The alert plus the record it was ingested from. */
export const MonitoringAlertDetailSchema = extendApi(
  z.object({ ...monitoringAlertShape, rawData: monitoringAlertRawDataSchema }),
  {
    title: 'MonitoringAlertDetail',
    example: { ...monitoringAlertExample, rawData: { ruleId: 'pol-3', matchedLabel: 'Confidential' } },
  },
);
export type MonitoringAlertDetail = z.infer<typeof MonitoringAlertDetailSchema>;

export const MonitoringAlertFiltersShape = {
  severity: enumListQuery(SEVERITIES, 'Only alerts of these severities.'),
  status: enumListQuery(MONITORING_ALERT_STATUSES, 'Only alerts in these statuses.'),
  resourceType: stringListQuery('Only alerts about these kinds of resource, e.g. site,mailbox.', ['site', 'mailbox']),
  isResolved: booleanQuery("Only resolved (`true`) or unresolved (`false`) alerts. Exactly 'true' or 'false'."),
};

export const ListMonitoringAlertsQuerySchema = listQuerySchema(MonitoringAlertFiltersShape, 'alerts', 'updated');
export type ListMonitoringAlertsQuery = z.infer<typeof ListMonitoringAlertsQuerySchema>;

export const MonitoringAlertChangesQuerySchema = changesQuerySchema(MonitoringAlertFiltersShape, 'alerts', 'updated');
export type MonitoringAlertChangesQuery = z.infer<typeof MonitoringAlertChangesQuerySchema>;

export const MonitoringAlertListResponseSchema = listEnvelope(
  MonitoringAlertSchema,
  'MonitoringAlertList',
  'A page of monitoring alerts.',
);
export const MonitoringAlertChangesResponseSchema = listEnvelope(
  MonitoringAlertSchema,
  'MonitoringAlertChanges',
  'Alerts created or changed since the cursor, in commit order, each in its latest state. Store `nextCursor` (never null).',
);
export const MonitoringAlertResponseSchema = itemEnvelope(
  MonitoringAlertDetailSchema,
  'MonitoringAlertResponse',
  'One monitoring alert with the record it was ingested from.',
);
