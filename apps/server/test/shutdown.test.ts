import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { startProcess } from '@1security/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/api-keys.service';
import { openDatabase, type DatabaseHandle } from '../src/db/database';
import { createTenant } from '../src/tenants/tenants.repository';
import { accepts, waitFor } from './support/private-services';
import { spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, createTestDatabase, silentLogger, type TestDatabase } from './support/test-database';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
/** How long the process may take to exit once its in-flight requests are released. */
const EXIT_BOUND_MS = 20_000;

/**
 * The server and the ingest CLI as real processes, stopped the way an orchestrator stops them.
 * On PostgreSQL both use a fresh database on the shared server; on the embedded engine the
 * server owns a PGlite in a temporary DATA_DIR and everything else reaches it through the
 * server's socket, as `pnpm admin` does.
 */

interface Deployment {
  env: Record<string, string>;
  /** The operator's connection (PostgreSQL directly, or the embedded socket). */
  operator(): Promise<DatabaseHandle>;
  /**
   * A raw connection that can hold the database still: on PostgreSQL an open transaction
   * holding a table lock, on PGlite an open transaction (it has one session, so everyone waits).
   */
  holder(): Promise<pg.Client>;
  cleanup(): Promise<void>;
}

async function deployment(): Promise<Deployment> {
  if (ENGINE === 'postgres') {
    const database: TestDatabase = await createTestDatabase('postgres');
    return {
      env: { DATABASE_URL: database.url! },
      operator: async () => database,
      holder: async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        return client;
      },
      cleanup: () => database.close(),
    };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), '1sec-shutdown-'));
  const socketUrl = () => {
    const lock = JSON.parse(readFileSync(path.join(dataDir, 'embedded.lock.json'), 'utf8')) as {
      address: { path: string } | { host: string; port: number };
    };
    return 'path' in lock.address
      ? { host: path.dirname(lock.address.path), user: 'postgres', database: 'postgres' }
      : { host: lock.address.host, port: lock.address.port, user: 'postgres', database: 'postgres' };
  };
  return {
    env: { DATA_DIR: dataDir, DEMO_DATA: 'false' },
    operator: () => openDatabase({ dataDir, logger: silentLogger }),
    holder: async () => {
      const client = new pg.Client(socketUrl());
      await client.connect();
      return client;
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Takes the database away from the server until `release`: its queries wait, so its requests stay in flight. */
async function holdDatabase(holder: pg.Client): Promise<() => Promise<void>> {
  await holder.query('begin');
  if (ENGINE === 'postgres') await holder.query('lock table api_keys in access exclusive mode');
  else await holder.query('select 1');
  return async () => {
    await holder.query('commit');
  };
}

/** Local and remote ports of the established TCP connections, with their send and receive queues (Linux). */
function tcpConnections(): Array<{ local: number; remote: number; tx: number; rx: number }> {
  const rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    try {
      return readFileSync(file, 'utf8').trim().split('\n').slice(1);
    } catch {
      return [];
    }
  });
  return rows
    .map((row) => row.trim().split(/\s+/))
    .filter((f) => f[3] === '01')
    .map((f) => {
      const [tx, rx] = f[4]!.split(':').map((hex) => parseInt(hex, 16)) as [number, number];
      return { local: parseInt(f[1]!.split(':').pop()!, 16), remote: parseInt(f[2]!.split(':').pop()!, 16), tx, rx };
    });
}

interface Received {
  status: number | 'error';
  body: string;
  connection?: string;
  error?: string;
}

interface Sent {
  done: Promise<Received>;
  localPort: Promise<number>;
}

function send(url: string, agent: http.Agent, headers: Record<string, string> = {}): Sent {
  let resolvePort: (port: number) => void = () => undefined;
  const localPort = new Promise<number>((resolve) => (resolvePort = resolve));
  const done = new Promise<Received>((resolve) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      res.on('error', (err) => resolve({ status: 'error', body, error: err.message }));
    });
    req.on('error', (err) => resolve({ status: 'error', body: '', error: err.message }));
    // Written to the socket: the request has left this process.
    req.on('finish', () => resolvePort(req.socket?.localPort ?? 0));
  });
  return { done, localPort };
}

