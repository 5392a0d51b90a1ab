import http from 'node:http';
import { generateOpenApiDocument } from '@1security/contract/openapi';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { expectMatchesOpenApi } from './support/openapi-validator';
import { rawRequest } from './support/raw-http';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createKey, createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

/**
 * Tenant isolation, property-based: random tenants with random, deliberately overlapping data
 * (the same item ids, source ids and timestamps in several tenants), read through every list,
 * changes feed and detail endpoint with random filters, page sizes and cursors. No response
 * ever carries another tenant's item, and no cursor carries one tenant's position to another.
 * ISOLATION_RUNS scales the number of random worlds.
 */

const RUNS = Number(process.env.ISOLATION_RUNS ?? 25);
const API = '/api/v1';
const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
/** Ids shared by every tenant: the primary key is (tenant, id), so they may collide across tenants. */
const ID_POOL = Array.from({ length: 10 }, () => ulid());
const TIMES = [0, 1, 2, 3, 4, 5].map((s) => at(s * 1000));

/* eslint-disable @typescript-eslint/no-explicit-any -- walking the OpenAPI document */
const doc = generateOpenApiDocument() as any;
const LISTS = (Object.keys(doc.paths) as string[]).filter((t) => t !== '/ping' && !t.includes('{'));
const queryParameters = (template: string): Array<{ name: string; schema: any }> =>
  (doc.paths[template].get.parameters ?? []).filter((p: { in: string }) => p.in === 'query');
/* eslint-enable @typescript-eslint/no-explicit-any */

type Resource = 'logs' | 'monitoring-alerts' | 'security-alerts';
const resourceOf = (template: string) => template.split('/')[1] as Resource;
/** The field each resource's item carries the owning tenant's tag in. */
const MARKER: Record<Resource, string> = {
  logs: 'resourceName',
  'monitoring-alerts': 'description',
  'security-alerts': 'title',
};

const rowArb = fc.record({
  id: fc.nat(ID_POOL.length - 1),
  time: fc.nat(TIMES.length - 1),
  severity: fc.constantFrom(...SEVERITIES),
  flag: fc.boolean(),
});
const rowsArb = fc.uniqueArray(rowArb, { selector: (r) => r.id, maxLength: 8 });
const worldArb = fc.array(fc.record({ logs: rowsArb, monitoring: rowsArb, security: rowsArb }), {
  minLength: 2,
  maxLength: 3,
});

/** A valid query for an endpoint: random filters from its documented parameters, a small page size. */
function queryArb(template: string): fc.Arbitrary<Record<string, string>> {
  const entries = queryParameters(template)
    .filter((p) => p.name !== 'cursor' && p.name !== 'limit')
    .map((p): [string, fc.Arbitrary<string>] => {
      const { name, schema } = p;
      if (schema.type === 'array' && schema.items?.enum)
        return [name, fc.subarray(schema.items.enum as string[], { minLength: 1 }).map((v) => v.join(','))];
      if (schema.enum) return [name, fc.constantFrom(...(schema.enum as string[]))];
      if (schema.type === 'boolean') return [name, fc.constantFrom('true', 'false')];
      if (name === 'since' || name === 'from')
        return [name, fc.constantFrom(...TIMES.slice(0, 3)).map((d) => d.toISOString())];
      if (name === 'until') return [name, fc.constantFrom(...TIMES.slice(3)).map((d) => d.toISOString())];
      if (name === 'actor')
        return [name, fc.constantFrom('jane@contoso.com', 'JANE@contoso.com', 'nobody@contoso.com')];
      return [name, fc.constantFrom('FileDownloaded', 'SharePoint', 'file', 'site', 'Finance')];
    });
  return fc
    .record({
      filters: fc.record(Object.fromEntries(entries), { requiredKeys: [] }),
      limit: fc.integer({ min: 1, max: 4 }),
    })
    .map(({ filters, limit }) => ({ ...(filters as Record<string, string>), limit: String(limit) }));
}

interface Tenant {
  tag: string;
  tenantId: string;
  secret: string;
  ids: Record<Resource, Set<string>>;
}

