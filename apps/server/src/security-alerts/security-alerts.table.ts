import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { SecurityAlert, SecurityAlertDetail, Severity } from '@1security/contract';

type Json<T> = ColumnType<T, string, string>;

export interface SecurityAlertsTable {
  tenant_id: string;
  id: string;
  /** The provider's alert id (Graph `id`), unique per tenant; re-ingesting it updates the alert. */
  source_id: string | null;
  title: string;
  description: string;
  severity: Severity;
  status: SecurityAlert['status'];
  classification: SecurityAlert['classification'];
  category: string;
  /** MITRE ATT&CK technique ids (a JSON array of strings); `[]` when the provider gave none. */
  mitre_techniques: ColumnType<SecurityAlert['mitreTechniques'], string | undefined, string>;
  threat_display_name: string | null;
  first_activity_at: Date | null;
  service_source: string;
  users: Json<SecurityAlert['users']>;
  groups: Json<SecurityAlert['groups']>;
  emails: Json<SecurityAlert['emails']>;
  apps: Json<SecurityAlert['apps']>;
  raw_data: Json<SecurityAlertDetail['rawData']>;
  recommended_actions: string;
  created_at: Date;
  /** Millisecond precision (enforced); lists sort on it. */
  updated_at: Date;
  /** Changes feed position, renewed on every change. */
  txid: ColumnType<string, never, never>;
  seq: ColumnType<string, never, never>;
}
export type SecurityAlertRow = Selectable<SecurityAlertsTable>;
export type NewSecurityAlertRow = Insertable<SecurityAlertsTable>;