describe(`SIGTERM under load (${ENGINE})`, () => {
  let deploy: Deployment;
  let server: ServerProcess;
  let secret: string;

  beforeAll(async () => {
    deploy = await deployment();
    server = await spawnServer({
      ...deploy.env,
      SHUTDOWN_TIMEOUT_MS: '30000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ANONYMOUS_PER_MINUTE: '1000000',
    });
    const operator = await deploy.operator();
    const tenant = await createTenant(operator.db, 'Shutdown Ltd');
    secret = (await createApiKey(operator.db, undefined, { tenantId: tenant.id, name: 'poller' })).secret;
    if (ENGINE === 'pglite') await operator.close();
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await deploy?.cleanup();
  });

  it('finishes in-flight requests with 200, refuses new connections, and exits 0', async () => {
    const port = Number(new URL(server.url).port);
    const holder = await deploy.holder();
    const release = await holdDatabase(holder);

    // Load that never touches the database keeps running through the shutdown.
    const loadAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const loadResults: Array<number | 'error'> = [];
    let loading = true;
    const load = Array.from({ length: 4 }, async (_, w) => {
      while (loading) {
        const path = w % 2 === 0 ? '/healthz' : '/api/v1/openapi.json';
        const { status } = await send(`${server.url}${path}`, loadAgent).done;
        loadResults.push(status);
        if (status === 'error') await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await waitFor('the load to be served', () => loadResults.length >= 50);

    // In-flight requests: each needs the database, which is held, so none can finish yet. On
    // PostgreSQL they stay within the pool (10 connections) so none waits for a connection.
    const inFlightCount = 8;
    const agent = new http.Agent({ keepAlive: true, maxSockets: inFlightCount });
    const paths = [
      '/api/v1/ping',
      '/api/v1/logs?limit=1000',
      '/api/v1/monitoring-alerts',
      '/api/v1/security-alerts/changes',
    ];
    const inFlight = Array.from({ length: inFlightCount }, (_, i) =>
      send(`${server.url}${paths[i % paths.length]}`, agent, { authorization: `Bearer ${secret}` }),
    );
    const ports = await Promise.all(inFlight.map((r) => r.localPort));
    // The server has read every byte of them: they are requests in progress, not idle sockets.
    await waitFor('the server to read the in-flight requests', () => {
      const connections = tcpConnections();
      return ports.every((p) => {
        const client = connections.find((c) => c.local === p && c.remote === port);
        const serverSide = connections.find((c) => c.local === port && c.remote === p);
        return client?.tx === 0 && serverSide?.rx === 0;
      });
    });
    let settled = 0;
    for (const r of inFlight) void r.done.then(() => settled++);

    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    await waitFor('new connections to be refused', async () => !(await accepts(port)), 10_000, 20);
    const refused = await fetch(`${server.url}/healthz`).then(
      () => 'answered',
      (err: Error & { cause?: { code?: string } }) => err.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(settled).toBe(0); // still in flight: the database is still held
    expect(server.child.exitCode).toBeNull();

    await release();
    await holder.end();
    const results = await Promise.all(inFlight.map((r) => r.done));
    expect(results.map((r) => r.status)).toEqual(Array(inFlightCount).fill(200));
    for (const r of results) expect(JSON.parse(r.body)).toHaveProperty('data');
    // Kept-alive connections are closed after their last response instead of lingering.
    expect(results.map((r) => r.connection)).toEqual(Array(inFlightCount).fill('close'));

    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), EXIT_BOUND_MS)),
    ]);
    expect(code, server.output()).toBe(0);

    loading = false;
    await Promise.all(load);
    loadAgent.destroy();
    agent.destroy();
    // The load saw answers, then closed or refused connections; never a server error.
    expect(loadResults.filter((s) => s !== 200 && s !== 'error')).toEqual([]);
  }, 120_000);
});