let database: TestDatabase;
let server: TestServer;
let agent: http.Agent;
const everyTenant: Tenant[] = [];
let requests = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database, { rateLimitPerMinute: 10_000_000 });
  agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
});
afterAll(async () => {
  agent?.destroy();
  await server?.close();
  await database?.close();
});

async function get(secret: string, template: string, query: Record<string, string> = {}, path = template) {
  const search = new URLSearchParams(query).toString();
  const res = await rawRequest(
    server.url,
    `${API}${path}${search ? `?${search}` : ''}`,
    { authorization: `Bearer ${secret}` },
    agent,
  );
  requests++;
  const body = JSON.parse(res.body);
  expectMatchesOpenApi(template, res.status, body);
  return { status: res.status, body };
}

/** Every item an item list or feed response may carry must be this tenant's own. */
function expectOwn(tenant: Tenant, resource: Resource, items: Array<Record<string, unknown>>, context: string) {
  for (const item of items) {
    expect(item[MARKER[resource]], context).toBe(tenant.tag);
    expect(tenant.ids[resource].has(item.id as string), context).toBe(true);
  }
}

/** The next page's query: the same filters plus the cursor (a feed's `from` only goes with its first call). */
function withCursor(query: Record<string, string>, cursor: string): Record<string, string> {
  const { from: _from, ...rest } = query;
  return { ...rest, cursor };
}

/** Follows nextCursor to the end (or, for a feed, until it has caught up); returns the items and the cursors seen. */
async function walk(tenant: Tenant, template: string, query: Record<string, string>) {
  const items: Array<Record<string, unknown>> = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const { status, body } = await get(tenant.secret, template, cursor ? withCursor(query, cursor) : query);
    expect(status, `${template} ${JSON.stringify(query)} ${JSON.stringify(body)}`).toBe(200);
    expectOwn(tenant, resourceOf(template), body.data, `${template} ${JSON.stringify(query)}`);
    items.push(...body.data);
    if (body.pagination.nextCursor) cursors.push(body.pagination.nextCursor);
    if (!body.pagination.hasMore) return { items, cursors };
    cursor = body.pagination.nextCursor;
  }
  throw new Error(`${template}: pagination did not end`);
}

interface Row {
  id: number;
  time: number;
  severity: (typeof SEVERITIES)[number];
  flag: boolean;
}

async function createWorld(world: Array<{ logs: Row[]; monitoring: Row[]; security: Row[] }>) {
  const tenants: Tenant[] = [];
  for (const data of world) {
    const key = await createTenantWithKey(database);
    const tag = `tenant-${key.tenantId}`;
    const stamp = (r: Row) => ({ id: ID_POOL[r.id]!, source_id: `src-${r.id}` });
    await insertLogs(
      database.db,
      data.logs.map((r) =>
        makeLogEvent(key.tenantId, {
          ...stamp(r),
          discovered_at: TIMES[r.time]!,
          severity: r.severity,
          resource_name: tag,
          actor_name: r.flag ? 'Jane@Contoso.com' : 'bob@contoso.com',
        }),
      ),
    );
    await insertMonitoringAlerts(
      database.db,
      data.monitoring.map((r) =>
        makeMonitoringAlert(key.tenantId, {
          ...stamp(r),
          updated_at: TIMES[r.time]!,
          severity: r.severity,
          description: tag,
          status: r.flag ? 'resolved' : 'open',
          resolved_at: r.flag ? TIMES[r.time]! : null,
        }),
      ),
    );
    await insertSecurityAlerts(
      database.db,
      data.security.map((r) =>
        makeSecurityAlert(key.tenantId, {
          ...stamp(r),
          updated_at: TIMES[r.time]!,
          severity: r.severity,
          title: tag,
          status: r.flag ? 'resolved' : 'new',
        }),
      ),
    );
    const tenant: Tenant = {
      tag,
      tenantId: key.tenantId,
      secret: key.secret,
      ids: {
        logs: new Set(data.logs.map((r) => ID_POOL[r.id]!)),
        'monitoring-alerts': new Set(data.monitoring.map((r) => ID_POOL[r.id]!)),
        'security-alerts': new Set(data.security.map((r) => ID_POOL[r.id]!)),
      },
    };
    tenants.push(tenant);
    everyTenant.push(tenant);
  }
  return tenants;
}

