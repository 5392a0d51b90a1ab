import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardCaller } from './support/dashboard-session';
import { nativeLogRecord } from './support/factories';
import { freePort, waitFor } from './support/private-services';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import { parsePrometheusText, promtoolCheckMetrics, sampleValue, type Sample } from './support/prometheus-text';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { startTestServer } from './support/test-server';

const HTTP = 'onesecurity_http_request_duration_seconds_count';
const AUTH_FAILURES = 'onesecurity_auth_failures_total';
const REJECTIONS = 'onesecurity_rate_limit_rejections_total';
const INSERTED = 'onesecurity_stored_rows_inserted_total';

const nativeLog = (i: number) => nativeLogRecord(i, 'metrics-evt');

/**
 * The built server as `pnpm start` runs it, with METRICS_PORT and METRICS_TOKEN: every series
 * is scraped before and after the thing it counts, and compared exactly where the count is
 * deterministic. PostgreSQL's table statistics reach the scrape a moment after a writer's
 * statement (at most once a second per backend), so those are awaited, then compared exactly.
 */
const SERVER_APPLICATION_NAME = 'metrics-test-server';

describe(`GET /metrics on a running server (${ENGINE})`, () => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  let api: string;
  let metricsUrl: string;
  const token = randomBytes(32).toString('hex');
  let tenantId: string;
  let key: { keyId: string; secret: string };
  let tightKey: { keyId: string; secret: string };

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    return { text, samples: parsePrometheusText(text) };
  };
  const value = async (name: string, labels: Record<string, string> = {}) =>
    sampleValue((await scrape()).samples, name, labels) ?? 0;
  const get = (url: string, secret?: string, requestId?: string) =>
    fetch(url, {
      headers: {
        ...(secret ? { authorization: `Bearer ${secret}` } : {}),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
    });
  const cli = async (args: string[]) => {
    const result = await runCliProcess(args, env);
    expect(result.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(result.code).toBe(0);
    return result.stdout;
  };
  const createKey = async (extra: string[] = []) =>
    JSON.parse(await cli(['keys', 'create', '--tenant', tenantId, '--name', 'metrics', ...extra, '--json'])) as {
      keyId: string;
      secret: string;
    };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-metrics-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      // Named, so the test can tell the server's pooled connections from its own.
      const url = new URL(database.url!);
      url.searchParams.set('application_name', SERVER_APPLICATION_NAME);
      env = { DATABASE_URL: url.toString() };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
    }
    // A webhook receiver on loopback (the failing-endpoint test) needs both switches.
    env = { ...env, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
    // A port found free can be taken by another test's connection before the server binds it
    // (CI on a fresh clone: EADDRINUSE once): then again, with another port.
    let metricsPort = 0;
    for (let attempt = 1; ; attempt++) {
      metricsPort = await freePort();
      try {
        server = await spawnServer({
          ...env,
          METRICS_PORT: String(metricsPort),
          METRICS_TOKEN: token,
          AUTH_FAILURES_PER_MINUTE: '12',
          LOG_LEVEL: 'debug',
        });
        break;
      } catch (err) {
        if (attempt === 3 || !String(err).includes('EADDRINUSE')) throw err;
      }
    }
    api = `${server.url}/api/v1`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    // The banner's next line (the spawner returns on the first).
    await waitFor('the metrics address in the banner', () =>
      server.output().includes(`Prometheus metrics at ${metricsUrl}\n`),
    );
    tenantId = JSON.parse(await cli(['tenants', 'create', '--name', 'Metrics', '--json'])).tenantId;
    key = await createKey();
    tightKey = await createKey(['--rate-limit', '2']);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves text that promtool check metrics accepts, with every series the design lists', async () => {
    await get(`${api}/ping`, key.secret); // so that the histogram has a sample
    const { text, samples } = await scrape();
    const promtool = await promtoolCheckMetrics(text);
    expect(promtool.output).toBe('');
    expect(promtool.code).toBe(0);

    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'onesecurity_http_request_duration_seconds_bucket',
      HTTP,
      'onesecurity_database_up',
      'onesecurity_changes_feed_lag_seconds',
      INSERTED,
      'onesecurity_stored_rows_updated_total',
      'onesecurity_stored_rows_deleted_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(sampleValue(samples, 'onesecurity_database_up')).toBe(1);
    expect(sampleValue(samples, HTTP, { method: 'GET', route: '/api/v1/ping', status: '200' })).toBe(1);
    for (const resource of ['logs', 'monitoring-alerts', 'security-alerts']) {
      expect(sampleValue(samples, INSERTED, { resource }), resource).toBeTypeOf('number');
    }
    if (ENGINE === 'postgres') {
      expect(sampleValue(samples, 'onesecurity_database_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      expect(sampleValue(samples, 'onesecurity_database_pool_waiting_requests')).toBe(0);
    } else {
      // The embedded database is one in-process connection: no pool series rather than invented zeros.
      expect(names).not.toContain('onesecurity_database_pool_connections');
    }
    // No replica configured: absent, never a misleading zero. Webhooks: none failing yet.
    expect(names).not.toContain('onesecurity_replica_lag_seconds');
    expect(sampleValue(samples, 'onesecurity_webhook_deliveries_pending')).toBe(0);
    expect(sampleValue(samples, 'onesecurity_webhook_delivery_lag_seconds')).toBe(0);
  });

  it('counts requests by route template and status, never by raw path', async () => {
    const before = (await scrape()).samples;
    const count = (samples: Sample[], route: string, status: string) =>
      sampleValue(samples, HTTP, { method: 'GET', route, status }) ?? 0;

    for (let i = 0; i < 3; i++) expect((await get(`${api}/logs?limit=1`, key.secret)).status).toBe(200);
    expect((await get(`${api}/logs/01ARZ3NDEKTSV4RRFFQ69G5FAV`, key.secret)).status).toBe(404);
    expect((await get(`${api}/logs/01ARZ3NDEKTSV4RRFFQ69G5FAW`, key.secret)).status).toBe(404);
    expect((await get(`${server.url}/no/such/path/${randomBytes(4).toString('hex')}`)).status).toBe(404);

    const after = (await scrape()).samples;
    expect(count(after, '/api/v1/logs', '200') - count(before, '/api/v1/logs', '200')).toBe(3);
    expect(count(after, '/api/v1/logs/:id', '404') - count(before, '/api/v1/logs/:id', '404')).toBe(2);
    expect(count(after, 'unmatched', '404') - count(before, 'unmatched', '404')).toBe(1);
    const routes = new Set(after.filter((s) => s.name === HTTP).map((s) => s.labels.route));
    for (const route of routes) expect(route).not.toMatch(/01ARZ|no\/such/);
  });

  it('counts failed authentications by reason, and 429s by budget', async () => {
    const before = (await scrape()).samples;
    const delta = (after: Sample[], name: string, labels: Record<string, string>) =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);

    const guessed = `1sec_live_${randomBytes(32).toString('base64url').slice(0, 43)}`;
    expect((await get(`${api}/logs`, guessed)).status).toBe(401);
    expect((await get(`${api}/logs`, 'not-even-a-key')).status).toBe(401);
    expect((await get(`${api}/logs`)).status).toBe(401);
    // The tight key's budget is 2 a minute: the third request is refused.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(`${api}/ping`, tightKey.secret)).status);
    expect(statuses).toEqual([200, 200, 429]);

    const after = (await scrape()).samples;
    expect(delta(after, AUTH_FAILURES, { reason: 'invalid_key' })).toBe(2);
    expect(delta(after, AUTH_FAILURES, { reason: 'missing_key' })).toBe(1);
    expect(delta(after, REJECTIONS, { limit: 'api_key' })).toBe(1);
    expect(delta(after, HTTP, { method: 'GET', route: '/api/v1/logs', status: '401' })).toBe(3);
    expect(delta(after, HTTP, { method: 'GET', route: '/api/v1/ping', status: '429' })).toBe(1);
  });

  it('puts the request id on every log line of a request, and the tenant and key id once authenticated', async () => {
    interface Line {
      msg?: string;
      req?: { id?: string };
      tenantId?: string;
      keyId?: string;
    }
    const linesOf = (requestId: string) =>
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes(requestId))
        .map((line) => JSON.parse(line) as Line);
    const authenticated = `metrics-log-${randomBytes(6).toString('hex')}`;
    const anonymous = `metrics-log-${randomBytes(6).toString('hex')}`;
    expect((await get(`${api}/logs/01ARZ3NDEKTSV4RRFFQ69G5FAX`, key.secret, authenticated)).status).toBe(404);
    expect((await get(`${api}/logs`, 'not-a-key', anonymous)).status).toBe(401);
    await waitFor('both access lines', () => linesOf(authenticated).length >= 2 && linesOf(anonymous).length >= 2);

    // The error handler's line (debug: why a request was refused) and pino-http's access line.
    const lines = linesOf(authenticated);
    expect(lines.map((l) => l.msg)).toEqual(['request refused', 'request completed']);
    for (const line of lines) {
      expect(line.req?.id).toBe(authenticated);
      expect(line.tenantId).toBe(tenantId);
      expect(line.keyId).toBe(key.keyId);
    }
    const refused = linesOf(anonymous);
    expect(refused.map((l) => l.msg)).toEqual(['request refused', 'request completed']);
    for (const line of refused) {
      expect(line.req?.id).toBe(anonymous);
      expect(line).not.toHaveProperty('tenantId');
      expect(line).not.toHaveProperty('keyId');
    }
    // Never a secret: not the keys', not the metrics token.
    for (const secret of [key.secret, tightKey.secret, token]) expect(server.output()).not.toContain(secret);
  });

  it('counts the rows ingest stores, by resource: new ones only, not re-read duplicates', async () => {
    // Settle first: the keys' ApiKeyCreated audit events are rows of logs too.
    const settled = async () => {
      const first = await value(INSERTED, { resource: 'logs' });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await value(INSERTED, { resource: 'logs' }); // a statement after the flush interval flushes
      return (await value(INSERTED, { resource: 'logs' })) === first;
    };
    await waitFor('table statistics to settle', settled, 60_000, 0);
    const logsBefore = await value(INSERTED, { resource: 'logs' });
    const alertsBefore = await value(INSERTED, { resource: 'security-alerts' });

    const first = path.join(dataDir, 'first.ndjson');
    const second = path.join(dataDir, 'second.ndjson');
    writeFileSync(first, [1, 2, 3].map((i) => JSON.stringify(nativeLog(i))).join('\n'));
    writeFileSync(second, [3, 4, 5, 6].map((i) => JSON.stringify(nativeLog(i))).join('\n'));
    const ingest = async (file: string) =>
      JSON.parse(await cli(['ingest', '--tenant', tenantId, '--type', 'logs', file, '--json'])) as { inserted: number };
    expect((await ingest(first)).inserted).toBe(3);
    expect((await ingest(first)).inserted).toBe(0);
    expect((await ingest(second)).inserted).toBe(3);

    // 3 + 0 + 3 new rows: the counter reaches exactly 6 more (were duplicates counted, it would pass 6 and never equal it).
    await waitFor(
      'the ingested rows to be counted',
      async () => (await value(INSERTED, { resource: 'logs' })) >= logsBefore + 6,
      60_000,
      250,
    );
    await waitFor('table statistics to settle', settled, 60_000, 0);
    expect(await value(INSERTED, { resource: 'logs' })).toBe(logsBefore + 6);
    expect(await value(INSERTED, { resource: 'security-alerts' })).toBe(alertsBefore);
  });

  it('reports how long the changes feed is held back by a running transaction', async () => {
    if (ENGINE === 'pglite') {
      // One in-process connection, one statement at a time: nothing can hold the horizon back at a scrape.
      expect(await value('onesecurity_changes_feed_lag_seconds')).toBe(0);
      return;
    }
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('select pg_current_xact_id()'); // holds an xid: the feed's horizon stops here
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await value('onesecurity_changes_feed_lag_seconds')).toBeGreaterThanOrEqual(1.5);
      await client.query('commit');
    } finally {
      await client.end();
    }
  });

  it('reports webhook endpoints that fail to deliver, until they are disabled', async () => {
    // A port nothing listens on: every attempt is a refused connection.
    const deadPort = await freePort();
    const created = JSON.parse(
      await cli([
        'webhooks',
        'create',
        '--tenant',
        tenantId,
        '--url',
        `http://127.0.0.1:${deadPort}/hook`,
        '--resources',
        'logs',
        // From the past: the tenant's ApiKeyCreated audit events are due at once.
        '--start-from',
        '2020-01-01T00:00:00Z',
        '--json',
      ]),
    ) as { webhookId: string };
    await waitFor(
      'the failing endpoint to be reported',
      async () => (await value('onesecurity_webhook_deliveries_pending')) === 1,
      60_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await value('onesecurity_webhook_delivery_lag_seconds')).toBeGreaterThan(1);
    await cli(['webhooks', 'disable', created.webhookId]);
    expect(await value('onesecurity_webhook_deliveries_pending')).toBe(0);
    expect(await value('onesecurity_webhook_delivery_lag_seconds')).toBe(0);
  });

  it('counts pooled connections the database dropped', async () => {
    if (ENGINE === 'pglite') {
      expect((await scrape()).text).toContain('# TYPE onesecurity_database_errors_total counter');
      return;
    }
    const before = await value('onesecurity_database_errors_total', { kind: 'connection_lost' });
    const admin = new pg.Client({ connectionString: database!.url });
    await admin.connect();
    let dropped: number;
    try {
      // The server's pool, by the application_name its DATABASE_URL gives it (the test's own
      // handle on the database may hold a connection too).
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1',
        [SERVER_APPLICATION_NAME],
      );
      dropped = rowCount ?? 0;
    } finally {
      await admin.end();
    }
    expect(dropped).toBeGreaterThan(0);
    await waitFor(
      'the dropped connections to be counted',
      async () => (await value('onesecurity_database_errors_total', { kind: 'connection_lost' })) >= before + dropped,
    );
    expect(await value('onesecurity_database_errors_total', { kind: 'connection_lost' })).toBe(before + dropped);
    // …and the server goes on serving on new connections.
    expect((await get(`${api}/ping`, key.secret)).status).toBe(200);
  });

  it('serves /metrics on the API port only to the METRICS_TOKEN, refusing others as failed authentications', async () => {
    const before = await value(AUTH_FAILURES, { reason: 'metrics_token' });
    const none = await get(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const wrong = await get(`${server.url}/metrics`, token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'));
    expect(wrong.status).toBe(401);
    // An API key is not the metrics token either.
    expect((await get(`${server.url}/metrics`, key.secret)).status).toBe(401);

    const right = await get(`${server.url}/metrics`, token);
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parsePrometheusText(await right.text());
    expect(sampleValue(samples, AUTH_FAILURES, { reason: 'metrics_token' })).toBe(before + 3);
  });

  it('counts the per-IP guard refusing further guesses as 429s of the auth_failures budget', async () => {
    const failuresBefore = await value(AUTH_FAILURES, { reason: 'invalid_key' });
    const rejectionsBefore = await value(REJECTIONS, { limit: 'auth_failures' });
    const statuses: number[] = [];
    // AUTH_FAILURES_PER_MINUTE is 12 and fewer than 12 were spent above: guess until refused, twice.
    while (statuses.filter((s) => s === 429).length < 2) {
      statuses.push(
        (await get(`${api}/logs`, `1sec_live_${randomBytes(32).toString('base64url').slice(0, 43)}`)).status,
      );
      expect(statuses.length).toBeLessThan(40);
    }
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    expect(await value(AUTH_FAILURES, { reason: 'invalid_key' })).toBe(failuresBefore + statuses.length);
    expect(await value(REJECTIONS, { limit: 'auth_failures' })).toBe(
      rejectionsBefore + statuses.filter((s) => s === 429).length,
    );
  });
});

