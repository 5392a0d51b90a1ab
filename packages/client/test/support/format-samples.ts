import type { LogEvent, MonitoringAlert, SecurityAlert } from '@1security/contract';
import type { ResourceItem } from '../../src/cli/resource.registry';
import { HOSTILE_STRINGS } from './hostile-records';

/** Fixed items, every field set, for the golden files and the ECS checks. */
export const SAMPLE_LOG: LogEvent = {
  id: '01J2Z3K4M5N6P7Q8R9S0T1V2W3',
  occurredAt: '2026-06-05T09:12:44.000Z',
  discoveredAt: '2026-06-05T09:13:01.000Z',
  action: 'FileDownloaded',
  severity: 'high',
  actorName: 'jane@contoso.com',
  actorType: 'user',
  actorIp: '20.42.73.5',
  resourceName: 'Q3-forecast.xlsx',
  resourceType: 'file',
  workload: 'SharePoint',
  applicationDisplayName: 'Microsoft SharePoint',
};

export const SAMPLE_MONITORING_ALERT: MonitoringAlert = {
  id: '01J2Z3K4M5N6P7Q8R9S0T1V2W4',
  name: 'External sharing of sensitive file',
  severity: 'critical',
  status: 'resolved',
  isResolved: true,
  resourceType: 'site',
  resources: [
    { id: 'site-42', name: 'Finance', type: 'site' },
    { id: 'site-43', name: 'Legal', type: 'site' },
  ],
  assignedUser: { id: 'u-7', displayName: 'Sam Analyst', email: 'sam@contoso.com' },
  description: 'A file labelled Confidential was shared with an external domain.',
  createdFrom: { policyId: 'pol-3', policyName: 'External sharing of labelled content' },
  lastScan: '2026-06-05T09:00:00.000Z',
  resolvedAt: '2026-06-05T10:00:00.000Z',
  snoozedAt: '2026-06-05T09:30:00.000Z',
  createdAt: '2026-06-05T08:58:12.000Z',
  updatedAt: '2026-06-05T10:00:00.000Z',
};

export const SAMPLE_SECURITY_ALERT: SecurityAlert = {
  id: '01J2Z3K4M5N6P7Q8R9S0T1V2W5',
  title: 'Suspicious inbox forwarding rule',
  description: 'A user created an inbox rule that forwards mail to an external address.',
  severity: 'medium',
  status: 'inProgress',
  classification: 'truePositive',
  category: 'Exfiltration',
  mitreTechniques: ['T1114.003', 'T1564.008'],
  threatDisplayName: 'BEC forwarding',
  firstActivityDateTime: '2026-06-05T08:41:10.000Z',
  isResolved: false,
  users: [
    { userPrincipalName: 'jane@contoso.com', displayName: 'Jane Doe' },
    { userPrincipalName: 'joe@contoso.com', displayName: 'Joe Bloggs' },
  ],
  groups: [{ id: 'g-1', displayName: 'Finance' }],
  emails: [{ subject: 'Invoice', sender: 'evil@example.net', recipient: 'jane@contoso.com', networkMessageId: 'nm-1' }],
  apps: [{ appId: 'app-1', displayName: 'Mail Forwarder' }],
  serviceSource: 'microsoftDefenderForOffice365',
  createdAt: '2026-06-05T08:45:00.000Z',
  updatedAt: '2026-06-05T08:50:00.000Z',
};

/** An audit event with nulls, an IPv6 address and hostile text, for the edge cases. */
export const SAMPLE_HOSTILE_LOG: LogEvent = {
  ...SAMPLE_LOG,
  id: '01J2Z3K4M5N6P7Q8R9S0T1V2W6',
  action: 'Odd|Action\\with=equals',
  severity: 'informational',
  actorName: HOSTILE_STRINGS[3]!,
  actorIp: '2001:db8::7',
  resourceName: HOSTILE_STRINGS[1]!,
  resourceType: 'mailbox',
  applicationDisplayName: null,
};

export const SAMPLE_CONTEXT = { tenantId: '01J2Z3K4M5N6P7Q8R9S0T1TENA', version: '0.1.0' };

export const SAMPLES: ResourceItem[] = [
  { resource: 'logs', item: SAMPLE_LOG },
  { resource: 'logs', item: SAMPLE_HOSTILE_LOG },
  { resource: 'monitoring-alerts', item: SAMPLE_MONITORING_ALERT },
  {
    resource: 'monitoring-alerts',
    item: {
      ...SAMPLE_MONITORING_ALERT,
      id: '01J2Z3K4M5N6P7Q8R9S0T1V2W7',
      status: 'open',
      isResolved: false,
      resolvedAt: null,
      snoozedAt: null,
      lastScan: null,
      assignedUser: null,
      resources: [],
    },
  },
  { resource: 'security-alerts', item: SAMPLE_SECURITY_ALERT },
  {
    resource: 'security-alerts',
    item: {
      ...SAMPLE_SECURITY_ALERT,
      id: '01J2Z3K4M5N6P7Q8R9S0T1V2W8',
      classification: null,
      threatDisplayName: null,
      firstActivityDateTime: null,
      users: [],
      groups: [],
      emails: [],
      apps: [],
    },
  },
];
