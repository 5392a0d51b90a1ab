/**
 * Throughput of `onesec sync` from the API into rsyslog over TCP (CEF), beside the raw rate
 * of reading the same changes feed with the client library in the same run: the forwarder's
 * overhead as a ratio. Needs PostgreSQL (TEST_DATABASE_URL) and Debian's rsyslogd, and the
 * built package (`pnpm --filter @1security/client build`).
 *
 *   pnpm --filter @1security/client bench:onesec          # BENCH_EVENTS=50000 by default
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, MemoryCheckpointStore } from '../src';
import { createKey, createTenant, ingest, startApiServer } from '../test/support/api-server';
import { PACKAGE_DIR } from '../test/support/paths';
import { makeLogRecords } from '../test/support/records';
import { freePort, startRsyslog } from '../test/support/rsyslog';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const CLI = path.join(PACKAGE_DIR, 'dist/cli/onesec.cjs');

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-bench-'));
  const server = await startApiServer();
  try {
    const tenantId = await createTenant(server, 'onesec bench');
    for (let offset = 0; offset < EVENTS; offset += 10_000) {
      await ingest(server, tenantId, 'logs', makeLogRecords(Math.min(10_000, EVENTS - offset), offset));
    }
    const apiKey = await createKey(server, tenantId, { rateLimit: 1_000_000 });

    // Raw: the client library reading the whole changes feed, discarding the items.
    const client = createClient({ apiKey, baseUrl: server.url });
    let raw = 0;
    const rawStarted = performance.now();
    for await (const batch of client.logs.syncBatches({ store: new MemoryCheckpointStore(), limit: BATCH }))
      raw += batch.items.length;
    const rawSeconds = (performance.now() - rawStarted) / 1000;

    // onesec: the same feed, formatted as CEF, delivered to rsyslog over TCP, checkpointed.
    const rsyslog = await startRsyslog({ dir: path.join(dir, 'rsyslog'), tcpPort: await freePort() });
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'sync',
        'logs',
        '--checkpoint',
        path.join(dir, 'checkpoint.json'),
        '--format',
        'cef',
        '--output',
        `syslog+tcp://127.0.0.1:${rsyslog.tcpPort}`,
        '--batch-size',
        String(BATCH),
      ],
      {
        env: { PATH: process.env.PATH, ONESEC_API_KEY: apiKey, ONESEC_BASE_URL: server.url },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const seconds = (performance.now() - started) / 1000;
    await rsyslog.stop();
    const received = (await rsyslog.messages()).length;
    if (code !== 0 || received !== EVENTS || raw !== EVENTS)
      throw new Error(`onesec exited ${code}; raw ${raw}, received ${received} of ${EVENTS}`);

    const rawRate = raw / rawSeconds;
    const rate = EVENTS / seconds;
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          events: EVENTS,
          batchSize: BATCH,
          rawClientSeconds: Number(rawSeconds.toFixed(2)),
          rawClientEventsPerSecond: Math.round(rawRate),
          onesecSeconds: Number(seconds.toFixed(2)),
          onesecEventsPerSecond: Math.round(rate),
          ratio: Number((rate / rawRate).toFixed(2)),
          receivedByRsyslog: received,
          cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
          node: process.version,
        },
        null,
        2,
      ),
    );
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
