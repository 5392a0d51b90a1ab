import {
  LogEventDetailSchema,
  LogEventSchema,
  MonitoringAlertDetailSchema,
  MonitoringAlertSchema,
  SecurityAlertDetailSchema,
  SecurityAlertSchema,
} from '@1security/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database';
import { serverSecret } from '../src/db/server-secrets';
import { CursorCodec, fingerprintOf } from '../src/pagination/cursor-codec';
import {
  at,
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { firstFeedPage, getJson } from './support/http';
import { expectMatchesOpenApi } from './support/openapi-validator';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import {
  clientFor,
  createKey,
  createTenantWithKey,
  startTestServer,
  type TestKey,
  type TestServer,
} from './support/test-server';

/** What the generic tests need to know about one resource. */
interface ResourceSpec {
  name: string;
  path: string;
  sortField: 'discoveredAt' | 'updatedAt';
  /** Inserts one row for a tenant at a time (with this raw record, if given); returns its id. */
  insertAt: (db: Db, tenantId: string, time: Date, rawData?: string) => Promise<string>;
}

const RESOURCES: ResourceSpec[] = [
  {
    name: 'audit logs',
    path: '/logs',
    sortField: 'discoveredAt',
    insertAt: async (db, tenantId, time, rawData) =>
      (await insertLogs(db, [makeLogEvent(tenantId, { discovered_at: time, severity: 'high', raw_data: rawData })]))[0]!
        .id,
  },
  {
    name: 'monitoring alerts',
    path: '/monitoring-alerts',
    sortField: 'updatedAt',
    insertAt: async (db, tenantId, time, rawData) =>
      (await insertMonitoringAlerts(db, [makeMonitoringAlert(tenantId, { updated_at: time, raw_data: rawData })]))[0]!
        .id,
  },
  {
    name: 'security alerts',
    path: '/security-alerts',
    sortField: 'updatedAt',
    insertAt: async (db, tenantId, time, rawData) =>
      (
        await insertSecurityAlerts(db, [
          makeSecurityAlert(tenantId, { updated_at: time, ...(rawData !== undefined ? { raw_data: rawData } : {}) }),
        ])
      )[0]!.id,
  },
];

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database, { rateLimitPerMinute: 100_000 });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** Follows nextCursor to the end; runs `between` after each page. Every body is checked against the OpenAPI document. */
async function walk(
  key: TestKey,
  path: string,
  query: Record<string, string | string[] | number>,
  between: () => Promise<void> = async () => {},
) {
  const items: Array<{ id: string } & Record<string, unknown>> = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const res = await getJson(server, key.secret, path, { ...query, cursor });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectMatchesOpenApi(path, 200, res.body);
    const { data, pagination } = res.body;
    expect(pagination.hasMore).toBe(pagination.nextCursor !== null);
    items.push(...data);
    if (!pagination.hasMore) return items;
    cursor = pagination.nextCursor;
    await between();
  }
  throw new Error('pagination did not end');
}

