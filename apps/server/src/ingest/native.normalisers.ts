import {
  ACTOR_TYPES,
  AssignedUserSchema,
  MONITORING_ALERT_STATUSES,
  MonitoringAlertResourceSchema,
  MonitoringPolicyRefSchema,
  SECURITY_ALERT_CLASSIFICATIONS,
  SECURITY_ALERT_STATUSES,
  SEVERITIES,
  SecurityAlertAppSchema,
  SecurityAlertEmailSchema,
  SecurityAlertGroupSchema,
  SecurityAlertUserSchema,
} from '@1security/contract';
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { LogNormaliser, MonitoringAlertNormaliser, SecurityAlertNormaliser } from './ingest.types';
import { rejected } from './ingest.types';

/**
 * The "native" format: records in the API's own item shapes (camelCase), one JSON object
 * per line. Every field a record carries is kept exactly as given; what it omits is stamped
 * here (ids as ULIDs, times as the ingestion time). `sourceId` (or else `id`) is what makes
 * re-ingesting the same record a no-op, or an update for alerts; a record with neither is
 * identified by a hash of its content, so re-ingesting the same file is still a no-op.
 */

/** JSON with object keys sorted, so equal records hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The source id of a record: its own `sourceId` or `id`, else a hash of its content. */
function sourceIdOf(record: unknown, given: { sourceId?: string | undefined; id?: string | undefined }): string {
  return given.sourceId ?? given.id ?? `sha256:${hash('sha256', canonicalJson(record), 'base64url')}`;
}

const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:~-]+$/, 'must be 1-128 URL-safe characters');
const Timestamp = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 timestamp with a time zone' })
  .transform((value) => new Date(value));
const Text = z.string().max(100_000);
const IpAddress = z.string().refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address (or null)');

/** "field: problem; field: problem" — the first few issues, naming each field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
    .join('; ');
}

const NativeLogSchema = z.object({
  id: Id.optional(),
  sourceId: Id.optional(),
  occurredAt: Timestamp,
  discoveredAt: Timestamp.optional(),
  action: Text.min(1),
  severity: z.enum(SEVERITIES),
  actorName: Text.min(1),
  actorType: z.enum(ACTOR_TYPES),
  actorIp: IpAddress.nullable().optional(),
  resourceName: Text.nullable().optional(),
  resourceType: Text.min(1),
  workload: Text.min(1),
  applicationDisplayName: Text.nullable().optional(),
  rawData: z.record(z.unknown()).nullable().optional(),
});

export const normaliseNativeLog: LogNormaliser = (record, ctx) => {
  const parsed = NativeLogSchema.safeParse(record);
  if (!parsed.success) return rejected(describeZodError(parsed.error));
  const r = parsed.data;
  const id = r.id ?? ctx.newId();
  return {
    ok: true,
    row: {
      tenant_id: ctx.tenantId,
      id,
      source_id: sourceIdOf(record, r),
      occurred_at: r.occurredAt,
      discovered_at: r.discoveredAt ?? ctx.now,
      action: r.action,
      severity: r.severity,
      actor_name: r.actorName,
      actor_type: r.actorType,
      actor_ip: r.actorIp ?? null,
      resource_name: r.resourceName ?? null,
      resource_type: r.resourceType,
      workload: r.workload,
      application_display_name: r.applicationDisplayName ?? null,
      raw_data: r.rawData ? JSON.stringify(r.rawData) : null,
    },
  };
};

/** `isResolved` is derived from `status`; a record that contradicts it is rejected, not guessed at. */
function consistentResolution(status: string, isResolved: boolean | undefined): boolean {
  return isResolved === undefined || isResolved === (status === 'resolved');
}

const NativeMonitoringAlertSchema = z.object({
  id: Id.optional(),
  sourceId: Id.optional(),
  name: Text.min(1),
  severity: z.enum(SEVERITIES),
  status: z.enum(MONITORING_ALERT_STATUSES),
  isResolved: z.boolean().optional(),
  resourceType: Text.min(1),
  resources: z.array(MonitoringAlertResourceSchema).default([]),
  assignedUser: AssignedUserSchema.nullable().optional(),
  description: Text.default(''),
  createdFrom: MonitoringPolicyRefSchema,
  lastScan: Timestamp.nullable().optional(),
  resolvedAt: Timestamp.nullable().optional(),
  snoozedAt: Timestamp.nullable().optional(),
  createdAt: Timestamp.optional(),
  updatedAt: Timestamp.optional(),
  rawData: z.record(z.unknown()).nullable().optional(),
});

