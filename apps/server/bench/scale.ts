/**
 * `pnpm --filter @1security/server bench:scale`: one big tenant among 100, at SCALE_EVENTS
 * audit events (default 1,000,000; run again with 10000000 to compare), on PostgreSQL.
 *
 * Loads with `insert … select … from generate_series` in 50,000-row transactions (so the feed
 * has many transaction ids, and each statement stays under the pool's 30 s statement
 * timeout), the 99 other tenants with SCALE_OTHER_EVENTS each (default 10,000), all spread
 * over the last 12 months. Then times, as medians of SCALE_RUNS (default
 * 15), the queries the API runs (the shared query core, no HTTP):
 *   first page (100, newest first), deep page (100, from the middle of the tenant by keyset),
 *   feed catch-up (the last 1,000 events of the feed, from a cursor 1,000 behind),
 *   ingest (5,000-event batches through the ingest write path, events/s),
 * and the retention pass removing the big tenant's oldest month (the others keep theirs).
 * Prints JSON; with SCALE_OUT=<file> writes it there too. The database (SCALE_DATABASE,
 * default onesec_bench_scale_<events>) is dropped at the end unless SCALE_KEEP=1.
 */
import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { ulid } from 'ulid';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { logEventsTable } from '../src/logs/logs.repository';
import { runRetention } from '../src/maintenance/retention.service';
import { RESOURCES } from '../src/resources/registry';
import { changesQuery, listQuery } from '../src/resources/resource-query';
import { createTenant, updateTenantRetention } from '../src/tenants/tenants.repository';

const EVENTS = Number(process.env.SCALE_EVENTS ?? 1_000_000);
const OTHER = Number(process.env.SCALE_OTHER_EVENTS ?? 10_000);
const RUNS = Number(process.env.SCALE_RUNS ?? 15);
const ADMIN_URL = process.env.SCALE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = process.env.SCALE_DATABASE ?? `onesec_bench_scale_${EVENTS}`;
const DAY = 86_400_000;
const YEAR_MS = 365 * DAY;

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main() {
  await admin(`drop database if exists ${NAME} with (force)`);
  await admin(`create database ${NAME}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${NAME}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', logger: createLogger('warn') });
  const db = handle.db;
  const result: Record<string, unknown> = { events: EVENTS, otherTenants: 99, otherEventsEach: OTHER };
  try {
    await migrateToLatest(db);
    const big = await createTenant(db, 'Big tenant');
    const others = [];
    for (let i = 0; i < 99; i++) others.push(await createTenant(db, `Tenant ${i}`));
    const now = Date.now();
    const start = now - YEAR_MS;

    // Rows spread evenly over the last year, oldest first; ids sort with time like ULIDs.
    const load = async (tenantId: string, count: number, chunk: number) => {
      for (let from = 0; from < count; from += chunk) {
        const to = Math.min(count, from + chunk) - 1;
        await sql`
          insert into log_events (tenant_id, id, source_id, occurred_at, discovered_at, action, severity,
                                  actor_name, actor_type, actor_ip, resource_name, resource_type, workload,
                                  application_display_name)
          select ${tenantId}, lpad(i::text, 26, '0'), 'src-' || i,
                 to_timestamp((${start}::float8 + i * ${YEAR_MS / count}::float8) / 1000) - interval '5 seconds',
                 date_trunc('milliseconds', to_timestamp((${start}::float8 + i * ${YEAR_MS / count}::float8) / 1000)),
                 (array['FileDownloaded','FileAccessed','UserLoggedIn','MailItemsAccessed'])[1 + i % 4],
                 (array['informational','low','medium','high','critical'])[1 + i % 5],
                 'user' || (i % 500) || '@contoso.com', 'user', '20.42.73.' || (i % 250), 'file-' || i,
                 'file', (array['SharePoint','OneDrive','Exchange'])[1 + i % 3], 'Office 365'
            from generate_series(${from}::bigint, ${to}::bigint) as i`.execute(db);
      }
    };
    const loadStarted = Date.now();
    for (const tenant of others) await load(tenant.id, OTHER, OTHER);
    await load(big.id, EVENTS, 50_000);
    await sql`vacuum analyze log_events`.execute(db);
    result.loadSeconds = Math.round((Date.now() - loadStarted) / 1000);
    const size = await sql<{ bytes: string }>`select pg_total_relation_size('log_events')::text as bytes`.execute(db);
    result.logEventsBytes = Number(size.rows[0]!.bytes);

    const page = (after?: [Date, string]) =>
      listQuery(db, logEventsTable, {
        tenantId: big.id,
        filters: {},
        window: { order: 'desc' },
        after,
        take: 101,
      }).execute();
    const middle = await sql<{ discovered_at: Date; id: string }>`
      select discovered_at, id from log_events where tenant_id = ${big.id}
       order by discovered_at, id offset ${Math.floor(EVENTS / 2)} limit 1`.execute(db);
    const deep: [Date, string] = [middle.rows[0]!.discovered_at, middle.rows[0]!.id];
    const behind = await sql<{ txid: string; seq: string }>`
      select txid::text, seq::text from log_events where tenant_id = ${big.id}
       order by txid desc, seq desc offset 1000 limit 1`.execute(db);
    const catchUp = () =>
      changesQuery(db, logEventsTable, {
        tenantId: big.id,
        filters: {},
        after: [behind.rows[0]!.txid, behind.rows[0]!.seq],
        xmin: '18446744073709551615',
        take: 1001,
      }).execute();

    const firstPage: number[] = [];
    const deepPage: number[] = [];
    const feed: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      firstPage.push(await timed(() => page()));
      deepPage.push(await timed(() => page(deep)));
      feed.push(await timed(catchUp));
    }
    result.firstPageMs = median(firstPage);
    result.deepPageMs = median(deepPage);
    result.feedCatchUp1000Ms = median(feed);

    const ingestRates: number[] = [];
    for (let run = 0; run < 5; run++) {
      const rows = Array.from({ length: 5_000 }, (_, i) => ({
        tenant_id: big.id,
        id: ulid(),
        source_id: `bench-${run}-${i}`,
        occurred_at: new Date(now - 5_000),
        discovered_at: new Date(now),
        action: 'FileDownloaded',
        severity: 'low' as const,
        actor_name: 'jane@contoso.com',
        actor_type: 'user' as const,
        actor_ip: null,
        resource_name: null,
        resource_type: 'file',
        workload: 'SharePoint',
        application_display_name: null,
      }));
      const ms = await timed(() => RESOURCES.logs.write(db, rows));
      ingestRates.push(Math.round(5_000 / (ms / 1000)));
    }
    result.ingestEventsPerSecond = median(ingestRates);

    // Retention: only the big tenant's oldest month expires.
    for (const tenant of others) await updateTenantRetention(db, tenant.id, 36_500);
    const days = Math.floor((now - (start + 30 * DAY)) / DAY);
    await updateTenantRetention(db, big.id, days);
    const retentionStarted = Date.now();
    const run = await runRetention(db, { runner: 'bench' });
    result.retentionMonthMs = Date.now() - retentionStarted;
    result.retentionRemoved = run.removed.logs;
  } finally {
    await handle.close();
    if (process.env.SCALE_KEEP !== '1') await admin(`drop database if exists ${NAME} with (force)`);
  }
  const text = JSON.stringify(result, null, 2);
  process.stdout.write(`${text}\n`);
  if (process.env.SCALE_OUT) writeFileSync(process.env.SCALE_OUT, `${text}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
