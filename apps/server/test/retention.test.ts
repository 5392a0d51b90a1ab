import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database';
import type { Db } from '../src/db/database';
import { RESOURCES } from '../src/resources/registry';
import { createTenant, updateTenantRetention } from '../src/tenants/tenants.repository';
import { makeLogEvent, makeMonitoringAlert, makeSecurityAlert } from './support/factories';
import { waitFor } from './support/private-services';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, createTestDatabase, silentLogger, type TestDatabase } from './support/test-database';
import { createKey, type TestKey } from './support/test-server';

/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked where read */

const DAY = 86_400_000;

/** A millisecond-precision instant `days` before now (the check constraint wants ms). */
const daysAgo = (days: number, jitterMs = 0) => new Date(Math.floor(Date.now() - days * DAY - jitterMs));

interface TenantData {
  key: TestKey;
  logs: { expired: string[]; kept: string[] };
  /** Resolved and older than 30 days: removed under a 30-day period. */
  alertsExpired: string[];
  /** Open old ones and recently resolved ones: kept under any period. */
  alertsKept: string[];
}

/**
 * Retention enforced by the server's own maintenance job (every 200 ms here), in real server
 * processes — two instances on PostgreSQL, racing for the job's lease — while ingest writes
 * and a SIEM poller walks the changes feed.
 */
