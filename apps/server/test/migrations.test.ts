import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate';
import { logEventsTable } from '../src/logs/logs.repository';
import { migrations } from '../src/migrations/index';
import { monitoringAlertsTable } from '../src/monitoring-alerts/monitoring-alerts.repository';
import { findDetail } from '../src/resources/resource-query';
import { securityAlertsTable } from '../src/security-alerts/security-alerts.repository';
import { createTenant } from '../src/tenants/tenants.repository';
import { makeLogEvent, makeMonitoringAlert, makeSecurityAlert } from './support/factories';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';

describe(`migration 0004: raw records and MITRE techniques, on rows stored before it (${ENGINE})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('leaves old logs and monitoring alerts without a raw record, and backfills mitreTechniques from rawData', async () => {
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo('2026_11_26_0003_keep_raw_alert_payload_verbatim');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['2026_11_30_0008_tenant_retention_and_maintenance_leases', 'Down', 'Success'],
      ['2026_11_30_0007_webhooks', 'Down', 'Success'],
      ['2026_11_30_0006_api_key_liveness_check', 'Down', 'Success'],
      ['2026_11_30_0005_create_dashboard_users_and_sessions', 'Down', 'Success'],
      ['2026_11_30_0004_keep_raw_records_and_mitre_techniques', 'Down', 'Success'],
    ]);

    const tenant = await createTenant(database.db, 'before 0004');
    const log = makeLogEvent(tenant.id);
    const monitoring = makeMonitoringAlert(tenant.id);
    const alert = (rawData: unknown) => makeSecurityAlert(tenant.id, { raw_data: JSON.stringify(rawData) });
    const alerts = {
      withTechniques: alert({ id: 'a1', mitreTechniques: ['T1566.002', 'T1204.001'] }),
      without: alert({ id: 'a2' }),
      empty: alert({ id: 'a3', mitreTechniques: [] }),
      notStrings: alert({ id: 'a4', mitreTechniques: ['T1566', 7] }),
      notAnArray: alert({ id: 'a5', mitreTechniques: 'T1566' }),
    };
    // The tables as they were: written without the columns 0004 adds.
    await database.db.insertInto('log_events').values(log).execute();
    await database.db.insertInto('monitoring_alerts').values(monitoring).execute();
    await database.db.insertInto('security_alerts').values(Object.values(alerts)).execute();

    expect(await migrateToLatest(database.db)).toEqual([
      '2026_11_30_0004_keep_raw_records_and_mitre_techniques',
      '2026_11_30_0005_create_dashboard_users_and_sessions',
      '2026_11_30_0006_api_key_liveness_check',
      '2026_11_30_0007_webhooks',
      '2026_11_30_0008_tenant_retention_and_maintenance_leases',
    ]);

    expect((await findDetail(database.db, logEventsTable, { tenantId: tenant.id, id: log.id }))?.rawData).toBeNull();
    expect(
      (await findDetail(database.db, monitoringAlertsTable, { tenantId: tenant.id, id: monitoring.id }))?.rawData,
    ).toBeNull();
    const techniques = async (row: { id: string }) =>
      (await findDetail(database.db, securityAlertsTable, { tenantId: tenant.id, id: row.id }))?.mitreTechniques;
    expect(await techniques(alerts.withTechniques)).toEqual(['T1566.002', 'T1204.001']);
    expect(await techniques(alerts.without)).toEqual([]);
    expect(await techniques(alerts.empty)).toEqual([]);
    expect(await techniques(alerts.notStrings)).toEqual([]);
    expect(await techniques(alerts.notAnArray)).toEqual([]);
    // The raw payload itself is untouched.
    expect(
      (await findDetail(database.db, securityAlertsTable, { tenantId: tenant.id, id: alerts.withTechniques.id }))
        ?.rawData,
    ).toEqual({
      id: 'a1',
      mitreTechniques: ['T1566.002', 'T1204.001'],
    });
  });
});
