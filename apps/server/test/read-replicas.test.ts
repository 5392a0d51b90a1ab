import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/api-keys/api-keys.service';
import { openDatabase, type DatabaseHandle } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { REPLICA_APPLICATION_NAME, type ReplicaStatus } from '../src/db/read-replicas';
import {
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { Poller, mulberry32, pollDuringConcurrentWrites } from './support/feed-poller';
import { freePort, startHotStandby, startScratchPrimary, type HotStandby } from './support/hot-standby';
import { getJson } from './support/http';
import { createTestDatabase, silentLogger, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

/**
 * Read replicas against a real hot standby: `pg_basebackup -R` of the test cluster, started
 * with `pg_ctl` on a free port (support/hot-standby.ts). PostgreSQL only (this file is in the
 * config's POSTGRES_ONLY list): the embedded database has no replicas.
 *
 * Reads are proven to come from the standby by pausing its replay: a row committed on the
 * primary after the pause is then missing from what the API serves, until replay resumes.
 */
describe('read replicas on a hot standby', () => {
  let database: TestDatabase;
  let standby: HotStandby;
  /** Reads go to the standby whenever it is up (the allowed lag is a minute). */
  let server: TestServer;
  /** The same, but a standby more than 500 ms behind is skipped. */
  let strict: TestServer;
  let databaseName: string;

  const replicaUrl = () => {
    // A password in the URL (the standby trusts loopback and ignores it): /readyz must not show it.
    const url = new URL(standby.urlOf(databaseName));
    url.password = 'replica-secret-pw';
    return url.toString();
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    databaseName = new URL(database.url!).pathname.slice(1);
    // After the database exists and is migrated: the copy has both.
    standby = await startHotStandby();
    const common = { rateLimitPerMinute: 1_000_000, authFailuresPerMinute: 1_000 };
    server = await startTestServer(database, {
      ...common,
      replicas: { urls: [replicaUrl()], maxLagMs: 60_000, probeIntervalMs: 200 },
    });
    strict = await startTestServer(database, {
      ...common,
      replicas: { urls: [replicaUrl()], maxLagMs: 500, probeIntervalMs: 100 },
    });
    await waitForReplica(server, (r) => r.inUse);
    await waitForReplica(strict, (r) => r.inUse);
  });
  afterAll(async () => {
    await server?.close();
    await strict?.close();
    await standby?.remove();
    await database?.close();
  });

  async function readyz(target: TestServer): Promise<{ status: number; text: string; replica: ReplicaStatus }> {
    const res = await fetch(`${target.url}/readyz`);
    const text = await res.text();
    const body = JSON.parse(text) as { replicas: ReplicaStatus[] };
    expect(body.replicas).toHaveLength(1);
    return { status: res.status, text, replica: body.replicas[0]! };
  }

  async function waitForReplica(target: TestServer, done: (r: ReplicaStatus) => boolean, what = 'the replica') {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { replica } = await readyz(target);
      if (done(replica)) return replica;
      if (Date.now() > deadline)
        throw new Error(`${what} never reached the expected state: ${JSON.stringify(replica)}`);
      await sleep(50);
    }
  }

  /** The standby has replayed everything the primary has written so far. */
  async function standbyCaughtUp() {
    const { rows } = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(database.db);
    const lsn = rows[0]!.lsn;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [row] = await standby.query<{ reached: boolean }>(
        databaseName,
        `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as reached`,
      );
      if (row?.reached) return;
      if (Date.now() > deadline) throw new Error('the standby did not catch up');
      await sleep(50);
    }
  }

  /** Runs `body` with the standby's replay paused: the primary's new writes do not reach its data. */
  async function withReplayPaused<T>(body: () => Promise<T>): Promise<T> {
    await standby.query(databaseName, 'select pg_wal_replay_pause()');
    try {
      // Paused means replay has stopped, not that it was asked to.
      for (;;) {
        const [row] = await standby.query<{ state: string }>(
          databaseName,
          'select pg_get_wal_replay_pause_state() as state',
        );
        if (row?.state === 'paused') break;
        await sleep(20);
      }
      return await body();
    } finally {
      await standby.query(databaseName, 'select pg_wal_replay_resume()');
    }
  }

  it('serves lists, details and the feed from the standby, and says so in /readyz without credentials', async () => {
    const key = await createTenantWithKey(database);
    const log = makeLogEvent(key.tenantId);
    const monitoring = makeMonitoringAlert(key.tenantId);
    const security = makeSecurityAlert(key.tenantId);
    await insertLogs(database.db, [log]);
    await insertMonitoringAlerts(database.db, [monitoring]);
    await insertSecurityAlerts(database.db, [security]);
    await standbyCaughtUp();
    const poller = new Poller(server, key, '/logs/changes');
    await poller.drainUntil(() => poller.seen.includes(log.id));
    const alertPoller = new Poller(server, key, '/monitoring-alerts/changes');
    await alertPoller.drainUntil(() => alertPoller.seen.includes(monitoring.id));

    const before = (await readyz(server)).replica;
    const fresh = makeLogEvent(key.tenantId);
    await withReplayPaused(async () => {
      await insertLogs(database.db, [fresh]); // on the primary only, for now
      const primaryHasIt = await database.db.selectFrom('log_events').select('id').where('id', '=', fresh.id).execute();
      expect(primaryHasIt).toHaveLength(1);

      const list = await getJson(server, key.secret, '/logs', { limit: 100 });
      expect(list.status).toBe(200);
      expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([log.id]);
      expect((await getJson(server, key.secret, `/logs/${log.id}`)).status).toBe(200);
      // Not replayed yet: the standby has no such row (the documented cost of reading a replica).
      expect((await getJson(server, key.secret, `/logs/${fresh.id}`)).status).toBe(404);
      await poller.drain();
      expect(poller.seen).toEqual([log.id]);
      for (const path of ['/monitoring-alerts', '/security-alerts', `/security-alerts/${security.id}`]) {
        expect([path, (await getJson(server, key.secret, path)).status]).toEqual([path, 200]);
      }
      await alertPoller.drain();
      expect(alertPoller.seen).toEqual([monitoring.id]);

      // The server holds sessions on the standby; their last statements are reads or lag probes.
      const sessions = await standby.query<{ query: string }>(
        databaseName,
        `select query from pg_stat_activity where application_name = '${REPLICA_APPLICATION_NAME}'`,
      );
      expect(sessions.length).toBeGreaterThan(0);
      for (const { query } of sessions) expect(query).toMatch(/log_events|_alerts|pg_last_wal_replay_lsn/);
    });

    const after = await readyz(server);
    expect(after.status).toBe(200);
    expect(after.replica.reads - before.reads).toBeGreaterThanOrEqual(8);
    expect(after.replica.fallbacks).toBe(before.fallbacks);
    expect(after.replica).toMatchObject({
      state: 'ok',
      inUse: true,
      name: expect.stringContaining(`/${databaseName}`),
    });
    expect(after.text).not.toContain('replica-secret-pw');
    expect(after.text).not.toContain('postgres@');

    // Replayed: the feed and the detail catch up, the feed without repeating anything.
    await poller.drainUntil(() => poller.seen.includes(fresh.id));
    expect(poller.seen).toEqual([log.id, fresh.id]);
    expect((await getJson(server, key.secret, `/logs/${fresh.id}`)).status).toBe(200);
  });

  it('refuses a key revoked on the primary at its very next request, though the standby still has it live', async () => {
    const key = await createTenantWithKey(database);
    const other = await createTenantWithKey(database);
    const log = makeLogEvent(key.tenantId);
    await insertLogs(database.db, [log]);
    await standbyCaughtUp();
    const paths = ['/logs', '/logs/changes', `/logs/${log.id}`, '/security-alerts', '/monitoring-alerts/changes'];
    for (const path of paths) expect([path, (await getJson(server, key.secret, path)).status]).toEqual([path, 200]);

    await withReplayPaused(async () => {
      await revokeApiKey(database.db, { keyId: key.keyId });
      const [onStandby] = await standby.query<{ revoked: boolean }>(
        databaseName,
        `select revoked_at is not null as revoked from api_keys where id = '${key.keyId}'`,
      );
      expect(onStandby?.revoked).toBe(false); // the standby would still let it read
      const { replica: before } = await readyz(server);
      expect(before.inUse).toBe(true);

      for (const path of paths) {
        const res = await getJson(server, key.secret, path);
        expect([path, res.status, res.body.error?.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
      }
      // Another key still reads from the standby meanwhile.
      expect((await getJson(server, other.secret, '/logs')).status).toBe(200);
      const { replica: after } = await readyz(server);
      expect(after.reads).toBeGreaterThan(before.reads);
      expect(after.fallbacks).toBe(before.fallbacks);
    });
  });

  it('skips a standby further behind than REPLICA_MAX_LAG_MS and reads from the primary, then uses it again', async () => {
    const key = await createTenantWithKey(database);
    const early = makeLogEvent(key.tenantId);
    await insertLogs(database.db, [early]);
    await standbyCaughtUp();
    await waitForReplica(strict, (r) => r.inUse);
    // A poller whose requests go to the standby, then the primary, then the standby again.
    const feed = new Poller(strict, key, '/logs/changes');
    await feed.drainUntil(() => feed.seen.includes(early.id));
    const fresh = makeLogEvent(key.tenantId);
    await withReplayPaused(async () => {
      await insertLogs(database.db, [fresh]); // moves the primary's WAL past what the standby replays
      const lagging = await waitForReplica(strict, (r) => r.state === 'lagging', 'the paused standby');
      expect(lagging.inUse).toBe(false);
      expect(lagging.lagMs).toBeGreaterThan(500);
      expect(lagging.lagBytes).toBeGreaterThan(0);
      // From the primary: the row the standby has not replayed is there.
      const list = await getJson(strict, key.secret, '/logs');
      expect(list.status).toBe(200);
      expect(list.body.data.map((e: { id: string }) => e.id).sort()).toEqual([early.id, fresh.id].sort());
      expect((await getJson(strict, key.secret, `/logs/${fresh.id}`)).status).toBe(200);
      await feed.drainUntil(() => feed.seen.includes(fresh.id));
      // The lenient server still reads the paused standby: it does not have the row.
      expect((await getJson(server, key.secret, `/logs/${fresh.id}`)).status).toBe(404);
    });
    const back = await waitForReplica(strict, (r) => r.inUse, 'the resumed standby');
    expect(back.state).toBe('ok');
    expect(back.lagMs).toBeLessThanOrEqual(500);
    // Back on the standby, with a cursor the primary issued: nothing again, nothing skipped.
    const late = makeLogEvent(key.tenantId);
    await insertLogs(database.db, [late]);
    const calls = feed.calls;
    await feed.drainUntil(() => feed.seen.includes(late.id));
    expect(feed.seen).toEqual([early.id, fresh.id, late.id]);
    const { replica: after } = await readyz(strict);
    expect(after.reads - back.reads).toBe(feed.calls - calls);
  });

  it('takes several comma-separated replicas, skipping one that is down and one that is no standby', async () => {
    // One where nothing listens (down at start-up, which must not stop the server), and the
    // primary itself, named as a replica by mistake.
    const nowhere = new URL(standby.urlOf(databaseName));
    nowhere.port = String(await freePort());
    const both = await startTestServer(database, {
      rateLimitPerMinute: 1_000_000,
      replicas: { urls: [nowhere.toString(), database.url!, replicaUrl()], maxLagMs: 60_000, probeIntervalMs: 200 },
    });
    try {
      const key = await createTenantWithKey(database);
      const res = await fetch(`${both.url}/readyz`);
      const { replicas } = (await res.json()) as { replicas: ReplicaStatus[] };
      expect(res.status).toBe(200);
      expect(replicas.map((r) => [r.name.split(' (')[0], r.state, r.inUse])).toEqual([
        ['replica 1', 'down', false],
        ['replica 2', 'not-a-standby', false],
        ['replica 3', 'ok', true],
      ]);
      for (let i = 0; i < 4; i++) expect((await getJson(both, key.secret, '/logs')).status).toBe(200);
      const after = (await (await fetch(`${both.url}/readyz`)).json()) as { replicas: ReplicaStatus[] };
      expect(after.replicas.map((r) => r.reads)).toEqual([0, 0, 4]);
    } finally {
      await both.close();
    }
  });

  it('passes the concurrent-writer feed test with the poller reading the standby', async () => {
    const key = await createTenantWithKey(database);
    const other = await createTenantWithKey(database);
    const before = (await readyz(server)).replica;
    const poller = new Poller(server, key, '/logs/changes');
    const { committed, rolledBack } = await pollDuringConcurrentWrites({
      database,
      key,
      other,
      poller,
      random: mulberry32(19),
    });
    expect(committed.size).toBeGreaterThan(100);
    expect(poller.seen.length).toBe(new Set(poller.seen).size); // no duplicates
    expect(new Set(poller.seen)).toEqual(committed); // nothing missed, nothing foreign
    for (const id of rolledBack) expect(poller.seen).not.toContain(id);
    // Every poll was answered by the standby: none failed there and fell back to the primary.
    const after = (await readyz(server)).replica;
    expect(poller.calls).toBeGreaterThan(10);
    expect(after.reads - before.reads).toBe(poller.calls);
    expect(after.fallbacks).toBe(before.fallbacks);
  });

  it('falls back to the primary with no error while the standby is stopped, and uses it again once restarted', async () => {
    const key = await createTenantWithKey(database);
    const log = makeLogEvent(key.tenantId);
    await insertLogs(database.db, [log]);
    await standbyCaughtUp();
    const paths = ['/logs', '/logs/changes', `/logs/${log.id}`, '/security-alerts/changes'];

    // Requests keep coming while the standby shuts down under them.
    const statuses: Array<[string, number]> = [];
    let stopping = true;
    const traffic = (async () => {
      while (stopping) {
        for (const path of paths) statuses.push([path, (await getJson(server, key.secret, path)).status]);
      }
    })();
    await standby.stop();
    const down = await waitForReplica(server, (r) => r.state === 'down', 'the stopped standby');
    expect(down.inUse).toBe(false);
    const { replica: beforeFresh } = await readyz(server);
    const fresh = makeLogEvent(key.tenantId);
    await insertLogs(database.db, [fresh]);
    for (const path of [...paths, `/logs/${fresh.id}`])
      statuses.push([path, (await getJson(server, key.secret, path)).status]);
    stopping = false;
    await traffic;
    expect(statuses.length).toBeGreaterThan(paths.length);
    expect(statuses.filter(([, status]) => status !== 200)).toEqual([]);
    const ready = await readyz(server);
    expect(ready.status).toBe(200); // the primary answers: ready
    expect(ready.replica.reads).toBe(beforeFresh.reads); // nothing read from a stopped standby

    await standby.start();
    await waitForReplica(server, (r) => r.inUse, 'the restarted standby');
    await standbyCaughtUp();
    const { replica: before } = await readyz(server);
    expect((await getJson(server, key.secret, `/logs/${fresh.id}`)).status).toBe(200);
    const { replica: after } = await readyz(server);
    expect(after.reads).toBe(before.reads + 1);
  });
});

/**
 * The trap of timestamp-based lag: on an idle primary no commit reaches the standby, so
 * `now() - pg_last_xact_replay_timestamp()` grows without bound although the standby has
 * everything. The shared test cluster is never idle (other tests write to it), so this
 * builds a primary of its own (initdb) and a standby of that.
 */
describe('a caught-up standby of an idle primary', () => {
  it('stays in use, though its last replayed commit is older than REPLICA_MAX_LAG_MS', async () => {
    const primary = await startScratchPrimary();
    let standby: HotStandby | undefined;
    let handle: DatabaseHandle | undefined;
    let idleServer: TestServer | undefined;
    try {
      const url = primary.urlOf('postgres');
      handle = await openDatabase({ databaseUrl: url, dataDir: 'unused', logger: silentLogger });
      await migrateToLatest(handle.db);
      const scratch: TestDatabase = { ...handle, url };
      const key = await createTenantWithKey(scratch);
      await insertLogs(handle.db, [makeLogEvent(key.tenantId)]);
      standby = await startHotStandby(url);
      idleServer = await startTestServer(scratch, {
        replicas: { urls: [standby.urlOf('postgres')], maxLagMs: 500, probeIntervalMs: 100 },
      });
      // Nothing writes now. Wait until the last commit the standby replayed is well past the
      // allowed lag: a timestamp comparison would call it lagging from here on.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const [row] = await standby.query<{ ageMs: number | null }>(
          'postgres',
          `select (extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000)::float8 as "ageMs"`,
        );
        if (row?.ageMs !== null && row?.ageMs !== undefined && row.ageMs > 2_000) break;
        if (Date.now() > deadline) throw new Error(`no replayed commit grew old: ${JSON.stringify(row)}`);
        await sleep(100);
      }
      const res = await fetch(`${idleServer.url}/readyz`);
      const { replicas } = (await res.json()) as { replicas: ReplicaStatus[] };
      expect(replicas[0]).toMatchObject({ state: 'ok', inUse: true });
      expect((await getJson(idleServer, key.secret, '/logs')).body.data).toHaveLength(1);
      const after = (await (await fetch(`${idleServer.url}/readyz`)).json()) as { replicas: ReplicaStatus[] };
      expect(after.replicas[0]!.reads).toBe(replicas[0]!.reads + 1);
    } finally {
      await idleServer?.close();
      await handle?.close();
      await standby?.remove();
      await primary.remove();
    }
  });
});

describe('building a standby', () => {
  it('fails with a message saying what to add to pg_hba.conf when replication is not allowed', async () => {
    const primary = await startScratchPrimary({ allowReplication: false });
    try {
      await expect(startHotStandby(primary.urlOf('postgres'))).rejects.toThrow(
        /refuses replication connections.*'host replication all 127\.0\.0\.1\/32 trust'.*pg_hba\.conf/,
      );
    } finally {
      await primary.remove();
    }
  });
});

describe('read replicas and the embedded database', () => {
  it('refuses DATABASE_REPLICA_URL clearly instead of ignoring it', async () => {
    const embedded = await createTestDatabase('pglite');
    try {
      await expect(
        startTestServer(embedded, {
          replicas: { urls: ['postgres://postgres@127.0.0.1:5432/postgres'], maxLagMs: 5_000, probeIntervalMs: 1_000 },
        }),
      ).rejects.toThrow(/DATABASE_REPLICA_URL needs DATABASE_URL/);
    } finally {
      await embedded.close();
    }
  });
});