describe(`retention while ingest and a feed poller run (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let db: Db;
  let closeDb: () => Promise<void>;
  let dataDir: string;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-retention-'));
    const common = { MAINTENANCE_INTERVAL_MS: '200', RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' };
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      env = { ...common, DATABASE_URL: database.url! };
      servers.push(await spawnServer(env), await spawnServer(env));
      db = database.db;
      closeDb = () => database!.close();
    } else {
      env = { ...common, DATA_DIR: dataDir, DEMO_DATA: 'false' };
      servers.push(await spawnServer(env));
      // Through the server's socket: the server owns the embedded database.
      const handle = await openDatabase({ dataDir, logger: silentLogger });
      db = handle.db;
      closeDb = () => handle.close();
    }
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await closeDb?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (secret: string, route: string, query: Record<string, string | number | undefined> = {}, n = 0) => {
    const server = servers[n % servers.length]!;
    const url = new URL(`${server.url}/api/v1${route}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** 120 expired and 120 kept audit events, interleaved in the feed; alerts of each kind. */
  async function seedTenant(name: string): Promise<TenantData> {
    const tenant = await createTenant(db, name);
    const key = await createKey({ db, url: undefined } as unknown as TestDatabase, tenant.id);
    const data: TenantData = { key, logs: { expired: [], kept: [] }, alertsExpired: [], alertsKept: [] };
    for (let batch = 0; batch < 12; batch++) {
      const rows = Array.from({ length: 20 }, (_, i) => {
        const expired = i % 2 === 0;
        const row = makeLogEvent(tenant.id, {
          discovered_at: expired ? daysAgo(35 + batch * 5, i * 1000) : daysAgo(batch * 2, i * 1000 + 60_000),
        });
        (expired ? data.logs.expired : data.logs.kept).push(row.id);
        return row;
      });
      await RESOURCES.logs.write(db, rows);
    }
    const alerts = (make: typeof makeMonitoringAlert | typeof makeSecurityAlert, resolvedStatus: 'resolved') => {
      const resolvedOld = Array.from({ length: 10 }, (_, i) =>
        make(tenant.id, { status: resolvedStatus, updated_at: daysAgo(40 + i) }),
      );
      const openOld = Array.from({ length: 10 }, (_, i) => make(tenant.id, { updated_at: daysAgo(40 + i) }));
      const resolvedRecent = Array.from({ length: 10 }, (_, i) =>
        make(tenant.id, { status: resolvedStatus, updated_at: daysAgo(5 + i) }),
      );
      data.alertsExpired.push(...resolvedOld.map((a) => a.id));
      data.alertsKept.push(...openOld.map((a) => a.id), ...resolvedRecent.map((a) => a.id));
      return [...resolvedOld, ...openOld, ...resolvedRecent];
    };
    await RESOURCES['monitoring-alerts'].write(db, alerts(makeMonitoringAlert, 'resolved') as never);
    await RESOURCES['security-alerts'].write(db, alerts(makeSecurityAlert, 'resolved') as never);
    return data;
  }

  const idsOf = async (table: 'log_events' | 'monitoring_alerts' | 'security_alerts', tenantId: string) =>
    new Set((await db.selectFrom(table).select('id').where('tenant_id', '=', tenantId).execute()).map((r) => r.id));

  const expiredLeft = async (tenantId: string) => {
    const cutoff = daysAgo(31);
    const logs = await db
      .selectFrom('log_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('discovered_at', '<', cutoff)
      .executeTakeFirstOrThrow();
    let alerts = 0;
    for (const table of ['monitoring_alerts', 'security_alerts'] as const) {
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'resolved')
        .where('updated_at', '<', cutoff)
        .executeTakeFirstOrThrow();
      alerts += Number(row.n);
    }
    return Number(logs.n) + alerts;
  };

  it('removes exactly the expired rows of the right tenants; the poller misses nothing kept, sees nothing twice', async () => {
    // A: 365 days at first, cut to 30 while its feed is being walked. B: the default, 365 days,
    // with the same data: nothing of it may go. C: 30 days from the start.
    const a = await seedTenant('Retention A');
    const b = await seedTenant('Retention B');
    const c = await seedTenant('Retention C');
    await updateTenantRetention(db, c.key.tenantId, 30);

    // The poller, against every instance in turn, following nextCursor.
    const seen: string[] = [];
    let cursor: string | undefined;
    let polls = 0;
    const poll = async (limit = 7) => {
      const res = await get(a.key.secret, '/logs/changes', { limit, cursor }, polls++);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.pagination.nextCursor).toEqual(expect.any(String));
      cursor = res.body.pagination.nextCursor;
      seen.push(...res.body.data.map((item: { id: string }) => item.id));
      return !res.body.pagination.hasMore;
    };
    // The feed serves only rows committed before the oldest transaction still running on the
    // PostgreSQL server, which other test files share: a long one of theirs holds A's seeded
    // rows back for a while. Wait until the feed serves them (from its start, so the poller's
    // own position is untouched), then walk it.
    await waitFor(
      "the feed to serve A's seeded logs",
      async () => (await get(a.key.secret, '/logs/changes', { limit: 240 })).body.data.length === 240,
      120_000,
      1_000,
    );
    for (let i = 0; i < 5; i++) await poll();
    expect(seen.length).toBe(35);

    // Ingest keeps writing to A and B while retention runs: recent events, and events that
    // arrive already older than A's new period (they may or may not be seen before they go).
    const ingested = { aKept: [] as string[], aExpired: [] as string[], b: [] as string[] };
    let writing = true;
    const writer = (async () => {
      for (let t = 0; t < 25; t++) {
        const kept = makeLogEvent(a.key.tenantId, { discovered_at: daysAgo(0, t) });
        const late = makeLogEvent(a.key.tenantId, { discovered_at: daysAgo(60, t) });
        const other = makeLogEvent(b.key.tenantId, { discovered_at: daysAgo(60, t) });
        await db.transaction().execute(async (trx) => {
          await RESOURCES.logs.write(trx, [kept, late]);
          await RESOURCES.logs.write(trx, [other]);
        });
        ingested.aKept.push(kept.id);
        ingested.aExpired.push(late.id);
        ingested.b.push(other.id);
        await sleep(40);
      }
      writing = false;
    })();
    const poller = (async () => {
      while (writing) {
        await poll();
        await sleep(20);
      }
    })();

    await sleep(150);
    await updateTenantRetention(db, a.key.tenantId, 30);
    await Promise.all([writer, poller]);
    await waitFor(
      'the maintenance job to remove what expired',
      async () => (await expiredLeft(a.key.tenantId)) === 0,
      60_000,
    );
    await waitFor('the maintenance job to clean C', async () => (await expiredLeft(c.key.tenantId)) === 0, 120_000);

    // The poller catches up: every event that was not expired, exactly once.
    const keptIds = [...a.logs.kept, ...ingested.aKept];
    const deadline = Date.now() + 120_000;
    while (!keptIds.every((id) => seen.includes(id))) {
      if (Date.now() > deadline) throw new Error(`feed did not deliver (seen ${seen.length})`);
      while (!(await poll(50))) {
        /* until caught up */
      }
      await sleep(50);
    }
    expect(new Set(seen).size).toBe(seen.length);
    const everWritten = new Set([...a.logs.kept, ...a.logs.expired, ...ingested.aKept, ...ingested.aExpired]);
    expect(seen.filter((id) => !everWritten.has(id))).toEqual([]);

    // A keeps exactly its events within 30 days; B every one of its own; C as A.
    expect([...(await idsOf('log_events', a.key.tenantId))].sort()).toEqual([...keptIds].sort());
    expect([...(await idsOf('log_events', b.key.tenantId))].sort()).toEqual(
      [...b.logs.kept, ...b.logs.expired, ...ingested.b].sort(),
    );
    expect([...(await idsOf('log_events', c.key.tenantId))].sort()).toEqual([...c.logs.kept].sort());
    for (const [tenant, removed] of [
      [a, true],
      [b, false],
      [c, true],
    ] as const) {
      const alerts = new Set([
        ...(await idsOf('monitoring_alerts', tenant.key.tenantId)),
        ...(await idsOf('security_alerts', tenant.key.tenantId)),
      ]);
      expect([...alerts].sort()).toEqual(
        (removed ? tenant.alertsKept : [...tenant.alertsKept, ...tenant.alertsExpired]).sort(),
      );
    }

    // The cursor keeps working: a new event is delivered once, and nothing else.
    const before = seen.length;
    const fresh = makeLogEvent(a.key.tenantId, { discovered_at: daysAgo(0) });
    await RESOURCES.logs.write(db, [fresh]);
    const until = Date.now() + 120_000;
    while (!seen.includes(fresh.id)) {
      if (Date.now() > until) throw new Error('the fresh event was not delivered');
      await poll(50);
      await sleep(50);
    }
    expect(seen.slice(before)).toEqual([fresh.id]);

    // A window that starts before the period starts at the oldest item kept.
    const oldest = await get(a.key.secret, '/logs', { since: daysAgo(400).toISOString(), order: 'asc', limit: 1 });
    const oldestKept = await db
      .selectFrom('log_events')
      .select('id')
      .where('tenant_id', '=', a.key.tenantId)
      .orderBy('discovered_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(oldest.body.data.map((item: { id: string }) => item.id)).toEqual([oldestKept.id]);
    const fromOld = await get(a.key.secret, '/logs/changes', { from: daysAgo(400).toISOString(), limit: 1000 });
    expect(fromOld.status).toBe(200);
    expect(new Set(fromOld.body.data.map((item: { id: string }) => item.id))).toEqual(new Set([...keptIds, fresh.id]));

    // Each tenant's key sees its own period.
    expect((await get(a.key.secret, '/ping')).body.data.retentionDays).toBe(30);
    expect((await get(b.key.secret, '/ping')).body.data.retentionDays).toBe(365);
  });

  it('runs one pass at a time: while another holds the lease, neither the servers nor the CLI remove anything', async () => {
    const d = await seedTenant('Retention D');
    await db
      .insertInto('maintenance_leases')
      .values({ name: 'retention', holder: 'someone-else', acquired_at: new Date(), expires_at: daysAgo(-1) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder: 'someone-else', expires_at: daysAgo(-1) }))
      .execute();
    try {
      await updateTenantRetention(db, d.key.tenantId, 30);
      const cli = await runCliProcess(['maintenance', 'run', '--json'], env);
      expect(cli.code, cli.stderr).toBe(75);
      expect(cli.stderr).toMatch(/Another retention pass is running \(someone-else\)/);
      // The servers have had many turns meanwhile (every 200 ms): each one skipped.
      expect(await expiredLeft(d.key.tenantId)).toBe(120 + 20);
    } finally {
      await db.deleteFrom('maintenance_leases').where('holder', '=', 'someone-else').execute();
    }
    await waitFor(
      'the job to run once the lease is free',
      async () => (await expiredLeft(d.key.tenantId)) === 0,
      60_000,
    );
    expect([...(await idsOf('log_events', d.key.tenantId))].sort()).toEqual([...d.logs.kept].sort());
  });
});