describe.each(RESOURCES)('$name: keyset pagination', (resource) => {
  it.each(['asc', 'desc'] as const)(
    'walks every row exactly once, in %s order, while rows are being inserted',
    async (order) => {
      const key = await createTenantWithKey(database);
      const other = await createTenantWithKey(database);
      const expected: Array<{ id: string; time: number }> = [];
      // 23 rows over 9 distinct times: ties on the sort column are broken by id.
      for (let i = 0; i < 23; i++) {
        const time = at((i % 9) * 1000);
        expected.push({ id: await resource.insertAt(database.db, key.tenantId, time), time: time.getTime() });
        await resource.insertAt(database.db, other.tenantId, time);
      }
      let n = 0;
      const inserted: Array<{ id: string; time: number }> = [];
      const items = await walk(key, resource.path, { order, limit: 4 }, async () => {
        // Newer than everything: behind a descending walk, ahead of an ascending one.
        const time = at(3_600_000 + n++ * 1000);
        inserted.push({ id: await resource.insertAt(database.db, key.tenantId, time), time: time.getTime() });
        await resource.insertAt(database.db, other.tenantId, time);
      });
      const all = order === 'asc' ? [...expected, ...inserted] : expected;
      const sign = order === 'asc' ? 1 : -1;
      all.sort((a, b) => sign * (a.time - b.time || (a.id < b.id ? -1 : 1)));
      expect(items.map((item) => item.id)).toEqual(all.map((row) => row.id));
      expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    },
  );

  it('rejects tampered, garbage, cross-filter and cross-tenant cursors with INVALID_CURSOR', async () => {
    const key = await createTenantWithKey(database);
    for (let i = 0; i < 3; i++) await resource.insertAt(database.db, key.tenantId, at(i * 1000));
    const first = await getJson(server, key.secret, resource.path, { limit: 1, severity: 'high' });
    const cursor: string = first.body.pagination.nextCursor;
    expect(cursor).toEqual(expect.any(String));

    const tampered = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
    const otherTenant = await createTenantWithKey(database);
    const cases: Array<[string, TestKey, Record<string, string | number>]> = [
      ['tampered', key, { limit: 1, severity: 'high', cursor: tampered }],
      ['garbage', key, { limit: 1, severity: 'high', cursor: 'not-a-cursor' }],
      ['oversize', key, { limit: 1, severity: 'high', cursor: 'x'.repeat(5000) }],
      ['other filters', key, { limit: 1, severity: 'low', cursor }],
      ['other order', key, { limit: 1, severity: 'high', order: 'asc', cursor }],
      ['other tenant', otherTenant, { limit: 1, severity: 'high', cursor }],
    ];
    for (const [label, who, query] of cases) {
      const res = await getJson(server, who.secret, resource.path, query);
      expect(res.status, label).toBe(400);
      expect(res.body.error.code, label).toBe('INVALID_CURSOR');
      expectMatchesOpenApi(resource.path, 400, res.body);
    }
    // The same filters with a different page size are fine.
    expect((await getJson(server, key.secret, resource.path, { limit: 2, severity: 'high', cursor })).status).toBe(200);
  });

  it("answers 404 for another tenant's id and for unknown ids, never 403", async () => {
    const key = await createTenantWithKey(database);
    const other = await createTenantWithKey(database);
    const own = await resource.insertAt(database.db, key.tenantId, at(0));
    const foreign = await resource.insertAt(database.db, other.tenantId, at(0));
    const ok = await getJson(server, key.secret, `${resource.path}/${own}`);
    expect(ok.status).toBe(200);
    expect(ok.body.data.id).toBe(own);
    expectMatchesOpenApi(`${resource.path}/{id}`, 200, ok.body);
    for (const id of [foreign, '01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'not-an-id', "1' or '1'='1"]) {
      const res = await getJson(server, key.secret, `${resource.path}/${encodeURIComponent(id)}`);
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expectMatchesOpenApi(`${resource.path}/{id}`, 404, res.body);
    }
  });

  it('validates limit, timestamps and windows, naming the parameter', async () => {
    const key = await createTenantWithKey(database);
    const cases: Array<[Record<string, string>, string]> = [
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ limit: '1.5' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ since: 'yesterday' }, 'since'],
      [{ until: '2026-13-45T00:00:00Z' }, 'until'],
      [{ since: '2026-06-05T10:00:00Z', until: '2026-06-05T10:00:00Z' }, 'until'],
      [{ order: 'newest' }, 'order'],
      [{ severity: 'urgent' }, 'severity'],
      [{ severity: '' }, 'severity'],
      [{ include: 'raw' }, 'include'],
      [{ include: 'rawData,recommendedActions' }, 'include'],
      [{ include: '' }, 'include'],
    ];
    for (const [query, parameter] of cases) {
      const res = await getJson(server, key.secret, resource.path, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.map((d: { parameter: string }) => d.parameter)).toContain(parameter);
      expectMatchesOpenApi(resource.path, 400, res.body);
    }
    const ok = await getJson(server, key.secret, resource.path, { limit: '1000' });
    expect(ok.status).toBe(200);
    expect(ok.body.pagination).toEqual({ nextCursor: null, hasMore: false, limit: 1000 });
    const defaults = await getJson(server, key.secret, resource.path);
    expect(defaults.body.pagination.limit).toBe(50);
  });
});

