/**
 * `pnpm bench` (its webhook part): push delivery from the built server (`node dist/main.js`,
 * on PostgreSQL) to a receiver on loopback, with 1, 10 and 100 endpoints subscribed to one
 * tenant's logs (batchSize 1: a message per event per endpoint).
 *
 *  - messages/s: a backlog of events committed at once, until every endpoint has it all;
 *  - commit → 2xx: events committed one at a time, spaced (250 ms, or 60 ms per endpoint) so
 *    that delivery is not saturated; for each event and endpoint,
 *    the time from the writer's COMMIT returning to the receiver answering 204 (p50/p99).
 *
 * Env: DATABASE_URL (an admin URL; a fresh database onesec_bench_webhooks is made from it),
 * BENCH_QUICK=1 (smaller backlogs), WEBHOOK_WORKERS (the server's delivery loops, default 4).
 * Prints a Markdown table, and writes it to .bench/webhooks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServerProcess } from '@1security/test-kit';
import pg from 'pg';
import { CLI_ACTOR } from '../src/audit/audit-events';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { insertLogEvents } from '../src/logs/logs.repository';
import { createTenant } from '../src/tenants/tenants.repository';
import { createWebhookEndpoint } from '../src/webhooks/webhook-endpoints.service';
import { ulid } from 'ulid';

const serverDir = path.resolve(import.meta.dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORKERS = process.env.WEBHOOK_WORKERS ?? '4';
const log = (message: string) => process.stderr.write(`[bench:webhooks] ${message}\n`);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** One receiver port for every endpoint (each endpoint its own path): counts, and stamps each 2xx. */
class Receiver {
  readonly answeredAt = new Map<string, number>(); // `${endpoint}/${eventId}` → time of the 204
  messages = 0;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: Array<{ id: string }> };
      const now = performance.now();
      for (const item of body.data) this.answeredAt.set(`${req.url}/${item.id}`, now);
      this.messages++;
      res.writeHead(204).end();
    });
  });
  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
}

async function main(): Promise<void> {
  const name = 'onesec_bench_webhooks';
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const logger = createLogger('warn');
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', logger, poolSize: 4 });
  await migrateToLatest(database.db);
  const db = database.db;

  const receiver = new Receiver();
  const port = await receiver.start();
  const server = await spawnServerProcess({
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'warn',
      WEBHOOK_WORKERS: WORKERS,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    },
  });
  const rows: string[] = [];
  try {
    for (const endpoints of [1, 10, 100]) {
      const tenantId = (await createTenant(db, `bench ${endpoints}`)).id;
      const paths: string[] = [];
      for (let i = 0; i < endpoints; i++) {
        const p = `/e${endpoints}-${i}`;
        paths.push(p);
        await createWebhookEndpoint(
          db,
          { tenantId, url: `http://127.0.0.1:${port}${p}`, resources: 'logs', actor: CLI_ACTOR },
          { network: { allowHttp: true, allowPrivateNetworks: true } },
        );
      }
      const event = () => ({
        tenant_id: tenantId,
        id: ulid(),
        source_id: null,
        occurred_at: new Date(),
        discovered_at: new Date(),
        action: 'FileAccessed',
        severity: 'low' as const,
        actor_name: 'bench@contoso.com',
        actor_type: 'user' as const,
        actor_ip: null,
        resource_name: 'report.xlsx',
        resource_type: 'file',
        workload: 'OneDrive',
        application_display_name: null,
      });
      const allArrived = async (ids: string[]) => {
        for (;;) {
          if (ids.every((id) => paths.every((p) => receiver.answeredAt.has(`${p}/${id}`)))) return;
          await sleep(10);
        }
      };
      // Let the creation audit events go out first.
      await sleep(1_500);

      // Throughput: a backlog committed at once.
      const backlog = (QUICK ? 2_000 : 10_000) / endpoints;
      const events = Array.from({ length: Math.max(20, Math.round(backlog)) }, event);
      const before = receiver.messages;
      const t0 = performance.now();
      await insertLogEvents(db, events);
      await allArrived(events.map((e) => e.id));
      const seconds = (performance.now() - t0) / 1000;
      const messagesPerSecond = (receiver.messages - before) / seconds;

      // Latency: one event at a time.
      const delays: number[] = [];
      const arrivals: Array<Promise<void>> = [];
      // Paced well below the throughput measured above, so the delay is delivery's, not a queue's.
      const paced = Math.max(10, Math.round((QUICK ? 40 : 200) / endpoints));
      const spacingMs = Math.max(250, endpoints * 60);
      for (let i = 0; i < paced; i++) {
        const e = event();
        await insertLogEvents(db, [e]);
        const committed = performance.now();
        await sleep(spacingMs);
        arrivals.push(
          allArrived([e.id]).then(() => {
            for (const p of paths) delays.push(receiver.answeredAt.get(`${p}/${e.id}`)! - committed);
          }),
        );
      }
      await Promise.all(arrivals);
      const row = `| ${endpoints} | ${events.length * endpoints} | ${Math.round(messagesPerSecond).toLocaleString('en')} | ${Math.round(percentile(delays, 50))} | ${Math.round(percentile(delays, 99))} | ${delays.length} |`;
      log(row);
      rows.push(row);
      // This tenant's endpoints stop before the next scenario.
      await db.updateTable('webhook_endpoints').set({ status: 'disabled' }).where('tenant_id', '=', tenantId).execute();
    }
  } finally {
    await server.stop();
    receiver.server.close();
    receiver.server.closeAllConnections();
    await database.close();
  }
  const table = [
    `Webhooks (${new Date().toISOString().slice(0, 16)} UTC, PostgreSQL, WEBHOOK_WORKERS=${WORKERS}, batchSize 1, receiver on loopback${QUICK ? ', BENCH_QUICK' : ''}):`,
    '',
    '| endpoints | backlog messages | messages/s | commit → 2xx p50 (ms) | p99 (ms) | latency samples |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(path.join(serverDir, '.bench'), { recursive: true });
  writeFileSync(path.join(serverDir, '.bench/webhooks.md'), table);
  process.stdout.write(`${table}\n`);
}

await main();
// Nothing of the run may keep the process alive (a pooled connection, a socket in TIME_WAIT's wake).
process.exit(0);
