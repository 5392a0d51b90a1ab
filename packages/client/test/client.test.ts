import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  createClient,
  MemoryCheckpointStore,
  pages,
  paginate,
  sync,
  type LogEvent,
  type OneSecurityClient,
} from '../src/index';
import { auditEventIds, createKey, createTenant, hasPostgres, ingest, startApiServer, type ApiServer } from './support/api-server';
import { makeLogRecords, makeMonitoringAlertRecords, makeSecurityAlertRecords } from './support/records';

/** The client's own surface against the live server: every call, every error shape. */
describe.skipIf(!hasPostgres)('client against the live server', () => {
  let server: ApiServer;
  let client: OneSecurityClient;
  let tenantId: string;
  let apiKey: string;
  const logs = makeLogRecords(137);
  const monitoringAlerts = makeMonitoringAlertRecords(23);
  const securityAlerts = makeSecurityAlertRecords(19);

  beforeAll(async () => {
    server = await startApiServer();
    tenantId = await createTenant(server);
    await Promise.all([
      ingest(server, tenantId, 'logs', logs),
      ingest(server, tenantId, 'monitoring-alerts', monitoringAlerts),
      ingest(server, tenantId, 'security-alerts', securityAlerts),
    ]);
    apiKey = await createKey(server, tenantId);
    client = createClient({ apiKey, baseUrl: server.url });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('pings, with the origin or the /api/v1 base URL', async () => {
    const ping = await client.ping();
    expect(ping.tenantId).toBe(tenantId);
    expect(ping.scopes).toEqual(
      expect.arrayContaining(['logs:read', 'monitoring-alerts:read', 'security-alerts:read']),
    );
    const withPrefix = createClient({ apiKey: 'x', baseUrl: `${server.url}/api/v1/` });
    expect(withPrefix.baseUrl).toBe(server.url);
  });

  it('asks for compressed responses, and reads them', async () => {
    const asked: Array<string | null> = [];
    const encodings: Array<string | null> = [];
    const recording = createClient({
      apiKey: await createKey(server, tenantId),
      baseUrl: server.url,
      fetch: async (input, init) => {
        asked.push(new Headers(init?.headers).get('accept-encoding'));
        const response = await fetch(input, init);
        encodings.push(response.headers.get('content-encoding'));
        return response;
      },
    });
    const page = await recording.logs.list({ limit: 1000 });
    // Every ingested event, and the audit events of the keys minted for this file so far.
    const everyId = [...logs.map((l) => l.id), ...(await auditEventIds(server, apiKey))];
    expect(page.data.map((l) => l.id).sort()).toEqual(everyId.sort());
    // A page past the server's 2 KB threshold comes back gzipped and decodes to the same items.
    expect(asked).toEqual(['gzip']);
    expect(encodings).toEqual(['gzip']);
  });

  it('lists with list filters given as arrays, comma-separated strings and single values', async () => {
    const expected = logs
      .filter((l) => ['high', 'critical'].includes(l.severity) && l.workload === 'Exchange')
      .map((l) => l.id);
    for (const severity of [['high', 'critical'] as const, 'high,critical' as const]) {
      const page = await client.logs.list({ severity, workload: 'Exchange', limit: 1000 });
      expect(page.data.map((l) => l.id).sort()).toEqual([...expected].sort());
      expect(page.pagination).toMatchObject({ hasMore: false, nextCursor: null, limit: 1000 });
    }
    const unresolved = await client.monitoringAlerts.list({ isResolved: false, limit: 1000 });
    expect(unresolved.data).toHaveLength(monitoringAlerts.filter((a) => a.status !== 'resolved').length);
    expect(unresolved.data.every((a) => !a.isResolved)).toBe(true);
    const resolved = await client.securityAlerts.list({ isResolved: true, serviceSource: ['microsoftSentinel'] });
    expect(resolved.data.map((a) => a.id).sort()).toEqual(
      securityAlerts
        .filter((a) => a.status === 'resolved' && a.serviceSource === 'microsoftSentinel')
        .map((a) => a.id)
        .sort(),
    );
  });

  it('windows with Date objects and orders ascending', async () => {
    const all = await client.monitoringAlerts.list({ order: 'asc', limit: 1000 });
    const times = all.data.map((a) => a.updatedAt);
    expect([...times].sort()).toEqual(times);
    const since = new Date(all.data[5]!.updatedAt);
    const until = new Date(all.data[10]!.updatedAt);
    const window = await client.monitoringAlerts.list({ since, until, order: 'asc' });
    expect(window.data.map((a) => a.id)).toEqual(all.data.slice(5, 10).map((a) => a.id));
  });

  it('pages() and paginate() visit every item once, with the same filters', async () => {
    const seen: string[] = [];
    let pageCount = 0;
    for await (const page of client.logs.pages({ limit: 20 })) {
      pageCount++;
      expect(page.data.length).toBeLessThanOrEqual(20);
      seen.push(...page.data.map((l) => l.id));
    }
    // Every ingested event, and the audit event of the key minted in beforeAll.
    const everyId = [...logs.map((l) => l.id), ...(await auditEventIds(server, apiKey))];
    expect(pageCount).toBe(Math.ceil(everyId.length / 20));
    expect(seen.sort()).toEqual(everyId.sort());

    const high: LogEvent[] = [];
    for await (const event of paginate(client.logs.list, { severity: 'high', limit: 7 })) high.push(event);
    expect(high.map((l) => l.id).sort()).toEqual(
      logs
        .filter((l) => l.severity === 'high')
        .map((l) => l.id)
        .sort(),
    );

    let limited = 0;
    for await (const page of pages(client.securityAlerts.list, { limit: 5 }, { maxPages: 2 }))
      limited += page.data.length;
    expect(limited).toBe(10);
  });

  it('gets one item of each resource; security alerts carry rawData and recommendedActions', async () => {
    expect((await client.logs.get(logs[3]!.id)).action).toBe(logs[3]!.action);
    expect((await client.monitoringAlerts.get(monitoringAlerts[2]!.id)).name).toBe(monitoringAlerts[2]!.name);
    const detail = await client.securityAlerts.get(securityAlerts[1]!.id);
    expect(detail.rawData).toEqual(securityAlerts[1]!.rawData);
    expect(detail.recommendedActions).toBe(securityAlerts[1]!.recommendedActions);
  });

  it('gets each log and monitoring alert with its rawData (null when it came without); security alerts carry mitreTechniques', async () => {
    expect((await client.logs.get(logs[4]!.id)).rawData).toEqual(logs[4]!.rawData);
    expect((await client.logs.get(logs[5]!.id)).rawData).toBeNull();
    expect((await client.monitoringAlerts.get(monitoringAlerts[2]!.id)).rawData).toEqual(monitoringAlerts[2]!.rawData);
    expect((await client.monitoringAlerts.get(monitoringAlerts[3]!.id)).rawData).toBeNull();
    const alerts = await client.securityAlerts.list({ limit: 1000 });
    for (const alert of alerts.data) {
      expect(alert.mitreTechniques).toEqual(securityAlerts.find((a) => a.id === alert.id)!.mitreTechniques);
    }
  });

  it("include: 'rawData' adds rawData to list pages, changes batches and sync items, and only then", async () => {
    const byId = new Map<string, { rawData?: unknown }>(
      [...logs, ...monitoringAlerts, ...securityAlerts].map((r) => [r.id, r]),
    );
    // The audit events of the keys this file minted: their raw record as the detail shows it.
    for (const id of await auditEventIds(server, apiKey)) byId.set(id, await client.logs.get(id));
    const expectRaw = (items: Array<{ id: string; rawData?: unknown }>) => {
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(item.rawData).toEqual(byId.get(item.id)!.rawData ?? null);
    };
    const plain = await client.logs.list({ limit: 10 });
    for (const item of plain.data) expect(item).not.toHaveProperty('rawData');
    // Types (checked by tsc): with include, rawData is certain; without, it may be absent.
    const included = await client.logs.list({ limit: 1, include: 'rawData' });
    const certain: Record<string, unknown> | null = included.data[0]!.rawData;
    expect(certain).toEqual(byId.get(included.data[0]!.id)!.rawData ?? null);
    // @ts-expect-error -- without include, rawData is optional
    const maybe: Record<string, unknown> | null = plain.data[0]!.rawData;
    expect(maybe).toBeUndefined();

    expectRaw((await client.logs.list({ limit: 10, include: 'rawData' })).data);
    expectRaw((await client.logs.changes({ limit: 10, include: ['rawData'] })).data);
    expectRaw((await client.monitoringAlerts.list({ include: 'rawData' })).data);
    expectRaw((await client.monitoringAlerts.changes({ include: 'rawData' })).data);
    expectRaw((await client.securityAlerts.list({ include: 'rawData' })).data);
    expectRaw((await client.securityAlerts.changes({ include: 'rawData' })).data);

    // Not part of the cursor: the next page may drop it, and the one after take it again.
    const first = await client.logs.list({ severity: 'high', limit: 5, include: 'rawData' });
    const second = await client.logs.list({ severity: 'high', limit: 5, cursor: first.pagination.nextCursor! });
    for (const item of second.data) expect(item).not.toHaveProperty('rawData');
    expectRaw(
      (
        await client.logs.list({
          severity: 'high',
          limit: 5,
          cursor: second.pagination.nextCursor!,
          include: 'rawData',
        })
      ).data,
    );

    // sync: with include, items carry rawData; the checkpoint key does not depend on it.
    const store = new MemoryCheckpointStore();
    const synced: Array<{ id: string; rawData?: unknown }> = [];
    await client.monitoringAlerts.sync({
      store,
      include: 'rawData',
      limit: 7,
      handler: async ({ items }) => void synced.push(...items),
    });
    expect(synced.map((a) => a.id).sort()).toEqual(monitoringAlerts.map((a) => a.id).sort());
    expectRaw(synced);
    expect(await store.load('monitoring-alerts')).toEqual(expect.any(String));

    const unknown = (await client.logs
      .list({ include: 'everything' as 'rawData' })
      .catch((e: unknown) => e)) as ApiError;
    expect(unknown).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(unknown.details).toEqual([{ parameter: 'include', message: expect.stringContaining('allowed: rawData') }]);
  });

  it('throws typed ApiErrors: NOT_FOUND, VALIDATION_ERROR with details, INVALID_CURSOR, UNAUTHENTICATED, FORBIDDEN', async () => {
    const notFound = await client.logs.get('01J00000000000000000000000').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((notFound as ApiError).requestId).toMatch(/.+/);
    expect((notFound as ApiError).requestId).toBe((notFound as ApiError).headers.get('x-request-id'));

    const invalid = (await client.logs.list({ limit: 5000 }).catch((e: unknown) => e)) as ApiError;
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(invalid.details?.map((d) => d.parameter)).toContain('limit');

    const first = await client.logs.list({ severity: 'high', limit: 2 });
    const replayed = (await client.logs
      .list({ severity: 'low', cursor: first.pagination.nextCursor! })
      .catch((e: unknown) => e)) as ApiError;
    expect(replayed).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });

    const anonymous = createClient({ apiKey: '1sec_live_not-a-real-key-at-all-000000000000', baseUrl: server.url });
    await expect(anonymous.ping()).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Invalid, expired, or revoked API key.',
    });

    const logsOnly = createClient({
      apiKey: await createKey(server, tenantId, { scopes: ['logs:read'] }),
      baseUrl: server.url,
    });
    await expect(logsOnly.securityAlerts.list()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await logsOnly.logs.list({ limit: 1 })).data).toHaveLength(1);
  });

  it('keeps the raw ts-rest client reachable, with comma-separated list serialisation', async () => {
    const response = await client.raw.logs.listLogs({ query: { severity: ['critical', 'high'], limit: '3' } });
    expect(response.status).toBe(200);
    if (response.status !== 200) return;
    expect(response.body.data.every((l) => ['critical', 'high'].includes(l.severity))).toBe(true);
    expect(response.headers.get('x-ratelimit-limit')).toBe('100000');
    const missing = await client.raw.securityAlerts.getSecurityAlert({ params: { id: '01J00000000000000000000000' } });
    expect(missing.status).toBe(404);
  });

  it('syncs a changes feed into a handler, and resumes from the checkpoint with nothing new', async () => {
    const store = new MemoryCheckpointStore();
    const received: string[] = [];
    const first = await client.securityAlerts.sync({
      store,
      limit: 4,
      handler: ({ items }) => void received.push(...items.map((a) => a.id)),
    });
    expect(first).toMatchObject({
      batches: Math.ceil(securityAlerts.length / 4),
      items: securityAlerts.length,
      aborted: false,
    });
    expect(received.sort()).toEqual(securityAlerts.map((a) => a.id).sort());
    expect(await store.load('security-alerts')).toBe(first.cursor);

    const again = await client.securityAlerts.sync({ store, handler: () => expect.unreachable('nothing new') });
    // Caught up, the cursor may still move on to the cluster's snapshot xmin (any transaction
    // of any database advances it), so only "nothing delivered" and the checkpoint are fixed.
    expect(again).toMatchObject({ batches: 0, items: 0, aborted: false });
    expect(await store.load('security-alerts')).toBe(again.cursor);

    // A failing handler leaves the checkpoint where it was: the batch comes again.
    const failing = new MemoryCheckpointStore();
    await expect(
      sync(client.logs.changes, {
        store: failing,
        key: 'logs-high',
        filters: { severity: 'high' },
        limit: 5,
        handler: () => {
          throw new Error('sink down');
        },
      }),
    ).rejects.toThrow('sink down');
    expect(await failing.load('logs-high')).toBeUndefined();
  });

  it('follows a changes feed after catching up, picks up new events, and stops cleanly on abort', async () => {
    const store = new MemoryCheckpointStore();
    const controller = new AbortController();
    const received: string[] = [];
    const fresh = makeLogRecords(30, 10_000);
    const following = client.logs.sync({
      store,
      key: 'follow',
      filters: { workload: ['SharePoint', 'OneDrive', 'Exchange', 'AzureActiveDirectory', 'MicrosoftTeams'] },
      limit: 1000,
      follow: true,
      pollIntervalMs: 100,
      signal: controller.signal,
      handler: ({ items }) => {
        received.push(...items.map((l) => l.id));
        if (fresh.every((l) => received.includes(l.id))) controller.abort();
      },
    });
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(logs.length);
    await ingest(server, tenantId, 'logs', fresh);
    const result = await following;
    expect(result).toMatchObject({ aborted: true, items: logs.length + fresh.length });
    expect(new Set(received).size).toBe(received.length);
    expect(result.cursor).toBe(await store.load('follow'));
  });

  it('aborts a call with an AbortSignal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(client.logs.list({}, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