describe('validly signed cursors with impossible positions', () => {
  it('are rejected with INVALID_CURSOR, never a 500', async () => {
    const key = await createTenantWithKey(database);
    const codec = new CursorCodec(await serverSecret(database.db, 'cursor-signing-key'));
    const list = (position: Array<string | number>) =>
      codec.encode(key.tenantId, fingerprintOf({ resource: 'logs', order: 'desc' }), position);
    const feed = (position: Array<string | number>, from?: string) =>
      codec.encode(key.tenantId, fingerprintOf({ resource: 'logs/changes' }), position, from);
    const cases: Array<[string, string]> = [
      ['/logs', list(['-271821-04-20T00:00:00.000Z', '01J'])],
      ['/logs', list(['+275760-09-13T00:00:00.000Z', '01J'])],
      ['/logs', list(['2026-01-01T00:00:00.000Z', 7])],
      ['/logs/changes', feed(['1', '99999999999999999999'])],
      ['/logs/changes', feed(['99999999999999999999999', '1'])],
      ['/logs/changes', feed(['1', '1'], 'not a date')],
    ];
    for (const [path, cursor] of cases) {
      const res = await getJson(server, key.secret, path, { cursor });
      expect(res.status, `${path} ${cursor}`).toBe(400);
      expect(res.body.error.code).toBe('INVALID_CURSOR');
    }
    // The same codec's well-formed positions are accepted.
    expect(
      (await getJson(server, key.secret, '/logs', { cursor: list(['2026-01-01T00:00:00.000Z', '01J']) })).status,
    ).toBe(200);
  });
});

describe('scopes', () => {
  it('answers 403 FORBIDDEN on an endpoint whose scope the key lacks', async () => {
    const key = await createTenantWithKey(database, { scopes: ['logs:read'] });
    const client = clientFor(server, key.secret);
    expect((await client.logs.listLogs({ query: {} })).status).toBe(200);
    const denied = await client.securityAlerts.listSecurityAlerts({ query: {} });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      error: { code: 'FORBIDDEN', message: expect.stringContaining('security-alerts:read') },
    });
    expect((await client.monitoringAlerts.getMonitoringAlert({ params: { id: 'x' } })).status).toBe(403);
    expect((await client.logs.listLogChanges({ query: {} })).status).toBe(200);
  });
});

