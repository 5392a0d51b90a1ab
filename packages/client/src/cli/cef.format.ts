import type { LogEvent, MonitoringAlert, SecurityAlert } from '@1security/contract';
import { isIP } from 'node:net';
import type { ResourceItem, ResourceName } from './resource.registry';
import { CEF_SEVERITY } from './severity.mapping';

/** What every formatter may add besides the item itself. */
export interface FormatContext {
  /** The tenant the API key belongs to (from `GET /ping`). */
  tenantId: string;
  /** The `@1security/client` version, CEF's device version. */
  version: string;
}

export const CEF_VENDOR = '1Security';
export const CEF_PRODUCT = '1Security API';

type CefValue = string | number | null | undefined;

/** One CEF extension: its key, the label it carries (custom fields), where its value comes from. */
export interface CefExtension<T> {
  key: string;
  /** For `csN`, `flexStringN`, `deviceCustomDateN`, `c6aN`: the value of the matching `…Label` key. */
  label?: string;
  /** The API field(s) it is taken from, for the mapping document. */
  from: string;
  value(item: T, context: FormatContext): CefValue;
}

/** How one resource's items become CEF. */
export interface CefMapping<T> {
  signatureId: { from: string; value(item: T): string };
  name: { from: string; value(item: T): string };
  extensions: readonly CefExtension<T>[];
}

