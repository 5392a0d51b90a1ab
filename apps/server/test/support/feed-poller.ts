import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { ingestRecords } from '../../src/ingest/ingest.service';
import { insertLogEvents } from '../../src/logs/logs.repository';
import { at, makeLogEvent } from './factories';
import { getJson } from './http';
import { expectMatchesOpenApi } from './openapi-validator';
import type { TestDatabase } from './test-database';
import type { TestKey, TestServer } from './test-server';

/** A SIEM poller: follows nextCursor forever, remembering every id it was given. */
export class Poller {
  cursor: string | undefined;
  readonly seen: string[] = [];
  /** Requests made. */
  calls = 0;
  constructor(
    private readonly server: TestServer,
    private readonly key: TestKey,
    private readonly path: string,
    private readonly query: Record<string, string | number> = {},
  ) {}

  /** One call; returns whether the feed said it had caught up. */
  async poll(limit = 7): Promise<boolean> {
    this.calls++;
    const res = await getJson(this.server, this.key.secret, this.path, { ...this.query, limit, cursor: this.cursor });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectMatchesOpenApi(this.path, 200, res.body);
    expect(res.body.pagination.nextCursor).toEqual(expect.any(String));
    this.cursor = res.body.pagination.nextCursor;
    this.seen.push(...res.body.data.map((item: { id: string }) => item.id));
    return !res.body.pagination.hasMore;
  }

  async drain(): Promise<void> {
    while (!(await this.poll(50))) {
      /* keep going until caught up */
    }
  }

  /**
   * Polls until `done()` holds. The feed only serves transactions older than every one still
   * running on the PostgreSQL server — in any database of the cluster, e.g. another test's —
   * so a caught-up feed may still be waiting for an event that has committed: it is delayed,
   * never skipped, and a poller simply polls again.
   */
  async drainUntil(done: () => boolean, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.drain();
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`feed did not deliver in ${timeoutMs} ms (seen ${this.seen.length})`);
      await sleep(50);
      await this.drain();
    }
  }
}

/**
 * Writers on `database` into `key`'s tenant while `poller` polls `/logs/changes`: three slow
 * writers hold their transactions open for a random time, so later transactions often commit
 * first, and a fifth of them roll back (some events happened long ago); two run the real
 * ingest pipeline batch by batch at the same time; each transaction also writes a row of
 * `other`'s tenant. Returns what committed and what rolled back once the poller has caught up
 * with everything committed.
 */
export async function pollDuringConcurrentWrites(options: {
  database: TestDatabase;
  key: TestKey;
  other: TestKey;
  poller: Poller;
  random: () => number;
}): Promise<{ committed: Set<string>; rolledBack: Set<string> }> {
  const { database, key, other, poller, random } = options;
  const committed = new Set<string>();
  const rolledBack = new Set<string>();

  const slowWriter = async (writer: number) => {
    for (let t = 0; t < 12; t++) {
      const rows = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        makeLogEvent(key.tenantId, {
          discovered_at: new Date(Math.floor(Date.now())),
          occurred_at: random() < 0.3 ? at(-400 * 24 * 3600_000) : new Date(),
          actor_name: `writer${writer}@contoso.com`,
        }),
      );
      const rollback = random() < 0.2;
      try {
        await database.db.transaction().execute(async (trx) => {
          await sleep(random() * 30);
          await insertLogEvents(trx, rows.slice(0, 1));
          await sleep(random() * 120);
          await insertLogEvents(trx, rows.slice(1));
          await insertLogEvents(trx, [makeLogEvent(other.tenantId)]);
          if (rollback) throw new Error('rollback');
        });
        for (const row of rows) committed.add(row.id);
      } catch (err) {
        if ((err as Error).message !== 'rollback') throw err;
        for (const row of rows) rolledBack.add(row.id);
      }
    }
  };
  const ingestWriter = async (writer: number) => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        sourceId: `ingest-${writer}-${i}`,
        occurredAt: new Date(Date.now() - i * 86_400_000).toISOString(),
        action: 'FileAccessed',
        severity: 'low',
        actorName: `ingest${writer}@contoso.com`,
        actorType: 'user',
        resourceType: 'file',
        workload: 'OneDrive',
      }),
    );
    await ingestRecords(database.db, {
      tenantId: key.tenantId,
      type: 'logs',
      format: 'native',
      input: Readable.from(lines.map((l) => `${l}\n`)),
      batchSize: 3,
    });
  };

  let writing = true;
  const polling = (async () => {
    while (writing) {
      await poller.poll();
      await sleep(random() * 15);
    }
  })();
  try {
    await Promise.all([slowWriter(1), slowWriter(2), slowWriter(3), ingestWriter(1), ingestWriter(2)]);
  } finally {
    writing = false;
    await polling;
  }
  const ingested = await database.db
    .selectFrom('log_events')
    .select('id')
    .where('tenant_id', '=', key.tenantId)
    .where('source_id', 'like', 'ingest-%')
    .execute();
  for (const { id } of ingested) committed.add(id);
  await poller.drainUntil(() => new Set(poller.seen).size >= committed.size);
  return { committed, rolledBack };
}

/** A small seeded PRNG, so a failing run can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