describe('audit log filters', () => {
  let key: TestKey;
  const rows = [
    {
      severity: 'high',
      action: 'FileDownloaded',
      workload: 'SharePoint',
      actor_type: 'user',
      resource_type: 'file',
      actor_name: 'Jane@Contoso.com',
    },
    {
      severity: 'critical',
      action: 'FileDeleted',
      workload: 'OneDrive',
      actor_type: 'user',
      resource_type: 'file',
      actor_name: 'bob@contoso.com',
    },
    {
      severity: 'low',
      action: 'UserLoggedIn',
      workload: 'AzureActiveDirectory',
      actor_type: 'user',
      resource_type: 'user',
      actor_name: 'jane@contoso.com',
    },
    {
      severity: 'informational',
      action: 'MailItemsAccessed',
      workload: 'Exchange',
      actor_type: 'application',
      resource_type: 'mailbox',
      actor_name: 'Outlook Sync',
    },
    {
      severity: 'medium',
      action: 'Add member to role.',
      workload: 'AzureActiveDirectory',
      actor_type: 'admin',
      resource_type: 'user',
      actor_name: 'admin@contoso.com',
    },
    {
      severity: 'high',
      action: 'TeamCreated',
      workload: 'MicrosoftTeams',
      actor_type: 'guest',
      resource_type: 'team',
      actor_name: 'eve_fabrikam.com#EXT#@contoso.com',
    },
  ] as const;
  let inserted: Array<(typeof rows)[number] & { id: string; time: number }>;

  beforeAll(async () => {
    key = await createTenantWithKey(database);
    const other = await createTenantWithKey(database);
    inserted = [];
    for (const [i, row] of rows.entries()) {
      const [made] = await insertLogs(database.db, [
        makeLogEvent(key.tenantId, { ...row, discovered_at: at(i * 60_000) }),
      ]);
      await insertLogs(database.db, [makeLogEvent(other.tenantId, { ...row, discovered_at: at(i * 60_000) })]);
      inserted.push({ ...row, id: made!.id, time: at(i * 60_000).getTime() });
    }
  });

  const cases: Array<[string, Record<string, string | string[]>, (r: (typeof inserted)[number]) => boolean]> = [
    ['severity list', { severity: 'high,critical' }, (r) => ['high', 'critical'].includes(r.severity)],
    ['repeated severity', { severity: ['low', 'high'] }, (r) => ['low', 'high'].includes(r.severity)],
    ['action', { action: 'FileDownloaded,TeamCreated' }, (r) => ['FileDownloaded', 'TeamCreated'].includes(r.action)],
    ['action with spaces and a dot', { action: 'Add member to role.' }, (r) => r.action === 'Add member to role.'],
    ['workload', { workload: 'AzureActiveDirectory' }, (r) => r.workload === 'AzureActiveDirectory'],
    ['actorType', { actorType: 'admin,guest' }, (r) => ['admin', 'guest'].includes(r.actor_type)],
    ['resourceType', { resourceType: 'file' }, (r) => r.resource_type === 'file'],
    [
      'actor, case-insensitive',
      { actor: 'JANE@contoso.COM' },
      (r) => r.actor_name.toLowerCase() === 'jane@contoso.com',
    ],
    ['since (inclusive)', { since: at(2 * 60_000).toISOString() }, (r) => r.time >= at(2 * 60_000).getTime()],
    ['until (exclusive)', { until: at(2 * 60_000).toISOString() }, (r) => r.time < at(2 * 60_000).getTime()],
    [
      'AND across parameters',
      { severity: 'high,critical,low', workload: 'SharePoint,AzureActiveDirectory', since: at(0).toISOString() },
      (r) =>
        ['high', 'critical', 'low'].includes(r.severity) && ['SharePoint', 'AzureActiveDirectory'].includes(r.workload),
    ],
    ['nothing matches', { severity: 'high', workload: 'Exchange' }, () => false],
  ];

  it.each(cases)('%s', async (_label, query, predicate) => {
    const items = await walk(key, '/logs', { ...query, limit: 2 });
    const expected = inserted
      .filter(predicate)
      .sort((a, b) => b.time - a.time)
      .map((r) => r.id);
    expect(items.map((i) => i.id)).toEqual(expected);
  });

  it('returns items exactly as stored, in the documented shape', async () => {
    const res = await clientFor(server, key.secret).logs.getLog({ params: { id: inserted[0]!.id } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        id: inserted[0]!.id,
        occurredAt: new Date(at(0).getTime() - 17_000).toISOString(),
        discoveredAt: at(0).toISOString(),
        action: 'FileDownloaded',
        severity: 'high',
        actorName: 'Jane@Contoso.com',
        actorType: 'user',
        actorIp: '20.42.73.5',
        resourceName: 'Q3-forecast.xlsx',
        resourceType: 'file',
        workload: 'SharePoint',
        applicationDisplayName: 'Microsoft SharePoint',
        // Stored without a raw record (as every event stored before raw records were kept).
        rawData: null,
      },
    });
  });
});