describe(`ingest interrupted by SIGKILL (${ENGINE})`, () => {
  const TOTAL = 20_000;
  const BATCH = 100;
  let deploy: Deployment;
  let server: ServerProcess | undefined;
  let operator: DatabaseHandle;
  let workDir: string;
  let tenantId: string;
  let file: string;

  beforeAll(async () => {
    deploy = await deployment();
    // The embedded database is reached through a running server, as operators do.
    if (ENGINE === 'pglite') server = await spawnServer(deploy.env);
    operator = await deploy.operator();
    tenantId = (await createTenant(operator.db, 'Ingest Interrupted')).id;
    workDir = mkdtempSync(path.join(tmpdir(), '1sec-ingest-kill-'));
    file = path.join(workDir, 'logs.ndjson');
    const lines = Array.from({ length: TOTAL }, (_, i) =>
      JSON.stringify({
        sourceId: `kill-${i}`,
        occurredAt: new Date(Date.UTC(2026, 5, 5) + i * 1000).toISOString(),
        action: 'FileAccessed',
        severity: 'low',
        actorName: `user-${i % 97}@contoso.com`,
        actorType: 'user',
        resourceName: `doc-${i}.docx`,
        resourceType: 'file',
        workload: 'OneDrive',
      }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    if (ENGINE === 'pglite') await operator?.close();
    await server?.stop();
    await deploy?.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  const count = async () =>
    Number(
      (
        await operator.db
          .selectFrom('log_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** The ingest CLI as its own process group, to signal the CLI and tsx's child process that runs it together. */
  function ingest() {
    return startProcess(
      TSX,
      [
        'src/cli/main.ts',
        'ingest',
        '--tenant',
        tenantId,
        '--type',
        'logs',
        '--batch-size',
        String(BATCH),
        '--json',
        file,
      ],
      { cwd: SERVER_DIR, env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...deploy.env } },
    );
  }

  /** Starts an ingest, lets at least `atLeast` rows commit, stops the CLI with `signal`; the count left behind. */
  async function interrupt(signal: NodeJS.Signals, atLeast: number): Promise<number> {
    const run = ingest();
    await waitFor(`${atLeast} rows to commit`, async () => (await count()) >= atLeast, 120_000, 20);
    expect(run.child.exitCode, 'the ingest must still be running when it is stopped').toBeNull();
    // The whole process group (tsx runs the CLI in a child), as an orchestrator or the OOM killer would.
    run.signal(signal);
    await run.exited;
    // A COMMIT the CLI sent just before it died still completes on the server: on PostgreSQL,
    // wait until no backend of this database is busy or inside a transaction before counting.
    if (ENGINE === 'postgres') {
      await waitFor(
        'the killed CLI backends to finish',
        async () => {
          const { rows } = await sql<{ busy: string }>`
            select count(*) as busy from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`.execute(operator.db);
          return Number(rows[0]!.busy) === 0;
        },
        30_000,
        100,
      );
    }
    // A transaction cut short is rolled back once the database notices the dropped connection.
    let left = await count();
    await waitFor(
      'the count to settle',
      async () => {
        const now = await count();
        const stable = now === left;
        left = now;
        return stable;
      },
      10_000,
      200,
    );
    expect(left % BATCH, `${signal}: ${left} rows is not a whole number of batches`).toBe(0);
    expect(left).toBeGreaterThanOrEqual(atLeast);
    expect(left).toBeLessThan(TOTAL);
    return left;
  }

  it('leaves only whole batches when stopped by SIGTERM or SIGKILL, and a re-run completes the file exactly once', async () => {
    const afterTerm = await interrupt('SIGTERM', 3 * BATCH);
    const afterKill = await interrupt('SIGKILL', afterTerm + 3 * BATCH);

    const complete = ingest();
    expect((await complete.exited).code, complete.output().stderr).toBe(0);
    expect(JSON.parse(complete.output().stdout)).toEqual({
      read: TOTAL,
      inserted: TOTAL - afterKill,
      updated: 0,
      unchanged: afterKill,
      rejected: 0,
    });
    expect(await count()).toBe(TOTAL);

    const again = ingest();
    expect((await again.exited).code).toBe(0);
    expect(JSON.parse(again.output().stdout)).toMatchObject({ inserted: 0, unchanged: TOTAL });
    expect(await count()).toBe(TOTAL);
  }, 300_000); // four CLI runs over 20,000 records: ~15 s alone, far longer on a busy machine
});
