import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/api-keys.service';
import { openDatabase, type DatabaseHandle } from '../src/db/database';
import { ingestRecords } from '../src/ingest/ingest.service';
import { createTenant } from '../src/tenants/tenants.repository';
import { expectMatchesOpenApi } from './support/openapi-validator';
import {
  freePort,
  POSTGRES_BINARIES,
  requireBinaries,
  startPrivatePostgres,
  waitFor,
  type PrivatePostgres,
} from './support/private-services';
import { spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, silentLogger } from './support/test-database';

/** No request may take longer than this, whatever the database does (pg connects time out at 3 s). */
const REQUEST_BOUND_MS = 15_000;
/** The silence limit on a connection in use (35 s, postgres-pool.ts) and a margin: a request on a connection to a hung database. */
const HANG_BOUND_MS = 45_000;
const LOAD_WORKERS = 8;
const INGESTED = 1_200;

interface Outcome {
  path: string;
  status: number | 'timeout' | 'network-error';
  code?: string;
  retryAfter?: string | null;
  requestId?: string | null;
  ms: number;
  detail?: string;
}

describe('PostgreSQL unreachable at start', () => {
  it('exits non-zero within a bound, naming the problem, without printing the password', async () => {
    const port = await freePort(); // nothing listens there
    const started = spawnServer({ DATABASE_URL: `postgres://onesec:hunter2-not-logged@127.0.0.1:${port}/onesec` });
    const failure = await started.then(
      (server) => server.stop().then(() => 'started'),
      (err: Error) => err.message,
    );
    expect(failure).toContain('server exited during start');
    expect(failure).toMatch(/Failed to start: .*ECONNREFUSED/);
    expect(failure).not.toContain('hunter2-not-logged');
  });
});

/**
 * PostgreSQL goes away under load and comes back, and the server copes without a restart.
 * The cluster is private to this test (initdb into a temporary folder, its own port) so it can
 * be crashed without disturbing anyone else; the server is a real process (`src/main.ts`).
 *
 * PostgreSQL only: the embedded PGlite lives inside the server process and cannot go away on
 * its own, and the scenario uses its own cluster whatever the project, so one run is enough.
 * vitest.config.ts keeps this file out of the pglite project; the guard below is for runs that
 * name the file (not `describe.skipIf`: CI fails on skipped tests).
 */