/** CEF timestamps: milliseconds since the epoch, a form the spec allows for `rt`, `start`, `end` and custom dates. */
function epochMs(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

const FILE_RESOURCE_TYPES = new Set(['file', 'folder']);

export const LOG_CEF: CefMapping<LogEvent> = {
  signatureId: { from: '`action`', value: (e) => e.action },
  name: { from: '`action`', value: (e) => e.action },
  extensions: [
    { key: 'externalId', from: '`id`', value: (e) => e.id },
    { key: 'rt', from: '`discoveredAt` (ms since epoch)', value: (e) => epochMs(e.discoveredAt) },
    { key: 'start', from: '`occurredAt` (ms since epoch)', value: (e) => epochMs(e.occurredAt) },
    { key: 'act', from: '`action`', value: (e) => e.action },
    { key: 'cat', from: '`workload`', value: (e) => e.workload },
    { key: 'suser', from: '`actorName`', value: (e) => e.actorName },
    {
      key: 'src',
      from: '`actorIp` when it is IPv4',
      value: (e) => (e.actorIp && isIP(e.actorIp) === 4 ? e.actorIp : undefined),
    },
    {
      key: 'c6a2',
      label: 'Source IPv6 Address',
      from: '`actorIp` when it is IPv6',
      value: (e) => (e.actorIp && isIP(e.actorIp) === 6 ? e.actorIp : undefined),
    },
    {
      key: 'fname',
      from: '`resourceName` when `resourceType` is `file` or `folder`',
      value: (e) => (FILE_RESOURCE_TYPES.has(e.resourceType) ? e.resourceName : undefined),
    },
    { key: 'cs1', label: 'resourceName', from: '`resourceName`', value: (e) => e.resourceName },
    { key: 'cs2', label: 'resourceType', from: '`resourceType`', value: (e) => e.resourceType },
    { key: 'cs3', label: 'actorType', from: '`actorType`', value: (e) => e.actorType },
    {
      key: 'cs4',
      label: 'applicationDisplayName',
      from: '`applicationDisplayName`',
      value: (e) => e.applicationDisplayName,
    },
    { key: 'deviceExternalId', from: 'the tenant id (`GET /ping`)', value: (_e, c) => c.tenantId },
  ],
};

export const MONITORING_ALERT_CEF: CefMapping<MonitoringAlert> = {
  signatureId: { from: '`createdFrom.policyId`', value: (a) => a.createdFrom.policyId },
  name: { from: '`name`', value: (a) => a.name },
  extensions: [
    { key: 'externalId', from: '`id`', value: (a) => a.id },
    { key: 'rt', from: '`updatedAt` (ms since epoch)', value: (a) => epochMs(a.updatedAt) },
    { key: 'start', from: '`createdAt` (ms since epoch)', value: (a) => epochMs(a.createdAt) },
    { key: 'end', from: '`resolvedAt` (ms since epoch)', value: (a) => epochMs(a.resolvedAt) },
    { key: 'msg', from: '`description`', value: (a) => a.description },
    { key: 'cat', from: '`resourceType`', value: (a) => a.resourceType },
    { key: 'cs1', label: 'policyName', from: '`createdFrom.policyName`', value: (a) => a.createdFrom.policyName },
    {
      key: 'cs2',
      label: 'resources',
      from: '`resources`, each as `type:name`, comma-separated',
      value: (a) => (a.resources.length ? a.resources.map((r) => `${r.type}:${r.name}`).join(',') : undefined),
    },
    {
      key: 'cs3',
      label: 'resourceIds',
      from: '`resources[].id`, comma-separated',
      value: (a) => (a.resources.length ? a.resources.map((r) => r.id).join(',') : undefined),
    },
    { key: 'cs4', label: 'assignedUser', from: '`assignedUser.email`', value: (a) => a.assignedUser?.email },
    { key: 'cs5', label: 'status', from: '`status`', value: (a) => a.status },
    {
      key: 'deviceCustomDate1',
      label: 'lastScan',
      from: '`lastScan` (ms since epoch)',
      value: (a) => epochMs(a.lastScan),
    },
    {
      key: 'deviceCustomDate2',
      label: 'snoozedAt',
      from: '`snoozedAt` (ms since epoch)',
      value: (a) => epochMs(a.snoozedAt),
    },
    { key: 'deviceExternalId', from: 'the tenant id (`GET /ping`)', value: (_a, c) => c.tenantId },
  ],
};

function joined(values: readonly (string | null)[]): string | undefined {
  const present = values.filter((v): v is string => typeof v === 'string' && v !== '');
  return present.length ? present.join(',') : undefined;
}

export const SECURITY_ALERT_CEF: CefMapping<SecurityAlert> = {
  signatureId: { from: '`serviceSource`:`category`', value: (a) => `${a.serviceSource}:${a.category}` },
  name: { from: '`title`', value: (a) => a.title },
  extensions: [
    { key: 'externalId', from: '`id`', value: (a) => a.id },
    { key: 'rt', from: '`updatedAt` (ms since epoch)', value: (a) => epochMs(a.updatedAt) },
    { key: 'start', from: '`firstActivityDateTime` (ms since epoch)', value: (a) => epochMs(a.firstActivityDateTime) },
    { key: 'msg', from: '`description`', value: (a) => a.description },
    { key: 'cat', from: '`category`', value: (a) => a.category },
    { key: 'suser', from: '`users[0].userPrincipalName`', value: (a) => a.users[0]?.userPrincipalName },
    { key: 'cs1', label: 'classification', from: '`classification`', value: (a) => a.classification },
    { key: 'cs2', label: 'serviceSource', from: '`serviceSource`', value: (a) => a.serviceSource },
    { key: 'cs3', label: 'threatDisplayName', from: '`threatDisplayName`', value: (a) => a.threatDisplayName },
    {
      key: 'cs4',
      label: 'users',
      from: '`users[].userPrincipalName`, comma-separated',
      value: (a) => joined(a.users.map((u) => u.userPrincipalName)),
    },
    { key: 'cs5', label: 'status', from: '`status`', value: (a) => a.status },
    {
      key: 'flexString1',
      label: 'emailSenders',
      from: '`emails[].sender`, comma-separated',
      value: (a) => joined(a.emails.map((m) => m.sender)),
    },
    {
      key: 'flexString2',
      label: 'mitreTechniques',
      from: '`mitreTechniques`, comma-separated',
      value: (a) => joined(a.mitreTechniques),
    },
    {
      key: 'cs6',
      label: 'apps',
      from: '`apps[].displayName`, comma-separated',
      value: (a) => joined(a.apps.map((app) => app.displayName)),
    },
    {
      key: 'deviceCustomDate1',
      label: 'createdAt',
      from: '`createdAt` (ms since epoch)',
      value: (a) => epochMs(a.createdAt),
    },
    { key: 'deviceExternalId', from: 'the tenant id (`GET /ping`)', value: (_a, c) => c.tenantId },
  ],
};

export const CEF_MAPPINGS = {
  logs: LOG_CEF,
  'monitoring-alerts': MONITORING_ALERT_CEF,
  'security-alerts': SECURITY_ALERT_CEF,
} as const satisfies Record<ResourceName, CefMapping<never>>;

/**
 * A CEF header field: the spec escapes `\` as `\\` and `|` as `\|`. A header must stay on
 * one line and the spec defines no escape for line breaks there, so CR and LF become spaces.
 */
export function escapeCefHeader(value: string): string {
  return value.replace(/[\\|]/g, (ch) => `\\${ch}`).replace(/\r\n|[\r\n]/g, ' ');
}

/**
 * A CEF extension value: the spec escapes `\` as `\\`, `=` as `\=`, and encodes line
 * breaks as `\n` and `\r`. A pipe needs no escape in the extension.
 */
export function escapeCefExtensionValue(value: string): string {
  return value.replace(/[\\=\r\n]/g, (ch) => (ch === '\r' ? '\\r' : ch === '\n' ? '\\n' : `\\${ch}`));
}

/** The label key of a custom extension: `cs1` → `cs1Label`, `deviceCustomDate1` → `deviceCustomDate1Label`. */
export function labelKeyOf(key: string): string {
  return `${key}Label`;
}

function renderExtensions<T>(mapping: CefMapping<T>, item: T, context: FormatContext): string {
  const pairs: string[] = [];
  for (const extension of mapping.extensions) {
    const value = extension.value(item, context);
    if (value === null || value === undefined) continue;
    if (extension.label !== undefined)
      pairs.push(`${labelKeyOf(extension.key)}=${escapeCefExtensionValue(extension.label)}`);
    pairs.push(`${extension.key}=${escapeCefExtensionValue(String(value))}`);
  }
  return pairs.join(' ');
}

/** One item as one CEF:0 record (no syslog header, no line break). */
export function formatCef(entry: ResourceItem, context: FormatContext): string {
  // The mapping is chosen by the same tag as the item, so the pair always matches.
  const mapping = CEF_MAPPINGS[entry.resource] as CefMapping<typeof entry.item>;
  const header = [
    'CEF:0',
    escapeCefHeader(CEF_VENDOR),
    escapeCefHeader(CEF_PRODUCT),
    escapeCefHeader(context.version),
    escapeCefHeader(mapping.signatureId.value(entry.item)),
    escapeCefHeader(mapping.name.value(entry.item)),
    String(CEF_SEVERITY[entry.item.severity]),
  ].join('|');
  return `${header}|${renderExtensions(mapping, entry.item, context)}`;
}