describe('monitoring alert filters', () => {
  let key: TestKey;
  const rows = [
    { severity: 'high', status: 'open', resource_type: 'site' },
    { severity: 'critical', status: 'acknowledged', resource_type: 'mailbox' },
    { severity: 'low', status: 'snoozed', resource_type: 'site' },
    { severity: 'medium', status: 'resolved', resource_type: 'user' },
    { severity: 'high', status: 'resolved', resource_type: 'application' },
  ] as const;
  let inserted: Array<(typeof rows)[number] & { id: string; time: number }>;

  beforeAll(async () => {
    key = await createTenantWithKey(database);
    inserted = [];
    for (const [i, row] of rows.entries()) {
      const time = at(i * 60_000);
      const [made] = await insertMonitoringAlerts(database.db, [
        makeMonitoringAlert(key.tenantId, {
          ...row,
          updated_at: time,
          resolved_at: row.status === 'resolved' ? time : null,
        }),
      ]);
      inserted.push({ ...row, id: made!.id, time: time.getTime() });
    }
  });

  const cases: Array<[string, Record<string, string | string[]>, (r: (typeof inserted)[number]) => boolean]> = [
    ['severity', { severity: 'high' }, (r) => r.severity === 'high'],
    ['status list', { status: 'open,snoozed' }, (r) => ['open', 'snoozed'].includes(r.status)],
    ['resourceType', { resourceType: 'site,user' }, (r) => ['site', 'user'].includes(r.resource_type)],
    ['isResolved=true', { isResolved: 'true' }, (r) => r.status === 'resolved'],
    ['isResolved=false ("false" is not true)', { isResolved: 'false' }, (r) => r.status !== 'resolved'],
    [
      'window',
      { since: at(60_000).toISOString(), until: at(4 * 60_000).toISOString() },
      (r) => r.time >= at(60_000).getTime() && r.time < at(4 * 60_000).getTime(),
    ],
    ['combined', { severity: 'high', isResolved: 'false' }, (r) => r.severity === 'high' && r.status !== 'resolved'],
  ];

  it.each(cases)('%s', async (_label, query, predicate) => {
    const items = await walk(key, '/monitoring-alerts', { ...query, limit: 2 });
    expect(items.map((i) => i.id)).toEqual(
      inserted
        .filter(predicate)
        .sort((a, b) => b.time - a.time)
        .map((r) => r.id),
    );
    for (const item of items) expect(item.isResolved).toBe(item.status === 'resolved');
  });

  it("rejects isResolved values other than 'true' and 'false'", async () => {
    for (const value of ['yes', '1', 'TRUE', '']) {
      const res = await getJson(server, key.secret, '/monitoring-alerts', { isResolved: value });
      expect(res.status, value).toBe(400);
      expect(res.body.error.details[0].parameter).toBe('isResolved');
    }
  });
});

