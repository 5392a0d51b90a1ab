import type { LogEvent, MonitoringAlert, SecurityAlert } from '@1security/contract';
import { CEF_PRODUCT, CEF_VENDOR, type FormatContext } from './cef.format';
import type { ResourceItem, ResourceName } from './resource.registry';
import { CEF_SEVERITY } from './severity.mapping';

type EcsValue = string | number | boolean | readonly string[] | Record<string, string> | null | undefined;

/** One ECS field: its dotted name, where its value comes from, how it is computed. */
export interface EcsField<T> {
  /** The ECS field name, e.g. `event.kind` (`labels` takes an object of keyword values). */
  field: string;
  from: string;
  value(item: T, context: FormatContext): EcsValue;
}

/** Which ECS `event.category` an audit event gets, by the kind of object acted on. */
export const LOG_EVENT_CATEGORY_BY_RESOURCE_TYPE: Record<string, string> = {
  file: 'file',
  folder: 'file',
  site: 'file',
  mailbox: 'email',
  message: 'email',
  user: 'iam',
  group: 'iam',
  application: 'iam',
  servicePrincipal: 'iam',
  role: 'iam',
};
export const LOG_EVENT_DEFAULT_CATEGORY = 'configuration';
/** Sign-ins are `authentication` whatever they act on. */
export const LOG_AUTHENTICATION_ACTION = /LoggedIn|LoginFailed|SignIn|SignedIn/i;

/** Which ECS `event.type` an audit event gets, by the verb in its action; the first match wins. */
export const LOG_EVENT_TYPE_BY_ACTION: readonly { pattern: RegExp; type: string }[] = [
  { pattern: /Deleted|Removed|Purged/, type: 'deletion' },
  { pattern: /Created|Added|Uploaded|New-/, type: 'creation' },
  { pattern: /Modified|Updated|Changed|Renamed|Moved|Set-|Restored/, type: 'change' },
  { pattern: /Accessed|Downloaded|Viewed|Previewed|Read|Synced|LoggedIn|SignIn/, type: 'access' },
];
export const LOG_EVENT_DEFAULT_TYPE = 'info';

function logCategory(event: LogEvent): string {
  if (LOG_AUTHENTICATION_ACTION.test(event.action)) return 'authentication';
  return LOG_EVENT_CATEGORY_BY_RESOURCE_TYPE[event.resourceType] ?? LOG_EVENT_DEFAULT_CATEGORY;
}

function logType(event: LogEvent): string {
  return LOG_EVENT_TYPE_BY_ACTION.find((rule) => rule.pattern.test(event.action))?.type ?? LOG_EVENT_DEFAULT_TYPE;
}