describe(`/metrics not configured on the API port (${ENGINE})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('reports replica and webhook lag once their sources are registered, and survives a failing source', async () => {
    const server = await startTestServer(database, { metrics: { port: 0, token: undefined } });
    try {
      const scrape = async () => {
        const text = await (await fetch(server.metricsUrl!)).text();
        return { text, samples: parsePrometheusText(text) };
      };
      expect((await scrape()).text).not.toContain('onesecurity_replica_');

      let replicas = [
        { replica: 'replica-a:5432', up: true, lagSeconds: 0.25 },
        { replica: 'replica-b:5432', up: false, lagSeconds: null },
      ];
      server.metrics.registerReplicaLagSource(() => replicas);
      server.metrics.registerWebhookLagSource(async () => ({ oldestPendingSeconds: 12.5, pending: 3 }));
      const registered = await scrape();
      let samples = registered.samples;
      expect(sampleValue(samples, 'onesecurity_replica_up', { replica: 'replica-a:5432' })).toBe(1);
      expect(sampleValue(samples, 'onesecurity_replica_up', { replica: 'replica-b:5432' })).toBe(0);
      expect(sampleValue(samples, 'onesecurity_replica_lag_seconds', { replica: 'replica-a:5432' })).toBe(0.25);
      expect(sampleValue(samples, 'onesecurity_replica_lag_seconds', { replica: 'replica-b:5432' })).toBeUndefined();
      expect(sampleValue(samples, 'onesecurity_webhook_delivery_lag_seconds')).toBe(12.5);
      expect(sampleValue(samples, 'onesecurity_webhook_deliveries_pending')).toBe(3);
      expect((await promtoolCheckMetrics(registered.text)).code).toBe(0);

      // Values are read at each scrape; a replica gone from the source is gone from the series.
      replicas = [{ replica: 'replica-a:5432', up: true, lagSeconds: 1 }];
      samples = (await scrape()).samples;
      expect(sampleValue(samples, 'onesecurity_replica_lag_seconds', { replica: 'replica-a:5432' })).toBe(1);
      expect(sampleValue(samples, 'onesecurity_replica_up', { replica: 'replica-b:5432' })).toBeUndefined();

      // A source that throws costs its own series, not the scrape.
      server.metrics.registerReplicaLagSource(() => {
        throw new Error('replica router down');
      });
      const res = await fetch(server.metricsUrl!);
      expect(res.status).toBe(200);
      samples = parsePrometheusText(await res.text());
      expect(samples.some((s) => s.name === 'onesecurity_replica_up')).toBe(false);
      expect(sampleValue(samples, 'onesecurity_webhook_deliveries_pending')).toBe(3);
      expect(sampleValue(samples, 'onesecurity_database_up')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('counts failed dashboard sign-ins, by the dashboard API route template', async () => {
    const server = await startTestServer(database, { metrics: { port: 0, token: undefined } });
    try {
      const caller = new DashboardCaller(server.url);
      for (const email of ['nobody@contoso.example', 'nobody-else@contoso.example']) {
        expect((await caller.signIn(email, 'wrong password')).status).toBe(401);
      }
      const samples = parsePrometheusText(await (await fetch(server.metricsUrl!)).text());
      expect(sampleValue(samples, AUTH_FAILURES, { reason: 'dashboard_sign_in' })).toBe(2);
      expect(sampleValue(samples, HTTP, { method: 'POST', route: '/dashboard/api/session', status: '401' })).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('is an ordinary unknown path without METRICS_TOKEN, with or without METRICS_PORT', async () => {
    for (const metrics of [
      { port: undefined, token: undefined },
      { port: 0, token: undefined },
    ]) {
      const server = await startTestServer(database, { metrics });
      try {
        const res = await fetch(`${server.url}/metrics`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
        if (metrics.port === undefined) {
          expect(server.metricsUrl).toBeUndefined();
        } else {
          const scraped = await fetch(server.metricsUrl!);
          expect(scraped.status).toBe(200);
          expect(await scraped.text()).toContain('# TYPE onesecurity_http_request_duration_seconds histogram');
          expect((await fetch(server.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
        }
      } finally {
        await server.close();
      }
    }
  });
});
