import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (time + randomness, Crockford base32), like the ids the API hands out. */
export function ulid(time = Date.now()): string {
  let timePart = '';
  for (let t = time, i = 0; i < 10; i++, t = Math.floor(t / 32)) timePart = CROCKFORD[t % 32] + timePart;
  const random = randomBytes(16);
  let randomPart = '';
  for (let i = 0; i < 16; i++) randomPart += CROCKFORD[random[i]! % 32];
  return timePart + randomPart;
}

const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const WORKLOADS = ['SharePoint', 'OneDrive', 'Exchange', 'AzureActiveDirectory', 'MicrosoftTeams'] as const;
const ACTIONS = ['FileDownloaded', 'FileDeleted', 'UserLoggedIn', 'MailItemsAccessed', 'FileShared'] as const;

/** `count` native audit events with known ids; severity and workload cycle so that filters have something to select. */
export function makeLogRecords(count: number, offset = 0) {
  const occurred = Date.parse('2026-06-05T09:00:00Z');
  return Array.from({ length: count }, (_, index) => {
    const i = index + offset;
    return {
      id: ulid(occurred + i),
      occurredAt: new Date(occurred + i * 1000).toISOString(),
      action: ACTIONS[i % ACTIONS.length]!,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      actorName: `user${i % 7}@contoso.com`,
      actorType: i % 11 === 0 ? 'admin' : 'user',
      actorIp: `20.42.${i % 250}.${(i * 7) % 250}`,
      resourceName: `file-${i}.docx`,
      resourceType: 'file',
      workload: WORKLOADS[i % WORKLOADS.length]!,
      applicationDisplayName: 'Microsoft SharePoint',
      // Every other event carries the record it came from, key order deliberately unsorted.
      ...(i % 2 === 0
        ? {
            rawData: {
              Operation: ACTIONS[i % ACTIONS.length]!,
              Id: `o365-${i}`,
              UserAgent: 'Mozilla/5.0',
              ResultStatus: 'Succeeded',
            },
          }
        : {}),
    };
  });
}

const MONITORING_STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const;

export function makeMonitoringAlertRecords(count: number) {
  const created = Date.parse('2026-06-05T08:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const status = MONITORING_STATUSES[i % MONITORING_STATUSES.length]!;
    return {
      id: ulid(created + i),
      name: `External sharing of sensitive file #${i}`,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      status,
      resourceType: i % 2 === 0 ? 'site' : 'mailbox',
      resources: [{ id: `site-${i}`, name: `Finance ${i}`, type: 'site' }],
      assignedUser: i % 3 === 0 ? null : { id: 'u-7', displayName: 'Sam Analyst', email: 'sam@contoso.com' },
      description: 'A file labelled Confidential was shared with an external domain.',
      createdFrom: { policyId: 'pol-3', policyName: 'External sharing of labelled content' },
      lastScan: new Date(created + i * 60_000).toISOString(),
      snoozedAt: status === 'snoozed' ? new Date(created + i * 60_000).toISOString() : null,
      createdAt: new Date(created + i * 60_000).toISOString(),
      updatedAt: new Date(created + i * 60_000 + 1000).toISOString(),
      ...(i % 2 === 0 ? { rawData: { ruleId: 'pol-3', matched: i } } : {}),
    };
  });
}

const SECURITY_STATUSES = ['new', 'inProgress', 'resolved'] as const;
const SERVICE_SOURCES = ['microsoftDefenderForEndpoint', 'microsoftDefenderForOffice365', 'microsoftSentinel'] as const;

export function makeSecurityAlertRecords(count: number) {
  const created = Date.parse('2026-06-05T07:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const id = ulid(created + i);
    return {
      id,
      title: `Suspicious inbox forwarding rule #${i}`,
      description: 'A user created an inbox rule that forwards mail to an external address.',
      severity: SEVERITIES[i % SEVERITIES.length]!,
      status: SECURITY_STATUSES[i % SECURITY_STATUSES.length]!,
      classification: i % 4 === 0 ? null : 'truePositive',
      category: 'Exfiltration',
      mitreTechniques: i % 3 === 0 ? [] : ['T1114.003', `T10${20 + i}`],
      threatDisplayName: null,
      firstActivityDateTime: new Date(created + i * 60_000 - 5000).toISOString(),
      users: [{ userPrincipalName: 'jane@contoso.com', displayName: 'Jane Doe' }],
      groups: [],
      emails: [],
      apps: [],
      serviceSource: SERVICE_SOURCES[i % SERVICE_SOURCES.length]!,
      createdAt: new Date(created + i * 60_000).toISOString(),
      updatedAt: new Date(created + i * 60_000 + 2000).toISOString(),
      rawData: { id: `da637${i}`, providerAlertId: `prov-${i}`, evidence: [] },
      recommendedActions: '1. Review the rule. 2. Remove it if unexpected.',
    };
  });
}
