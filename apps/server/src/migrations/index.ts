import type { Migration } from 'kysely';
import * as createTenantsAndApiKeys from './2026_11_26_0001_create_tenants_and_api_keys';
import * as createResources from './2026_11_26_0002_create_resources';
import * as keepRawAlertPayloadVerbatim from './2026_11_26_0003_keep_raw_alert_payload_verbatim';
import * as keepRawRecordsAndMitreTechniques from './2026_11_30_0004_keep_raw_records_and_mitre_techniques';
import * as createDashboardUsersAndSessions from './2026_11_30_0005_create_dashboard_users_and_sessions';
import * as apiKeyLivenessCheck from './2026_11_30_0006_api_key_liveness_check';
import * as webhooks from './2026_11_30_0007_webhooks';
import * as tenantRetentionAndMaintenanceLeases from './2026_11_30_0008_tenant_retention_and_maintenance_leases';

/**
 * Every migration, in order. Listed here rather than read from the folder so that the
 * same set runs whatever loads the code (tsx, a bundle, the tests).
 */
export const migrations: Record<string, Migration> = {
  '2026_11_26_0001_create_tenants_and_api_keys': createTenantsAndApiKeys,
  '2026_11_26_0002_create_resources': createResources,
  '2026_11_26_0003_keep_raw_alert_payload_verbatim': keepRawAlertPayloadVerbatim,
  '2026_11_30_0004_keep_raw_records_and_mitre_techniques': keepRawRecordsAndMitreTechniques,
  '2026_11_30_0005_create_dashboard_users_and_sessions': createDashboardUsersAndSessions,
  '2026_11_30_0006_api_key_liveness_check': apiKeyLivenessCheck,
  '2026_11_30_0007_webhooks': webhooks,
  '2026_11_30_0008_tenant_retention_and_maintenance_leases': tenantRetentionAndMaintenanceLeases,
};
