import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { MonitoringAlert, MonitoringAlertDetail, Severity } from '@1security/contract';

type Json<T> = ColumnType<T, string, string>;

export interface MonitoringAlertsTable {
  tenant_id: string;
  id: string;
  /** The monitoring engine's alert id, unique per tenant; re-ingesting it updates the alert. */
  source_id: string | null;
  name: string;
  severity: Severity;
  status: MonitoringAlert['status'];
  resource_type: string;
  resources: Json<MonitoringAlert['resources']>;
  assigned_user: Json<MonitoringAlert['assignedUser']>;
  description: string;
  created_from: Json<MonitoringAlert['createdFrom']>;
  last_scan: Date | null;
  resolved_at: Date | null;
  snoozed_at: Date | null;
  /** The record as given (json, not jsonb: kept verbatim); null if there was none. */
  raw_data: ColumnType<MonitoringAlertDetail['rawData'], string | null | undefined, string | null>;
  created_at: Date;
  /** Millisecond precision (enforced); lists sort on it. */
  updated_at: Date;
  /** Changes feed position, renewed on every change. */
  txid: ColumnType<string, never, never>;
  seq: ColumnType<string, never, never>;
}
export type MonitoringAlertRow = Selectable<MonitoringAlertsTable>;
export type NewMonitoringAlertRow = Insertable<MonitoringAlertsTable>;
