import type { ApiKeysTable } from '../api-keys/api-keys.table';
import type { TenantsTable } from '../tenants/tenants.table';

/** Every table Kysely knows, by name. Each resource declares its own in `<resource>.table.ts`. */
export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
}