describe(`tenant isolation, property-based (${ENGINE})`, () => {
  it('no list, feed, detail or cursor ever yields another tenant’s item', async () => {
    const queriesArb = fc.record(
      Object.fromEntries(LISTS.map((t) => [t, queryArb(t)])) as Record<string, fc.Arbitrary<Record<string, string>>>,
    );
    await fc.assert(
      fc.asyncProperty(worldArb, queriesArb, fc.integer({ min: 1, max: 5 }), async (world, queries, limit) => {
        const tenants = await createWorld(world);
        const cursorsByTenant = new Map<
          Tenant,
          Array<{ template: string; query: Record<string, string>; cursor: string }>
        >();
        for (const tenant of tenants) {
          const issued: Array<{ template: string; query: Record<string, string>; cursor: string }> = [];
          for (const template of LISTS) {
            const resource = resourceOf(template);
            // Unfiltered: exactly the tenant's own items, each once, whatever the page size. A
            // feed only serves transactions older than every open one in the cluster (other
            // suites share it), so it may lag behind: there, no more than the tenant's own.
            const all = await walk(tenant, template, { limit: String(limit) });
            const seen = all.items.map((i) => i.id as string).sort();
            expect(new Set(seen).size, template).toBe(seen.length);
            if (template.endsWith('/changes'))
              expect(
                seen.every((id) => tenant.ids[resource].has(id)),
                template,
              ).toBe(true);
            else expect(seen, template).toEqual([...tenant.ids[resource]].sort());
            all.cursors.forEach((cursor) => issued.push({ template, query: { limit: String(limit) }, cursor }));
            // Random filters: a subset of the tenant's own items.
            const filtered = await walk(tenant, template, queries[template]!);
            filtered.cursors.forEach((cursor) => issued.push({ template, query: queries[template]!, cursor }));
          }
          cursorsByTenant.set(tenant, issued);
          // Detail: own ids answer with the tenant's own item, every other id in the pool is 404.
          for (const resource of ['logs', 'monitoring-alerts', 'security-alerts'] as const) {
            for (const id of ID_POOL) {
              const { status, body } = await get(tenant.secret, `/${resource}/{id}`, {}, `/${resource}/${id}`);
              if (tenant.ids[resource].has(id)) {
                expect(status).toBe(200);
                expectOwn(tenant, resource, [body.data], `/${resource}/${id}`);
              } else {
                expect(status, `/${resource}/${id}`).toBe(404);
                expect(body.error.code).toBe('NOT_FOUND');
              }
            }
          }
        }
        // A cursor issued to one tenant is refused for any other, with the same filters.
        for (const [owner, issued] of cursorsByTenant) {
          for (const other of everyTenant.filter((t) => t !== owner).slice(-3)) {
            for (const { template, query, cursor } of issued.slice(0, 6)) {
              const { status, body } = await get(other.secret, template, withCursor(query, cursor));
              expect(status, `${template} cursor of ${owner.tag} used by ${other.tag}`).toBe(400);
              expect(body.error.code).toBe('INVALID_CURSOR');
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
    console.info(`isolation (${ENGINE}): ${everyTenant.length} tenants, ${requests} requests`);
  }, 240_000); // ~10 s alone; far longer when the machine is busy with other suites

  it('a second key of the same tenant sees the same items, and a key of a tenant with no data sees none', async () => {
    const owner = everyTenant.find((t) => t.ids.logs.size > 0)!;
    const second = await createKey(database, owner.tenantId);
    const empty = await createTenantWithKey(database);
    for (const template of LISTS) {
      const { body } = await get(second.secret, template, { limit: '1000' });
      expectOwn(owner, resourceOf(template), body.data, template);
      expect((await get(empty.secret, template, { limit: '1000' })).body.data, template).toEqual([]);
    }
  });
});
