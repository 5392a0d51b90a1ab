import type { ColumnType, Selectable } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type TenantRow = Selectable<TenantsTable>;
