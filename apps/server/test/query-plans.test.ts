import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLogEvents, logEventsTable } from '../src/logs/logs.repository';
import { deleteExpiredBatch } from '../src/maintenance/retention.repository';
import { securityAlertsTable } from '../src/security-alerts/security-alerts.repository';
import { RESOURCE_LIST } from '../src/resources/registry';
import { changesQuery, listQuery } from '../src/resources/resource-query';
import { createTenant } from '../src/tenants/tenants.repository';
import { at, FACTORIES, makeLogEvent } from './support/factories';
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
      for (const resource of RESOURCE_LIST.filter((r) => r.name !== 'logs')) {
        const factory = FACTORIES[resource.name];
        await resource.write(
          database.db,
          Array.from({ length: 600 }, (_, i) => factory(tenant.id, at(i * 1000))),
        );
      }
    }
    await sql`analyze`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const tenant = () => tenants[1]!;
  const deep = (): [Date, string] => [at(2500 * 1000), '01ZZZZZZZZZZZZZZZZZZZZZZZZ'];

  const feedStart = { after: ['0', '0'] as [string, string], xmin: '999999999', take: 51 };

  // Every resource's list (first and deep pages, both orders, with and without rawData) and
  // feed, from the registry; then the filters that have an index of their own.
  const cases: Array<[string, () => any, string]> = [
    ...RESOURCE_LIST.flatMap((resource): Array<[string, () => any, string]> => {
      const { table } = resource;
      const list = `${table.table}_list_idx`;
      const changes = `${table.table}_changes_idx`;
      const page =
        (window: { order: 'asc' | 'desc' }, after?: [Date, string], rawData = false) =>
        () =>
          listQuery(database.db, table as never, {
            tenantId: tenant(),
            filters: {},
            window,
            after,
            take: 51,
            include: { rawData },
          });
      const feed = (rawData: boolean) => () =>
        changesQuery(database.db, table as never, {
          tenantId: tenant(),
          filters: {},
          ...feedStart,
          include: { rawData },
        });
      return [
        [`${resource.name}, first page, newest first`, page({ order: 'desc' }), list],
        [`${resource.name}, deep page, oldest first`, page({ order: 'asc' }, deep()), list],
        [`${resource.name}, deep page, newest first, include=rawData`, page({ order: 'desc' }, deep(), true), list],
        [`${resource.name} changes feed`, feed(false), changes],
        [`${resource.name} changes feed, include=rawData`, feed(true), changes],
      ];
    }),
    [
      'logs, severity filter and window',
      () =>
        listQuery(database.db, logEventsTable, {
          tenantId: tenant(),
          filters: { severity: ['high', 'critical'] },
          window: { order: 'desc', since: at(0), until: at(2_000_000) },
          after: deep(),
          take: 51,
        }),
      'log_events_list_idx',
    ],
    [
      'logs, actor',
      () =>
        listQuery(database.db, logEventsTable, {
          tenantId: tenant(),
          filters: { actor: 'User7@contoso.com' },
          window: { order: 'desc' },
          after: deep(),
          take: 51,
        }),
      'log_events_actor_idx',
    ],
    [
      'security alerts, unresolved, deep page',
      () =>
        listQuery(database.db, securityAlertsTable, {
          tenantId: tenant(),
          filters: { isResolved: false },
          window: { order: 'asc' },
          after: deep(),
          take: 51,
        }),
      'security_alerts_list_idx',
    ],
  ];

  // Retention: each batch finds its rows oldest first along an index on (tenant_id, time, id)
  // — the list index for audit events, a partial one of resolved alerts for alerts — stops
  // after `limit`, and deletes them by address (ctid): it costs the rows it removes, not the
  // table.
  const retentionCases: Array<[string, string]> = RESOURCE_LIST.map((resource) => [
    resource.name,
    `${resource.table.table}_${resource.expires === 'always' ? 'list' : 'retention'}_idx`,
  ]);
  it.each(retentionCases)('%s retention batch: oldest first along its index, no sort', async (name, index) => {
    const resource = RESOURCE_LIST.find((r) => r.name === name)!;
    const batch = deleteExpiredBatch(resource, { tenantId: tenant(), cutoff: at(1_500_000), limit: 500 });
    const rows = await sql<Record<string, any>>`explain (format json) ${batch}`.execute(database.db);
    const plan = (rows.rows[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
    if (process.env.PRINT_PLANS) console.log(`\n${name} retention batch\n${JSON.stringify(plan, null, 1)}`);
    const nodes = nodesOf(plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(nodes.some((n) => n['Index Name'] === index && /Index/.test(n['Node Type']))).toBe(true);
  });

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
