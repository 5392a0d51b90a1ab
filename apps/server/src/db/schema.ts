import type { ApiKeysTable } from '../api-keys/api-keys.table';
import type { LogEventsTable } from '../logs/logs.table';
import type { MaintenanceLeasesTable } from '../maintenance/maintenance-lease';
import type { MonitoringAlertsTable } from '../monitoring-alerts/monitoring-alerts.table';
import type { SecurityAlertsTable } from '../security-alerts/security-alerts.table';
import type { TenantsTable } from '../tenants/tenants.table';
import type { SetPasswordTokensTable, UserSessionsTable, UsersTable } from '../users/users.table';
import type {
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WebhookPositionsTable,
} from '../webhooks/webhooks.table';

/** Every table Kysely knows, by name. Each resource declares its own in `<resource>.table.ts`. */
export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  log_events: LogEventsTable;
  monitoring_alerts: MonitoringAlertsTable;
  security_alerts: SecurityAlertsTable;
  server_secrets: ServerSecretsTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  set_password_tokens: SetPasswordTokensTable;
  maintenance_leases: MaintenanceLeasesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_positions: WebhookPositionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** Secrets the server generates once and every instance shares (e.g. the cursor signing key). */
export interface ServerSecretsTable {
  name: string;
  value: string;
}
