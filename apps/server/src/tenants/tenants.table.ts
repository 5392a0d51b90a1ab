import type { ColumnType, Selectable } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** Audit events, and resolved alerts, older than this many days are removed (1–36500). */
  retention_days: ColumnType<number, number | undefined, number>;
}
export type TenantRow = Selectable<TenantsTable>;
