import type { NewLogEventRow } from '../logs/logs.table';
import type { NewMonitoringAlertRow } from '../monitoring-alerts/monitoring-alerts.table';
import type { NewSecurityAlertRow } from '../security-alerts/security-alerts.table';

export { RESOURCE_NAMES as RESOURCE_TYPES, type ResourceName as IngestResourceType } from '../resources/resource-names';

export const INGEST_FORMATS = ['native', 'o365', 'graph'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

/** What every normaliser receives besides the record. */
export interface NormaliseContext {
  tenantId: string;
  /** Ingestion time, millisecond precision: stamps `discoveredAt` and missing times. */
  now: Date;
  /** Mints ids for records that carry none (a ULID factory). */
  newId: () => string;
}

/** A normaliser's answer: the row to store, or why the record was rejected. */
export type Normalised<Row> = { ok: true; row: Row } | { ok: false; reason: string };

export type LogNormaliser = (record: unknown, ctx: NormaliseContext) => Normalised<NewLogEventRow>;
export type MonitoringAlertNormaliser = (record: unknown, ctx: NormaliseContext) => Normalised<NewMonitoringAlertRow>;
export type SecurityAlertNormaliser = (record: unknown, ctx: NormaliseContext) => Normalised<NewSecurityAlertRow>;

export function rejected(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