function present(values: readonly (string | null | undefined)[]): string[] | undefined {
  const kept = [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return kept.length ? kept : undefined;
}

/** Labels with null values left out (ECS labels are keywords). */
function labels(entries: Record<string, string | null | undefined>): Record<string, string> | undefined {
  const kept = Object.fromEntries(
    Object.entries(entries).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return Object.keys(kept).length ? kept : undefined;
}

const FILE_RESOURCE_TYPES = new Set(['file', 'folder']);

function observer<T>(): EcsField<T>[] {
  return [
    { field: 'observer.vendor', from: `\`${CEF_VENDOR}\``, value: () => CEF_VENDOR },
    { field: 'observer.product', from: `\`${CEF_PRODUCT}\``, value: () => CEF_PRODUCT },
    { field: 'observer.version', from: 'the `@1security/client` version', value: (_i, c) => c.version },
    { field: 'organization.id', from: 'the tenant id (`GET /ping`)', value: (_i, c) => c.tenantId },
  ];
}

/**
 * `event.original`: with `--include rawData`, the provider record as JSON text, as ECS keeps an
 * event's original form (stored, not indexed). Left out when the page carries no `rawData` or
 * the item has none (null).
 */
function original<T extends { rawData?: unknown }>(): EcsField<T> {
  return {
    field: 'event.original',
    from: '`rawData` as JSON text, with `--include rawData`',
    value: (item) => (item.rawData === undefined || item.rawData === null ? undefined : JSON.stringify(item.rawData)),
  };
}

export const LOG_ECS: readonly EcsField<LogEvent>[] = [
  { field: '@timestamp', from: '`occurredAt`', value: (e) => e.occurredAt },
  { field: 'event.kind', from: '`event`', value: () => 'event' },
  {
    field: 'event.category',
    from: '`authentication` for sign-ins, else by `resourceType` ([table](#ecs-event-category-of-audit-events))',
    value: (e) => [logCategory(e)],
  },
  {
    field: 'event.type',
    from: 'by the verb in `action` ([table](#ecs-event-type-of-audit-events))',
    value: (e) => [logType(e)],
  },
  { field: 'event.action', from: '`action`', value: (e) => e.action },
  { field: 'event.severity', from: '`severity` ([scale](#severity))', value: (e) => CEF_SEVERITY[e.severity] },
  { field: 'event.id', from: '`id`', value: (e) => e.id },
  { field: 'event.created', from: '`discoveredAt`', value: (e) => e.discoveredAt },
  { field: 'event.provider', from: '`workload`', value: (e) => e.workload },
  { field: 'event.module', from: '`1security`', value: () => '1security' },
  { field: 'event.dataset', from: '`1security.logs`', value: () => '1security.logs' },
  { field: 'user.name', from: '`actorName`', value: (e) => e.actorName },
  { field: 'source.ip', from: '`actorIp`', value: (e) => e.actorIp },
  {
    field: 'file.name',
    from: '`resourceName` when `resourceType` is `file` or `folder`',
    value: (e) => (FILE_RESOURCE_TYPES.has(e.resourceType) ? e.resourceName : undefined),
  },
  { field: 'related.user', from: '`actorName`', value: (e) => present([e.actorName]) },
  { field: 'related.ip', from: '`actorIp`', value: (e) => present([e.actorIp]) },
  original<LogEvent>(),
  ...observer<LogEvent>(),
  {
    field: 'labels',
    from: '`resource_name`: `resourceName`, `resource_type`: `resourceType`, `actor_type`: `actorType`, `application`: `applicationDisplayName`',
    value: (e) =>
      labels({
        resource_name: e.resourceName,
        resource_type: e.resourceType,
        actor_type: e.actorType,
        application: e.applicationDisplayName,
      }),
  },
];

export const MONITORING_ALERT_ECS: readonly EcsField<MonitoringAlert>[] = [
  { field: '@timestamp', from: '`updatedAt`', value: (a) => a.updatedAt },
  { field: 'event.kind', from: '`alert`', value: () => 'alert' },
  { field: 'event.category', from: '`intrusion_detection`', value: () => ['intrusion_detection'] },
  { field: 'event.type', from: '`indicator`', value: () => ['indicator'] },
  { field: 'event.severity', from: '`severity` ([scale](#severity))', value: (a) => CEF_SEVERITY[a.severity] },
  { field: 'event.id', from: '`id`', value: (a) => a.id },
  { field: 'event.created', from: '`createdAt`', value: (a) => a.createdAt },
  { field: 'event.end', from: '`resolvedAt`', value: (a) => a.resolvedAt },
  { field: 'event.module', from: '`1security`', value: () => '1security' },
  { field: 'event.dataset', from: '`1security.monitoring_alerts`', value: () => '1security.monitoring_alerts' },
  { field: 'message', from: '`description`', value: (a) => a.description },
  { field: 'rule.id', from: '`createdFrom.policyId`', value: (a) => a.createdFrom.policyId },
  { field: 'rule.name', from: '`createdFrom.policyName`', value: (a) => a.createdFrom.policyName },
  { field: 'rule.description', from: '`name`', value: (a) => a.name },
  original<MonitoringAlert>(),
  ...observer<MonitoringAlert>(),
  {
    field: 'labels',
    from: '`status`, `resource_type`: `resourceType`, `resources`: `type:name` comma-separated, `assigned_user`: `assignedUser.email`, `last_scan`: `lastScan`, `snoozed_at`: `snoozedAt`',
    value: (a) =>
      labels({
        status: a.status,
        resource_type: a.resourceType,
        resources: a.resources.length ? a.resources.map((r) => `${r.type}:${r.name}`).join(',') : undefined,
        assigned_user: a.assignedUser?.email,
        last_scan: a.lastScan,
        snoozed_at: a.snoozedAt,
      }),
  },
];

export const SECURITY_ALERT_ECS: readonly EcsField<SecurityAlert>[] = [
  { field: '@timestamp', from: '`updatedAt`', value: (a) => a.updatedAt },
  { field: 'event.kind', from: '`alert`', value: () => 'alert' },
  { field: 'event.category', from: '`intrusion_detection`', value: () => ['intrusion_detection'] },
  { field: 'event.type', from: '`info`', value: () => ['info'] },
  { field: 'event.severity', from: '`severity` ([scale](#severity))', value: (a) => CEF_SEVERITY[a.severity] },
  { field: 'event.id', from: '`id`', value: (a) => a.id },
  { field: 'event.created', from: '`createdAt`', value: (a) => a.createdAt },
  { field: 'event.start', from: '`firstActivityDateTime`', value: (a) => a.firstActivityDateTime },
  { field: 'event.provider', from: '`serviceSource`', value: (a) => a.serviceSource },
  { field: 'event.module', from: '`1security`', value: () => '1security' },
  { field: 'event.dataset', from: '`1security.security_alerts`', value: () => '1security.security_alerts' },
  { field: 'message', from: '`description`', value: (a) => a.description },
  { field: 'rule.name', from: '`title`', value: (a) => a.title },
  { field: 'rule.category', from: '`category`', value: (a) => a.category },
  { field: 'threat.framework', from: '`MITRE ATT&CK`', value: () => 'MITRE ATT&CK' },
  { field: 'threat.tactic.name', from: '`category`', value: (a) => [a.category] },
  { field: 'threat.technique.id', from: '`mitreTechniques`', value: (a) => present(a.mitreTechniques) },
  { field: 'user.name', from: '`users[0].userPrincipalName`', value: (a) => a.users[0]?.userPrincipalName },
  {
    field: 'related.user',
    from: '`users[].userPrincipalName`',
    value: (a) => present(a.users.map((u) => u.userPrincipalName)),
  },
  { field: 'email.from.address', from: '`emails[].sender`', value: (a) => present(a.emails.map((m) => m.sender)) },
  { field: 'email.subject', from: '`emails[0].subject`', value: (a) => a.emails[0]?.subject },
  { field: 'group.id', from: '`groups[0].id`', value: (a) => a.groups[0]?.id },
  { field: 'group.name', from: '`groups[0].displayName`', value: (a) => a.groups[0]?.displayName },
  original<SecurityAlert>(),
  ...observer<SecurityAlert>(),
  {
    field: 'labels',
    from: '`status`, `classification`, `threat_display_name`: `threatDisplayName`, `apps`: `apps[].displayName` comma-separated',
    value: (a) =>
      labels({
        status: a.status,
        classification: a.classification,
        threat_display_name: a.threatDisplayName,
        apps: present(a.apps.map((app) => app.displayName))?.join(','),
      }),
  },
];

export const ECS_MAPPINGS = {
  logs: LOG_ECS,
  'monitoring-alerts': MONITORING_ALERT_ECS,
  'security-alerts': SECURITY_ALERT_ECS,
} as const satisfies Record<ResourceName, readonly EcsField<never>[]>;

/** The ECS version the field names and types are checked against. */
export const ECS_VERSION = '9.4.0';

/** One item as an ECS document (nested objects, null fields left out). */
export function toEcsDocument(entry: ResourceItem, context: FormatContext): Record<string, unknown> {
  const fields = ECS_MAPPINGS[entry.resource] as readonly EcsField<typeof entry.item>[];
  const document: Record<string, unknown> = { ecs: { version: ECS_VERSION } };
  for (const spec of fields) {
    const value = spec.value(entry.item, context);
    if (value === null || value === undefined) continue;
    if (spec.field === '@timestamp') {
      document[spec.field] = value;
      continue;
    }
    const path = spec.field.split('.');
    let node = document;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = value;
  }
  return document;
}

/** One item as one ECS JSON line (no line break). */
export function formatEcs(entry: ResourceItem, context: FormatContext): string {
  return JSON.stringify(toEcsDocument(entry, context));
}
