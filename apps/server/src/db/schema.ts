import type { ApiKeysTable } from '../api-keys/api-keys.table';
import type { LogEventsTable } from '../logs/logs.table';
import type { MonitoringAlertsTable } from '../monitoring-alerts/monitoring-alerts.table';
import type { SecurityAlertsTable } from '../security-alerts/security-alerts.table';
import type { TenantsTable } from '../tenants/tenants.table';

/** Every table Kysely knows, by name. Each resource declares its own in `<resource>.table.ts`. */
export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  log_events: LogEventsTable;
  monitoring_alerts: MonitoringAlertsTable;
  security_alerts: SecurityAlertsTable;
  server_secrets: ServerSecretsTable;
}

/** Secrets the server generates once and every instance shares (e.g. the cursor signing key). */
export interface ServerSecretsTable {
  name: string;
  value: string;
}