describe('security alert filters and detail', () => {
  let key: TestKey;
  const rows = [
    { severity: 'high', status: 'new', classification: null, service_source: 'microsoftDefenderForEndpoint' },
    {
      severity: 'critical',
      status: 'inProgress',
      classification: 'truePositive',
      service_source: 'microsoftDefenderForOffice365',
    },
    {
      severity: 'low',
      status: 'resolved',
      classification: 'falsePositive',
      service_source: 'microsoftDefenderForEndpoint',
    },
    {
      severity: 'medium',
      status: 'resolved',
      classification: 'informationalExpectedActivity',
      service_source: 'azureAdIdentityProtection',
    },
  ] as const;
  let inserted: Array<(typeof rows)[number] & { id: string; time: number }>;

  beforeAll(async () => {
    key = await createTenantWithKey(database);
    inserted = [];
    for (const [i, row] of rows.entries()) {
      const time = at(i * 60_000);
      const [made] = await insertSecurityAlerts(database.db, [
        makeSecurityAlert(key.tenantId, { ...row, updated_at: time }),
      ]);
      inserted.push({ ...row, id: made!.id, time: time.getTime() });
    }
  });

  const cases: Array<[string, Record<string, string | string[]>, (r: (typeof inserted)[number]) => boolean]> = [
    ['severity', { severity: 'high,critical' }, (r) => ['high', 'critical'].includes(r.severity)],
    ['status', { status: 'resolved' }, (r) => r.status === 'resolved'],
    [
      'classification',
      { classification: 'truePositive,falsePositive' },
      (r) => ['truePositive', 'falsePositive'].includes(r.classification ?? ''),
    ],
    [
      'serviceSource',
      { serviceSource: 'microsoftDefenderForEndpoint' },
      (r) => r.service_source === 'microsoftDefenderForEndpoint',
    ],
    ['isResolved=false', { isResolved: 'false' }, (r) => r.status !== 'resolved'],
    [
      'combined',
      { serviceSource: 'microsoftDefenderForEndpoint', isResolved: 'true' },
      (r) => r.service_source === 'microsoftDefenderForEndpoint' && r.status === 'resolved',
    ],
  ];

  it.each(cases)('%s', async (_label, query, predicate) => {
    const items = await walk(key, '/security-alerts', { ...query, limit: 2 });
    expect(items.map((i) => i.id)).toEqual(
      inserted
        .filter(predicate)
        .sort((a, b) => b.time - a.time)
        .map((r) => r.id),
    );
    for (const item of items) expect(item).not.toHaveProperty('rawData');
  });

  it('rejects an unknown serviceSource, naming the parameter and the allowed values', async () => {
    const res = await getJson(server, key.secret, '/security-alerts', { serviceSource: 'defender' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({
      parameter: 'serviceSource',
      message: expect.stringContaining('microsoftDefenderForEndpoint'),
    });
  });

  it('adds rawData and recommendedActions on the detail endpoint', async () => {
    const res = await clientFor(server, key.secret).securityAlerts.getSecurityAlert({
      params: { id: inserted[1]!.id },
    });
    expect(res.status).toBe(200);
    expectMatchesOpenApi('/security-alerts/{id}', 200, res.body);
    expect(res.body).toMatchObject({
      data: {
        id: inserted[1]!.id,
        status: 'inProgress',
        classification: 'truePositive',
        isResolved: false,
        rawData: { title: 'Suspicious inbox forwarding rule' },
        recommendedActions: 'Review the rule and remove it if unexpected.',
        users: [{ userPrincipalName: 'jane@contoso.com', displayName: 'Jane Doe' }],
      },
    });
  });
});

describe('a key without a tenant match', () => {
  it('never sees another tenant through any list', async () => {
    const a = await createTenantWithKey(database);
    const b = await createKey(database, (await createTenantWithKey(database)).tenantId);
    for (const resource of RESOURCES) await resource.insertAt(database.db, a.tenantId, at(0));
    for (const resource of RESOURCES) {
      const res = await getJson(server, b.secret, resource.path);
      expect(res.body.data, resource.name).toEqual([]);
    }
  });
});

describe("items carry exactly the contract's fields, in its order", () => {
  // The repositories select items in their API shape (no mapping pass), so nothing else
  // checks that a column was not added, renamed or left in snake_case, or that the feed's
  // position columns were stripped. `rawData` is the item schema's last, opt-in field.
  const shapes = [
    { spec: RESOURCES[0]!, item: LogEventSchema, detail: LogEventDetailSchema },
    { spec: RESOURCES[1]!, item: MonitoringAlertSchema, detail: MonitoringAlertDetailSchema },
    { spec: RESOURCES[2]!, item: SecurityAlertSchema, detail: SecurityAlertDetailSchema },
  ];

  it.each(shapes)(
    '$spec.name: list, changes feed and detail, with and without include=rawData',
    async ({ spec, item, detail }) => {
      const key = await createTenantWithKey(database);
      const id = await spec.insertAt(database.db, key.tenantId, at(0), '{"b":1,"a":2}');
      const headers = { authorization: `Bearer ${key.secret}` };
      const get = async (path: string) => {
        const res = await fetch(`${server.url}/api/v1${path}`, { headers });
        expect(res.status).toBe(200);
        return (await res.json()) as { data: unknown };
      };
      const itemKeys = Object.keys(item.shape);
      expect(itemKeys.at(-1)).toBe('rawData');
      const defaultKeys = itemKeys.slice(0, -1);

      const feed = async (query: Record<string, string | number>) =>
        (await firstFeedPage(server, key.secret, `${spec.path}/changes`, query, 1)).body.data as Array<
          Record<string, unknown>
        >;
      const listed = (await get(`${spec.path}?limit=5`)).data as Array<Record<string, unknown>>;
      const fed = await feed({ limit: 5 });
      const one = (await get(`${spec.path}/${id}`)).data as Record<string, unknown>;
      expect(listed.map((i) => i.id)).toEqual([id]);
      expect(fed.map((i) => i.id)).toEqual([id]);
      expect(Object.keys(listed[0]!)).toEqual(defaultKeys);
      expect(Object.keys(fed[0]!)).toEqual(defaultKeys);
      expect(Object.keys(one)).toEqual(Object.keys(detail.shape));
      expect(listed[0]).toEqual(fed[0]);

      const listedRaw = (await get(`${spec.path}?limit=5&include=rawData`)).data as Array<Record<string, unknown>>;
      const fedRaw = await feed({ limit: 5, include: 'rawData' });
      expect(Object.keys(listedRaw[0]!)).toEqual(itemKeys);
      expect(Object.keys(fedRaw[0]!)).toEqual(itemKeys);
      expect(listedRaw[0]).toEqual(fedRaw[0]);
      expect(listedRaw[0]).toEqual({ ...listed[0], rawData: { b: 1, a: 2 } });
      expect(Object.keys(listedRaw[0]!.rawData as object)).toEqual(['b', 'a']);
      expect(one.rawData).toEqual(listedRaw[0]!.rawData);
    },
  );
});

describe('include=rawData', () => {
  it.each(RESOURCES)(
    '$name: list and changes walks may add or drop it between pages (it is not part of the cursor)',
    async (resource) => {
      const key = await createTenantWithKey(database);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(await resource.insertAt(database.db, key.tenantId, at(i * 1000), `{"n":${i}}`));
      for (const path of [resource.path, `${resource.path}/changes`]) {
        const order = path.endsWith('/changes') ? {} : { order: 'asc' };
        const seen: Array<Record<string, unknown>> = [];
        let cursor: string | undefined;
        // A caught-up feed may still be waiting for committed rows (see firstFeedPage): poll again.
        const deadline = Date.now() + 120_000;
        for (let page = 0; seen.length < ids.length; page++) {
          expect(Date.now(), `${path}: saw ${seen.length} of ${ids.length}`).toBeLessThan(deadline);
          // Alternate: with rawData, without, with…
          const include = page % 2 === 0 ? 'rawData' : undefined;
          const res = await getJson(server, key.secret, path, { ...order, limit: 2, cursor, include });
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expectMatchesOpenApi(path, 200, res.body);
          for (const item of res.body.data) {
            if (include) expect(item.rawData).toEqual({ n: ids.indexOf(item.id) });
            else expect(item).not.toHaveProperty('rawData');
          }
          seen.push(...res.body.data);
          cursor = res.body.pagination.nextCursor ?? cursor;
          if (!res.body.pagination.hasMore && seen.length < ids.length) await new Promise((r) => setTimeout(r, 50));
        }
        expect(seen.map((item) => item.id)).toEqual(ids);
      }
    },
  );

  it.each(RESOURCES)(
    '$name: an unknown include value is a 400 naming the parameter, on list and changes',
    async (resource) => {
      const key = await createTenantWithKey(database);
      for (const path of [resource.path, `${resource.path}/changes`]) {
        const res = await getJson(server, key.secret, path, { include: 'rawData,everything' });
        expect(res.status).toBe(400);
        expectMatchesOpenApi(path, 400, res.body);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
        expect(res.body.error.details).toEqual([
          { parameter: 'include', message: expect.stringMatching(/unknown value "everything"; allowed: rawData/) },
        ]);
      }
    },
  );

  it.each(RESOURCES)(
    '$name: rows stored without a raw record answer rawData null (logs, monitoring alerts)',
    async (resource) => {
      const key = await createTenantWithKey(database);
      const id = await resource.insertAt(database.db, key.tenantId, at(0));
      const detail = await getJson(server, key.secret, `${resource.path}/${id}`);
      const listed = await getJson(server, key.secret, resource.path, { include: 'rawData' });
      expectMatchesOpenApi(`${resource.path}/{id}`, 200, detail.body);
      expectMatchesOpenApi(resource.path, 200, listed.body);
      const expected = resource.path === '/security-alerts' ? expect.any(Object) : null;
      expect(detail.body.data.rawData).toEqual(expected);
      expect(listed.body.data[0].rawData).toEqual(expected);
    },
  );
});