export const normaliseNativeMonitoringAlert: MonitoringAlertNormaliser = (record, ctx) => {
  const parsed = NativeMonitoringAlertSchema.safeParse(record);
  if (!parsed.success) return rejected(describeZodError(parsed.error));
  const r = parsed.data;
  if (!consistentResolution(r.status, r.isResolved)) return rejected(`isResolved: contradicts status "${r.status}"`);
  return {
    ok: true,
    row: {
      tenant_id: ctx.tenantId,
      id: r.id ?? ctx.newId(),
      source_id: sourceIdOf(record, r),
      name: r.name,
      severity: r.severity,
      status: r.status,
      resource_type: r.resourceType,
      resources: JSON.stringify(r.resources),
      assigned_user: JSON.stringify(r.assignedUser ?? null),
      description: r.description,
      created_from: JSON.stringify(r.createdFrom),
      last_scan: r.lastScan ?? null,
      resolved_at: r.resolvedAt ?? (r.status === 'resolved' ? (r.updatedAt ?? ctx.now) : null),
      snoozed_at: r.snoozedAt ?? null,
      raw_data: r.rawData ? JSON.stringify(r.rawData) : null,
      created_at: r.createdAt ?? ctx.now,
      updated_at: r.updatedAt ?? ctx.now,
    },
  };
};

const NativeSecurityAlertSchema = z.object({
  id: Id.optional(),
  sourceId: Id.optional(),
  title: Text.min(1),
  description: Text.default(''),
  severity: z.enum(SEVERITIES),
  status: z.enum(SECURITY_ALERT_STATUSES),
  isResolved: z.boolean().optional(),
  classification: z.enum(SECURITY_ALERT_CLASSIFICATIONS).nullable().optional(),
  category: Text.min(1),
  mitreTechniques: z.array(Text).default([]),
  threatDisplayName: Text.nullable().optional(),
  firstActivityDateTime: Timestamp.nullable().optional(),
  users: z.array(SecurityAlertUserSchema).default([]),
  groups: z.array(SecurityAlertGroupSchema).default([]),
  emails: z.array(SecurityAlertEmailSchema).default([]),
  apps: z.array(SecurityAlertAppSchema).default([]),
  serviceSource: Text.min(1),
  createdAt: Timestamp.optional(),
  updatedAt: Timestamp.optional(),
  rawData: z.record(z.unknown()).default({}),
  recommendedActions: Text.default(''),
});

export const normaliseNativeSecurityAlert: SecurityAlertNormaliser = (record, ctx) => {
  const parsed = NativeSecurityAlertSchema.safeParse(record);
  if (!parsed.success) return rejected(describeZodError(parsed.error));
  const r = parsed.data;
  if (!consistentResolution(r.status, r.isResolved)) return rejected(`isResolved: contradicts status "${r.status}"`);
  return {
    ok: true,
    row: {
      tenant_id: ctx.tenantId,
      id: r.id ?? ctx.newId(),
      source_id: sourceIdOf(record, r),
      title: r.title,
      description: r.description,
      severity: r.severity,
      status: r.status,
      classification: r.classification ?? null,
      category: r.category,
      mitre_techniques: JSON.stringify(r.mitreTechniques),
      threat_display_name: r.threatDisplayName ?? null,
      first_activity_at: r.firstActivityDateTime ?? null,
      service_source: r.serviceSource,
      users: JSON.stringify(r.users),
      groups: JSON.stringify(r.groups),
      emails: JSON.stringify(r.emails),
      apps: JSON.stringify(r.apps),
      raw_data: JSON.stringify(r.rawData),
      recommended_actions: r.recommendedActions,
      created_at: r.createdAt ?? ctx.now,
      updated_at: r.updatedAt ?? ctx.now,
    },
  };
};
