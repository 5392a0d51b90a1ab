import { contract, type LogEvent, type MonitoringAlert, type Scope, type SecurityAlert } from '@1security/contract';
import type { z } from 'zod';
import type { OneSecurityClient } from '../create-client';

/** The three feeds `onesec` forwards, by the names the API's paths use. */
export const RESOURCE_NAMES = ['logs', 'monitoring-alerts', 'security-alerts'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

/** Any item of any feed, tagged with its resource. */
export type ResourceItem =
  | { resource: 'logs'; item: LogEvent }
  | { resource: 'monitoring-alerts'; item: MonitoringAlert }
  | { resource: 'security-alerts'; item: SecurityAlert };

/**
 * What `onesec` calls on a resource of the client, without each resource's item type: the three
 * resources' generic methods form a union TypeScript cannot call, and the items go through
 * `toOutputRecords` keyed by the resource name anyway.
 */
interface ClientResource {
  pages(params: never): AsyncIterable<{ data: readonly unknown[] }>;
  syncBatches(options: never): AsyncIterable<{ items: readonly unknown[] }>;
}

export interface ResourceEntry {
  name: ResourceName;
  scope: Scope;
  /** The changes feed's query schema: the filters `onesec` accepts are exactly its keys. */
  changesQuery: z.AnyZodObject;
  /** The list's query schema, for `export`. */
  listQuery: z.AnyZodObject;
  /** The item field the feed and the list sort and window on. */
  timeField: string;
  client(client: OneSecurityClient): ClientResource;
}

export const RESOURCES: Record<ResourceName, ResourceEntry> = {
  logs: {
    name: 'logs',
    scope: 'logs:read',
    changesQuery: contract.logs.listLogChanges.query as z.AnyZodObject,
    listQuery: contract.logs.listLogs.query as z.AnyZodObject,
    timeField: 'discoveredAt',
    client: (c) => c.logs,
  },
  'monitoring-alerts': {
    name: 'monitoring-alerts',
    scope: 'monitoring-alerts:read',
    changesQuery: contract.monitoringAlerts.listMonitoringAlertChanges.query as z.AnyZodObject,
    listQuery: contract.monitoringAlerts.listMonitoringAlerts.query as z.AnyZodObject,
    timeField: 'updatedAt',
    client: (c) => c.monitoringAlerts,
  },
  'security-alerts': {
    name: 'security-alerts',
    scope: 'security-alerts:read',
    changesQuery: contract.securityAlerts.listSecurityAlertChanges.query as z.AnyZodObject,
    listQuery: contract.securityAlerts.listSecurityAlerts.query as z.AnyZodObject,
    timeField: 'updatedAt',
    client: (c) => c.securityAlerts,
  },
};

/** Query keys that are not filters: paging and time windows have their own flags. */
export const NON_FILTER_KEYS = new Set(['cursor', 'limit', 'from', 'since', 'until', 'order', 'include']);

/** The filter names a resource accepts (the API's own query parameter names). */
export function filterNamesOf(resource: ResourceName): string[] {
  return Object.keys(RESOURCES[resource].changesQuery.shape).filter((key) => !NON_FILTER_KEYS.has(key));
}

/** Every filter name of every resource, in a stable order. */
export function allFilterNames(): string[] {
  return [...new Set(RESOURCE_NAMES.flatMap(filterNamesOf))];
}

/** The item's own time, the syslog TIMESTAMP: when it happened (logs) or last changed (alerts). */
export function eventTimeOf(entry: ResourceItem): string {
  return entry.resource === 'logs' ? entry.item.occurredAt : entry.item.updatedAt;
}