(ENGINE === 'postgres' ? describe : undefined)?.('PostgreSQL outage under load', () => {
  const available = requireBinaries('private PostgreSQL for the outage test', POSTGRES_BINARIES);
  let postgres: PrivatePostgres;
  let server: ServerProcess;
  let operator: DatabaseHandle;
  let secret: string;
  let ingestedIds: string[];

  beforeAll(async () => {
    if (!available) return;
    postgres = await startPrivatePostgres();
    server = await spawnServer({ DATABASE_URL: postgres.url, RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
    // The operator's own connection: loads a tenant, a key and data the way `pnpm admin` does.
    operator = await openDatabase({ databaseUrl: postgres.url, dataDir: 'unused', logger: silentLogger, poolSize: 2 });
    const tenant = await createTenant(operator.db, 'Outage Inc');
    secret = (await createApiKey(operator.db, undefined, { tenantId: tenant.id, name: 'poller' })).secret;
    const records = Array.from({ length: INGESTED }, (_, i) => ({
      sourceId: `outage-${i}`,
      occurredAt: new Date(Date.UTC(2026, 5, 5, 9) + i * 1000).toISOString(),
      action: 'FileDownloaded',
      severity: 'high',
      actorName: 'jane@contoso.com',
      actorType: 'user',
      resourceType: 'file',
      workload: 'SharePoint',
    }));
    const summary = await ingestRecords(operator.db, {
      tenantId: tenant.id,
      type: 'logs',
      format: 'native',
      input: Readable.from(records.map((r) => `${JSON.stringify(r)}\n`)),
      batchSize: 250,
    });
    expect(summary).toMatchObject({ inserted: INGESTED, rejected: 0 });
    const rows = await operator.db.selectFrom('log_events').select('id').where('tenant_id', '=', tenant.id).execute();
    // Every stored log: the ingested ones and the poller key's own ApiKeyCreated audit event.
    ingestedIds = rows.map((r) => r.id).sort();
  });

  afterAll(async () => {
    if (server && server.child.exitCode !== null)
      console.error(`server exited ${server.child.exitCode}:\n${server.output().slice(-5000)}`);
    await server?.stop('SIGKILL');
    await operator?.close();
    await postgres?.destroy();
  });

  async function call(path: string, bound = REQUEST_BOUND_MS): Promise<Outcome> {
    const started = Date.now();
    try {
      const res = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${secret}` },
        signal: AbortSignal.timeout(bound),
      });
      const body = (await res.json()) as { error?: { code: string; requestId: string } };
      if (res.status >= 400 && path.startsWith('/api/v1/')) {
        const route = path
          .replace('/api/v1', '')
          .replace(/\?.*$/, '')
          .replace(/\/logs\/[0-9A-Z]{26}$/, '/logs/{id}');
        expectMatchesOpenApi(route, res.status, body);
        expect(body.error?.requestId).toBe(res.headers.get('x-request-id'));
      }
      return {
        path,
        status: res.status,
        code: body.error?.code,
        retryAfter: res.headers.get('retry-after'),
        requestId: res.headers.get('x-request-id'),
        ms: Date.now() - started,
      };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return { path, status: timedOut ? 'timeout' : 'network-error', ms: Date.now() - started, detail: String(err) };
    }
  }

  it('answers 503 SERVICE_UNAVAILABLE within a bounded time while it is down, stays up, and recovers on its own', async (ctx) => {
    if (!available) return ctx.skip();
    const pid = server.child.pid;
    const paths = [
      '/api/v1/ping',
      '/api/v1/logs?limit=100',
      `/api/v1/logs/${ingestedIds[7]}`,
      '/api/v1/logs/changes?limit=50',
      '/api/v1/logs?severity=high,critical&order=asc&limit=10',
    ];
    const outcomes: Outcome[] = [];
    let loading = true;
    const workers = Array.from({ length: LOAD_WORKERS }, async (_, w) => {
      for (let i = w; loading; i++) outcomes.push(await call(paths[i % paths.length]!));
    });

    await waitFor('the load to be served', () => outcomes.filter((o) => o.status === 200).length >= 100);

    // Crash the database under load: connections are cut mid-query, then refused.
    await postgres.stop('immediate');
    const downSince = outcomes.length;
    await waitFor('requests to fail over to 503', async () => (await call('/api/v1/ping')).status === 503);
    for (const path of paths) {
      const outcome = await call(path);
      expect(outcome, path).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });
      expect(outcome.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const ready = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'database unreachable' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await waitFor(
      'the load to see the outage',
      () => outcomes.slice(downSince).filter((o) => o.status === 503).length >= 50,
    );
    expect(server.child.exitCode).toBeNull();

    // Bring it back: the same process recovers without a restart.
    await postgres.start();
    await waitFor('/readyz to pass again', async () => (await fetch(`${server.url}/readyz`)).status === 200);
    const upSince = outcomes.length;
    await waitFor(
      'the load to be served again',
      () => outcomes.slice(upSince).filter((o) => o.status === 200).length >= 100,
    );
    loading = false;
    await Promise.all(workers);

    expect(server.child.exitCode).toBeNull();
    expect(server.child.pid).toBe(pid);
    // Every request got an answer within the bound, and the only answers were 200 and 503.
    const unexpected = outcomes.filter(
      (o) => o.status !== 200 && !(o.status === 503 && o.code === 'SERVICE_UNAVAILABLE'),
    );
    expect(unexpected).toEqual([]);
    expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    console.info(
      `database outage: ${outcomes.length} requests, ${outcomes.filter((o) => o.status === 503).length} answered 503, slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`,
    );
  }, 150_000);

  it('answers within a bounded time when the database hangs instead of going away, and recovers', async (ctx) => {
    if (!available) return ctx.skip();
    const outcomes: Outcome[] = [];
    let loading = true;
    const workers = Array.from({ length: LOAD_WORKERS }, async (_, w) => {
      for (let i = w; loading; i++)
        outcomes.push(await call(i % 2 === 0 ? '/api/v1/ping' : '/api/v1/logs?limit=20', HANG_BOUND_MS));
    });
    await waitFor('the load to be served', () => outcomes.filter((o) => o.status === 200).length >= 50);

    // Frozen, the database accepts TCP connections and answers nothing. Requests whose query was
    // already sent give up when their connection has heard nothing for 35 s; requests waiting for a connection give up
    // at its connect timeout (3 s). Either way: 503, never a hang.
    postgres.freeze(true);
    const frozenSince = outcomes.length;
    try {
      // All at once: new requests, the readiness probe, and the requests caught mid-query.
      const [probes, ready] = await Promise.all([
        Promise.all(Array.from({ length: 12 }, () => call('/api/v1/ping', HANG_BOUND_MS))),
        fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(HANG_BOUND_MS) }),
        waitFor(
          'the requests caught by the freeze to answer',
          () => outcomes.slice(frozenSince).filter((o) => o.status === 503).length >= LOAD_WORKERS,
          HANG_BOUND_MS,
        ),
      ]);
      expect(probes.map((p) => p.status)).toEqual(Array(12).fill(503));
      expect(ready.status).toBe(503);
      expect(server.child.exitCode).toBeNull();
    } finally {
      postgres.freeze(false);
    }
    const thawedAt = outcomes.length;
    await waitFor(
      'the load to be served again',
      () => outcomes.slice(thawedAt).filter((o) => o.status === 200).length >= 50,
      HANG_BOUND_MS,
    );
    loading = false;
    await Promise.all(workers);
    const unexpected = outcomes.filter(
      (o) => o.status !== 200 && !(o.status === 503 && o.code === 'SERVICE_UNAVAILABLE'),
    );
    expect(unexpected).toEqual([]);
    console.info(
      `database hang: ${outcomes.length} requests, ${outcomes.filter((o) => o.status === 503).length} answered 503, slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`,
    );
  }, 200_000);

  it('lost nothing that was ingested before the outage', async (ctx) => {
    if (!available) return ctx.skip();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const url = new URL(`${server.url}/api/v1/logs`);
      url.searchParams.set('limit', '1000');
      if (cursor) url.searchParams.set('cursor', cursor);
      const res = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ id: string }>; pagination: { nextCursor: string | null } };
      seen.push(...body.data.map((item) => item.id));
      if (!body.pagination.nextCursor) break;
      cursor = body.pagination.nextCursor;
    }
    expect(seen.sort()).toEqual(ingestedIds);
    expect(ingestedIds).toHaveLength(INGESTED + 1);
  });
});
