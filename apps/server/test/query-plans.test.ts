import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEventChangesQuery, logEventsQuery } from '../src/logs/logs.repository';
import {
  monitoringAlertChangesQuery,
  monitoringAlertsQuery,
} from '../src/monitoring-alerts/monitoring-alerts.repository';
import { securityAlertChangesQuery, securityAlertsQuery } from '../src/security-alerts/security-alerts.repository';
import { createTenant } from '../src/tenants/tenants.repository';
import { at, makeLogEvent, makeMonitoringAlert, makeSecurityAlert } from './support/factories';
import { insertLogEvents } from '../src/logs/logs.repository';
import { upsertMonitoringAlerts } from '../src/monitoring-alerts/monitoring-alerts.repository';
import { upsertSecurityAlerts } from '../src/security-alerts/security-alerts.repository';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';

/* eslint-disable @typescript-eslint/no-explicit-any -- EXPLAIN output is untyped JSON */

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/**
 * Every list and changes-feed query is an index range scan that already yields rows in the
 * requested order (no Sort node), on an index that leads with tenant_id, whatever the depth.
 * The printed plans are the "EXPLAIN of each list query" the design asks to show.
 */
describe(`query plans (${ENGINE})`, () => {
  let database: TestDatabase;
  const tenants: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let t = 0; t < 4; t++) {
      const tenant = await createTenant(database.db, `plan tenant ${t}`);
      tenants.push(tenant.id);
      const logs = Array.from({ length: 3000 }, (_, i) =>
        makeLogEvent(tenant.id, {
          discovered_at: at(i * 1000),
          severity: (['low', 'medium', 'high', 'critical'] as const)[i % 4],
          actor_name: `user${i % 300}@contoso.com`,
        }),
      );
      for (let i = 0; i < logs.length; i += 500) await insertLogEvents(database.db, logs.slice(i, i + 500));
      await upsertMonitoringAlerts(
        database.db,
        Array.from({ length: 600 }, (_, i) => makeMonitoringAlert(tenant.id, { updated_at: at(i * 1000) })),
      );
      await upsertSecurityAlerts(
        database.db,
        Array.from({ length: 600 }, (_, i) => makeSecurityAlert(tenant.id, { updated_at: at(i * 1000) })),
      );
    }
    await sql`analyze`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const tenant = () => tenants[1]!;
  const deep = (): [Date, string] => [at(2500 * 1000), '01ZZZZZZZZZZZZZZZZZZZZZZZZ'];

  const cases: Array<[string, () => any, string]> = [
    [
      'logs, first page, newest first',
      () => logEventsQuery(database.db, tenant(), {}, { order: 'desc' }, undefined, 51),
      'log_events_list_idx',
    ],
    [
      'logs, deep page, oldest first',
      () => logEventsQuery(database.db, tenant(), {}, { order: 'asc' }, deep(), 51),
      'log_events_list_idx',
    ],
    [
      'logs, severity filter and window',
      () =>
        logEventsQuery(
          database.db,
          tenant(),
          { severity: ['high', 'critical'] },
          { order: 'desc', since: at(0), until: at(2_000_000) },
          deep(),
          51,
        ),
      'log_events_list_idx',
    ],
    [
      'logs, deep page, include=rawData',
      () => logEventsQuery(database.db, tenant(), {}, { order: 'desc' }, deep(), 51, { rawData: true }),
      'log_events_list_idx',
    ],
    [
      'logs changes feed, include=rawData',
      () => logEventChangesQuery(database.db, tenant(), {}, ['0', '0'], '999999999', undefined, 51, { rawData: true }),
      'log_events_changes_idx',
    ],
    [
      'logs, actor',
      () => logEventsQuery(database.db, tenant(), { actor: 'User7@contoso.com' }, { order: 'desc' }, deep(), 51),
      'log_events_actor_idx',
    ],
    [
      'logs changes feed',
      () => logEventChangesQuery(database.db, tenant(), {}, ['0', '0'], '999999999', undefined, 51),
      'log_events_changes_idx',
    ],
    [
      'monitoring alerts, deep page',
      () => monitoringAlertsQuery(database.db, tenant(), {}, { order: 'desc' }, deep(), 51),
      'monitoring_alerts_list_idx',
    ],
    [
      'monitoring alerts changes feed',
      () => monitoringAlertChangesQuery(database.db, tenant(), {}, ['0', '0'], '999999999', undefined, 51),
      'monitoring_alerts_changes_idx',
    ],
    [
      'security alerts, deep page',
      () => securityAlertsQuery(database.db, tenant(), { isResolved: false }, { order: 'asc' }, deep(), 51),
      'security_alerts_list_idx',
    ],
    [
      'monitoring alerts, deep page, include=rawData',
      () => monitoringAlertsQuery(database.db, tenant(), {}, { order: 'desc' }, deep(), 51, { rawData: true }),
      'monitoring_alerts_list_idx',
    ],
    [
      'security alerts, deep page, include=rawData',
      () => securityAlertsQuery(database.db, tenant(), {}, { order: 'asc' }, deep(), 51, { rawData: true }),
      'security_alerts_list_idx',
    ],
    [
      'security alerts changes feed',
      () => securityAlertChangesQuery(database.db, tenant(), {}, ['0', '0'], '999999999', undefined, 51),
      'security_alerts_changes_idx',
    ],
  ];

  it.each(cases)('%s: an ordered index scan, no sort', async (label, query, index) => {
    const rows = (await query().explain('json')) as Array<Record<string, any>>;
    const plan = (rows[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
    const nodes = nodesOf(plan);
    if (process.env.PRINT_PLANS) console.log(`\n${label}\n${JSON.stringify(plan, null, 1)}`);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(nodes.some((n) => n['Index Name'] === index && /Index/.test(n['Node Type']))).toBe(true);
  });
});
