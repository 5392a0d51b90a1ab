/**
 * `pnpm bench`: the API against real PostgreSQL on a 1,000,000-log tenant, and against the
 * floor (a bare node:http + pg server running the same SQL). See BENCHMARKS.md.
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/onesec_bench, created when
 * missing), BENCH_QUICK=1 (100,000 logs, 1 run, short runs: a smoke test; results go to
 * .bench/ only), BENCH_ONLY=ping,list,deep,export,changes,ingest (a subset; results go to
 * .bench/ only), BENCH_RUNS, BENCH_DURATION (seconds per load run), BENCH_INGEST_BATCH,
 * BENCH_CPU_PROF=1 (the server child writes a V8 CPU profile to .bench/profiles/), BENCH_PUBLISH=1
 * (write BENCHMARKS.md and bench/results.json even from a reduced run).
 */
import { execSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, MemoryCheckpointStore } from '@1security/client';
import autocannon from 'autocannon';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { o365File } from './o365-file';
import { processTree, runCommand, sampleRss, startChild, type Started } from './processes';

const serverDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(serverDir, '../..');
const stateDir = path.join(serverDir, '.bench');
mkdirSync(stateDir, { recursive: true });

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const LOGS = QUICK ? 100_000 : 1_000_000;
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 3 : 6));
const INGEST_BATCH = Number(process.env.BENCH_INGEST_BATCH ?? 5000);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/onesec_bench';
const PUBLISH =
  process.env.BENCH_PUBLISH === '1' ||
  process.env.BENCH_RERENDER === '1' ||
  (!QUICK && !ONLY && !process.env.BENCH_RUNS && !process.env.BENCH_DURATION);
const wants = (id: string) => !ONLY || ONLY.includes(id);

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------

interface Sample {
  /** Requests/s (load scenarios) or events/s (export, changes, ingest). */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  /** Server (or CLI) CPU time, user + system, per request (load runs), per page (walks) or per 1,000 events (ingest). */
  cpuMs?: number | undefined;
}

interface Scenario {
  id: string;
  name: string;
  unit: 'req/s' | 'events/s';
  /** For load scenarios: connections; for streams: page size. */
  setup: string;
  runs: Sample[];
  median: Sample;
  /** (max - min) / median of throughput, in percent. */
  spreadPct: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function summarise(id: string, name: string, unit: Scenario['unit'], setup: string, runs: Sample[]): Scenario {
  const m = (key: 'throughput' | 'p50Ms' | 'p99Ms') => median(runs.map((r) => r[key]));
  const throughputs = runs.map((r) => r.throughput);
  const med = m('throughput');
  const scenario: Scenario = {
    id,
    name,
    unit,
    setup,
    runs,
    median: {
      throughput: med,
      p50Ms: m('p50Ms'),
      p99Ms: m('p99Ms'),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      cpuMs: runs.every((r) => r.cpuMs !== undefined) ? median(runs.map((r) => r.cpuMs!)) : undefined,
    },
    spreadPct: med > 0 ? ((Math.max(...throughputs) - Math.min(...throughputs)) / med) * 100 : 0,
  };
  log(
    `${id} ${name}: ${fmt(scenario.median.throughput)} ${unit} (±${scenario.spreadPct.toFixed(0)}%), p50 ${scenario.median.p50Ms} ms, p99 ${scenario.median.p99Ms} ms, peak RSS ${scenario.median.peakRssMb} MB`,
  );
  return scenario;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** CPU time (user + system) a process has used so far, in ms (from /proc, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Counts the CPU a process spends from now until `stop(units)`; returns ms per unit. */
function cpuMeter(pid: number) {
  const start = cpuMsOf(pid);
  return { stop: (units: number) => Math.round(((cpuMsOf(pid) - start) / Math.max(units, 1)) * 100) / 100 };
}
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

// ---------------------------------------------------------------------------------------
// Database and the bench tenant
// ---------------------------------------------------------------------------------------

async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  const admin = new URL(DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      log(`creating database ${name}`);
      await client.query(`create database "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

const cliEnv = { ...process.env, DATABASE_URL, LOG_LEVEL: 'warn' };
const cli = async (args: string[]) =>
  runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: serverDir, env: cliEnv });

interface BenchTenant {
  tenantId: string;
  keySecret: string;
  logs: number;
}

/** The bench tenant of `LOGS` logs: seeded once, recorded in .bench/state.json, reused. */
async function benchTenant(db: pg.Pool): Promise<BenchTenant> {
  const stateFile = path.join(stateDir, 'state.json');
  const state = (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {}) as Record<
    string,
    BenchTenant
  >;
  const slot = `${DATABASE_URL}#${LOGS}`;
  const known = state[slot];
  if (known) {
    const { rows } = await db.query<{ n: string }>('select count(*)::text as n from log_events where tenant_id = $1', [
      known.tenantId,
    ]);
    if (Number(rows[0]?.n) === LOGS) {
      log(`reusing bench tenant ${known.tenantId} (${fmt(LOGS)} logs)`);
      return known;
    }
    log(`bench tenant ${known.tenantId} is incomplete; seeding a new one`);
    await db.query('delete from tenants where id = $1', [known.tenantId]);
  }
  // Leftovers of an interrupted seeding.
  await db.query('delete from tenants where name = $1', [`bench-${LOGS}`]);
  const tenant = JSON.parse(await cli(['tenants', 'create', '--name', `bench-${LOGS}`, '--json'])) as {
    tenantId: string;
  };
  const key = JSON.parse(
    await cli(['keys', 'create', '--tenant', tenant.tenantId, '--name', 'bench', '--rate-limit', '1000000', '--json']),
  ) as { secret: string };
  // Minting the key wrote its audit event into the tenant's logs: the bench tenant holds
  // exactly the seeded logs (the walks count them).
  await db.query("delete from log_events where tenant_id = $1 and workload = '1Security'", [tenant.tenantId]);
  log(`seeding ${fmt(LOGS)} logs into ${tenant.tenantId} (once; ~30 s per million)`);
  const started = performance.now();
  await cli([
    'seed',
    '--tenant',
    tenant.tenantId,
    '--logs',
    String(LOGS),
    '--monitoring-alerts',
    '2000',
    '--security-alerts',
    '2000',
    '--seed',
    '7',
  ]);
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await db.query('analyze log_events');
  const created: BenchTenant = { tenantId: tenant.tenantId, keySecret: key.secret, logs: LOGS };
  state[slot] = created;
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  return created;
}

// ---------------------------------------------------------------------------------------
// Children: the API server and the floor
// ---------------------------------------------------------------------------------------

function startApi(): Promise<Started> {
  // What `pnpm start` runs: the built JavaScript (`pnpm bench` builds it first).
  const args: string[] = [];
  if (process.env.BENCH_CPU_PROF === '1') args.push('--cpu-prof', `--cpu-prof-dir=${path.join(stateDir, 'profiles')}`);
  return startChild(process.execPath, [...args, 'dist/main.js'], {
    cwd: serverDir,
    name: 'API server',
    env: {
      ...process.env,
      DATABASE_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      REDIS_URL: '',
    },
  });
}

function startFloor(tenantId: string): Promise<Started> {
  return startChild(process.execPath, ['--import', 'tsx', 'bench/floor-server.ts'], {
    cwd: serverDir,
    name: 'floor server',
    env: { ...process.env, DATABASE_URL, PORT: '0', BENCH_TENANT_ID: tenantId, POOL_SIZE: '10' },
  });
}

// ---------------------------------------------------------------------------------------
// Load runs (autocannon)
// ---------------------------------------------------------------------------------------

async function cannon(
  target: Started,
  urlPath: string,
  connections: number,
  headers: Record<string, string>,
  duration = DURATION,
): Promise<Sample> {
  const rss = sampleRss(target.child.pid!);
  const cpu = cpuMeter(target.child.pid!);
  const result = await autocannon({ url: `${target.url}${urlPath}`, connections, duration, headers });
  const cpuMs = cpu.stop(result.requests.total);
  const peak = rss.stop();
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0)
    throw new Error(`${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return {
    throughput: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    peakRssMb: mb(peak),
    cpuMs,
  };
}

/** Runs each target in turn, RUNS times (interleaved, so drift hits them alike), after a warm-up. */
async function interleaved(
  targets: Array<() => Promise<Sample>>,
  warm: Array<() => Promise<Sample>>,
): Promise<Sample[][]> {
  for (const w of warm) await w();
  const out: Sample[][] = targets.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, target] of targets.entries()) out[i]!.push(await target());
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Streams through the typed client
// ---------------------------------------------------------------------------------------

function pageStats(pageMs: number[], events: number, seconds: number, peak: number, cpuMs?: number): Sample {
  const sorted = [...pageMs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return { throughput: events / seconds, p50Ms: at(0.5), p99Ms: at(0.99), peakRssMb: mb(peak), cpuMs };
}

/**
 * The floor's walks: the same pages, one after another, with `fetch` + `JSON.parse` as the
 * typed client reads them, the next page keyed by the last row (export: sort key and id;
 * changes: transaction id and sequence).
 */
async function floorWalk(floor: Started, kind: 'logs' | 'changes'): Promise<Sample> {
  const rss = sampleRss(floor.child.pid!);
  const cpu = cpuMeter(floor.child.pid!);
  const pageMs: number[] = [];
  let events = 0;
  let after: string | undefined;
  const started = performance.now();
  let last = started;
  for (;;) {
    const res = await fetch(`${floor.url}/${kind}?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    if (!res.ok) throw new Error(`floor ${kind}: ${res.status} ${await res.text()}`);
    const { data } = (await res.json()) as { data: Array<Record<string, string>> };
    const now = performance.now();
    pageMs.push(now - last);
    last = now;
    events += data.length;
    const tail = data[data.length - 1];
    if (!tail || data.length < 1000) break;
    after = kind === 'logs' ? `${tail.discoveredAt},${tail.id}` : `${tail.txid},${tail.seq}`;
  }
  const seconds = (performance.now() - started) / 1000;
  if (events !== LOGS) throw new Error(`floor ${kind} walk saw ${events} events, expected ${LOGS}`);
  return pageStats(pageMs, events, seconds, rss.stop(), cpu.stop(pageMs.length));
}

/** Bytes on the wire of one response, as sent (node:http does not decode). */
function wireBytes(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(bytes));
      })
      .on('error', reject);
  });
}

async function exportRun(api: Started, key: string, deepAt: number): Promise<{ sample: Sample; deepCursor?: string }> {
  // Uncompressed, as the floor answers: on loopback compression is pure CPU (row 2g measures it).
  const client = createClient({
    apiKey: key,
    baseUrl: `${api.url}/api/v1`,
    headers: { 'accept-encoding': 'identity' },
  });
  const rss = sampleRss(api.child.pid!);
  const cpu = cpuMeter(api.child.pid!);
  const pageMs: number[] = [];
  let events = 0;
  let deepCursor: string | undefined;
  const started = performance.now();
  let last = started;
  for await (const page of client.logs.pages({ limit: 1000 })) {
    const now = performance.now();
    pageMs.push(now - last);
    last = now;
    events += page.data.length;
    if (events === deepAt) deepCursor = page.pagination.nextCursor ?? undefined;
  }
  const seconds = (performance.now() - started) / 1000;
  if (events !== LOGS) throw new Error(`export saw ${events} events, expected ${LOGS}`);
  return { sample: pageStats(pageMs, events, seconds, rss.stop(), cpu.stop(pageMs.length)), deepCursor };
}

async function changesRun(api: Started, key: string): Promise<Sample> {
  // Uncompressed, as the floor answers: on loopback compression is pure CPU (row 2g measures it).
  const client = createClient({
    apiKey: key,
    baseUrl: `${api.url}/api/v1`,
    headers: { 'accept-encoding': 'identity' },
  });
  const rss = sampleRss(api.child.pid!);
  const cpu = cpuMeter(api.child.pid!);
  const pageMs: number[] = [];
  const ids = new Set<string>();
  let events = 0;
  const started = performance.now();
  let last = started;
  for await (const batch of client.logs.syncBatches({ store: new MemoryCheckpointStore(), limit: 1000 })) {
    const now = performance.now();
    pageMs.push(now - last);
    last = now;
    events += batch.items.length;
    if (events <= 2000) for (const item of batch.items) ids.add(item.id);
  }
  const seconds = (performance.now() - started) / 1000;
  if (events !== LOGS) throw new Error(`changes feed delivered ${events} events, expected ${LOGS}`);
  return pageStats(pageMs, events, seconds, rss.stop(), cpu.stop(pageMs.length));
}

/** CPU of a process tree, sampled until stopped (a process's last sample counts once it is gone). */
function treeCpu(pid: number) {
  const seen = new Map<number, number>();
  const sample = () => {
    for (const p of processTree(pid)) seen.set(p, Math.max(seen.get(p) ?? 0, cpuMsOf(p)));
  };
  const timer = setInterval(sample, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

const COPY_COLUMNS =
  'id, source_id, occurred_at, discovered_at, action, severity, actor_name, actor_type, actor_ip, resource_name, resource_type, workload, application_display_name, raw_data';

async function ingestRun(db: pg.Pool, file: string, rowsFile: string): Promise<Sample> {
  const tenant = JSON.parse(await cli(['tenants', 'create', '--name', `bench-ingest-${Date.now()}`, '--json'])) as {
    tenantId: string;
  };
  let rss: { stop: () => number } | undefined;
  let cpu: { stop: () => number } | undefined;
  const started = performance.now();
  const output = await runCommand(
    'pnpm',
    [
      '--silent',
      'admin',
      'ingest',
      '--tenant',
      tenant.tenantId,
      '--type',
      'logs',
      '--format',
      'o365',
      '--batch-size',
      String(INGEST_BATCH),
      '--json',
      file,
    ],
    {
      cwd: repoRoot,
      env: cliEnv,
      onSpawn: (pid) => {
        rss = sampleRss(pid, { tree: true, intervalMs: 250 });
        cpu = treeCpu(pid);
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = rss?.stop() ?? 0;
  const cpuMs = cpu?.stop() ?? 0;
  const summary = JSON.parse(output) as { inserted: number; rejected: number };
  if (summary.inserted !== LOGS || summary.rejected !== 0) throw new Error(`ingest: ${output}`);
  log(`ingest: ${fmt(LOGS)} in ${seconds.toFixed(1)} s; dropping the scratch tenant`);
  if (!existsSync(rowsFile)) {
    // The floor loads exactly these rows: kept once, in COPY's text format.
    const client = await db.connect();
    try {
      const tenantId = tenant.tenantId.replace(/'/g, "''");
      await pipeline(
        client.query(copyTo(`copy (select ${COPY_COLUMNS} from log_events where tenant_id = '${tenantId}') to stdout`)),
        createWriteStream(rowsFile),
      );
    } finally {
      client.release();
    }
  }
  await db.query('delete from tenants where id = $1', [tenant.tenantId]);
  // Per-batch commit time is what the CLI spends waiting; report it as the latency.
  const perBatchMs = (seconds * 1000) / Math.ceil(LOGS / INGEST_BATCH);
  return {
    throughput: LOGS / seconds,
    p50Ms: Math.round(perBatchMs),
    p99Ms: Math.round(perBatchMs),
    peakRssMb: mb(peak),
    cpuMs: Math.round((cpuMs / (LOGS / 1000)) * 100) / 100,
  };
}

/**
 * The ingest floor: PostgreSQL's own bulk load of the rows the API stored, into the same table
 * with its indexes: COPY into a staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING,
 * in one transaction, under a fresh tenant. No parsing, no validation, no per-batch commits.
 */
async function floorIngestRun(db: pg.Pool, rowsFile: string): Promise<Sample> {
  const tenantId = `bench-floor-${Date.now()}`;
  await db.query("insert into tenants (id, name) values ($1, 'bench-ingest-floor')", [tenantId]);
  const client = await db.connect();
  const started = performance.now();
  try {
    await client.query('begin');
    await client.query(
      `create temp table floor_copy on commit drop as select ${COPY_COLUMNS} from log_events with no data`,
    );
    await pipeline(createReadStream(rowsFile), client.query(copyFrom(`copy floor_copy (${COPY_COLUMNS}) from stdin`)));
    const moved = await client.query(
      `insert into log_events (tenant_id, ${COPY_COLUMNS}) select $1, ${COPY_COLUMNS} from floor_copy on conflict do nothing`,
      [tenantId],
    );
    await client.query('commit');
    if (moved.rowCount !== LOGS) throw new Error(`floor ingest inserted ${moved.rowCount}, expected ${LOGS}`);
  } finally {
    client.release();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`floor ingest: ${fmt(LOGS)} in ${seconds.toFixed(1)} s`);
  await db.query('delete from tenants where id = $1', [tenantId]);
  return {
    throughput: LOGS / seconds,
    p50Ms: Math.round(seconds * 1000),
    p99Ms: Math.round(seconds * 1000),
    peakRssMb: 0,
  };
}

// ---------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------

function machine(pgVersion: string) {
  const cpu =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  let free = '';
  try {
    free = execSync('free -m', { encoding: 'utf8' }).trim();
  } catch {
    free = `${mb(os.totalmem())} MB total`;
  }
  let nproc = String(os.availableParallelism());
  try {
    nproc = execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep os.availableParallelism()
  }
  return {
    date: new Date().toISOString(),
    nproc,
    cpu,
    memory: free,
    node: process.version,
    postgres: pgVersion,
    /** 1/5/15-minute load averages at the end of the run (the machine is shared). */
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / '),
    os: `${os.type()} ${os.release()}`,
  };
}

interface Ratio {
  /** API median ÷ floor median (for gzip: uncompressed bytes ÷ compressed bytes). */
  value: number;
  /** (max − min) / 2 of the per-run ratios (each run paired with its interleaved floor run), relative to `value`, in percent. */
  spreadPct: number;
  api: string;
  floor: string;
}

interface Ratios {
  listVsFloor?: number;
  list50VsFloor?: number;
  deepVsFirstP50?: number;
  /** Per goal row: API vs floor, measured interleaved in this run. */
  vsFloor?: Record<string, Ratio>;
  /** Bytes of a 1,000-item page on the wire: identity, gzip, br. */
  pageBytes?: { identity: number; gzip: number; br: number };
}

/** API ÷ floor for interleaved scenarios `apiId` and `floorId`: ratio of medians, spread of per-run ratios. */
function ratioOf(scenarios: Record<string, Scenario>, apiId: string, floorId: string): Ratio | undefined {
  const api = scenarios[apiId];
  const floor = scenarios[floorId];
  if (!api || !floor) return undefined;
  const value = api.median.throughput / floor.median.throughput;
  const perRun = api.runs
    .map((r, i) => r.throughput / (floor.runs[i]?.throughput ?? Number.NaN))
    .filter(Number.isFinite);
  const spreadPct = perRun.length > 1 ? ((Math.max(...perRun) - Math.min(...perRun)) / 2 / value) * 100 : 0;
  const show = (s: Scenario) => `${fmt(s.median.throughput)} ${s.unit}`;
  return { value, spreadPct, api: show(api), floor: show(floor) };
}

const GOAL_ROWS = [
  {
    key: 'list50',
    goal: '`GET /logs?limit=50&severity=high,critical`, 16 connections',
    api: '2b',
    floor: '7b',
    min: 0.8,
  },
  { key: 'list1000', goal: '`GET /logs?limit=1000`, 16 connections', api: '2a', floor: '7a', min: 0.8 },
  { key: 'ping', goal: '`GET /ping`, 64 connections (floor: one indexed key lookup)', api: '1', floor: '1f', min: 0.8 },
  { key: 'export', goal: 'Export, one sequential client', api: '4', floor: '4f', min: 0.8 },
  { key: 'changes', goal: 'Changes catch-up, one sequential client', api: '5', floor: '5f', min: 0.8 },
  {
    key: 'ingest',
    goal: 'Ingest of O365 records (`pnpm admin ingest`) vs COPY + INSERT … SELECT ON CONFLICT',
    api: '6',
    floor: '6f',
    min: 0.6,
  },
] as const;

function goals(scenarios: Record<string, Scenario>, ratios: Ratios) {
  const maxRss = Math.max(
    ...Object.values(scenarios)
      .filter((s) => !s.id.startsWith('7') && !s.id.endsWith('f'))
      .map((s) => s.median.peakRssMb),
  );
  const rows = GOAL_ROWS.map((g) => {
    const r = ratios.vsFloor?.[g.key];
    return {
      goal: `${g.goal} ≥ ${g.min} × floor`,
      api: r?.api ?? 'not measured',
      floor: r?.floor ?? '–',
      ratio: r ? `${r.value.toFixed(2)}` : '–',
      spread: r ? `±${r.spreadPct.toFixed(0)}%` : '–',
      met: r ? r.value >= g.min : null,
    };
  });
  const bytes = ratios.pageBytes;
  const gzip = scenarios['2g'];
  const plain = scenarios['2a'];
  rows.push({
    goal: 'gzip on a 1,000-item page: ≥ 5× fewer bytes',
    api: bytes ? `${fmt(bytes.gzip)} B gzip (br ${fmt(bytes.br)} B)` : 'not measured',
    floor: bytes ? `${fmt(bytes.identity)} B uncompressed` : '–',
    ratio: bytes ? `${(bytes.identity / bytes.gzip).toFixed(1)}× (br ${(bytes.identity / bytes.br).toFixed(1)}×)` : '–',
    spread:
      gzip?.median.cpuMs !== undefined && plain?.median.cpuMs !== undefined
        ? `CPU/page ${gzip.median.cpuMs} ms gzip, ${scenarios['2r']?.median.cpuMs ?? '–'} ms br, ${plain.median.cpuMs} ms plain`
        : '–',
    met: bytes ? bytes.identity / bytes.gzip >= 5 : null,
  });
  rows.push({
    goal: 'RSS under every load ≤ 300 MB (API server; ingest CLI)',
    api: Number.isFinite(maxRss) ? `${maxRss} MB peak` : 'not measured',
    floor: '–',
    ratio: '–',
    spread: '–',
    met: Number.isFinite(maxRss) ? maxRss <= 300 : null,
  });
  return rows;
}

function markdownResults(report: ReturnType<typeof buildReport>): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC by \`pnpm bench\` (${report.mode}: ${fmt(report.logs)} logs, ${report.runs} runs per scenario, ${report.durationSeconds} s per load run).`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}; ${m.os}; Node ${m.node}; ${m.postgres.split(' on ')[0]} on the same host. Load average (1/5/15 min) during the run: ${(report.loadAverages ?? []).join('; ')}.`,
  );
  lines.push('');
  lines.push('```');
  lines.push(m.memory);
  lines.push('```');
  lines.push('');
  lines.push('| # | Scenario | Setup | Throughput (median) | Spread | Server CPU | p50 | p99 | Peak RSS |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const perUnit = (s: Scenario) =>
    s.median.cpuMs === undefined
      ? '–'
      : `${s.median.cpuMs} ms/${s.id.startsWith('6') ? '1k events' : s.unit === 'events/s' ? 'page' : 'req'}`;
  for (const s of Object.values(report.scenarios).sort((a, b) => a.id.localeCompare(b.id))) {
    lines.push(
      `| ${s.id} | ${s.name} | ${s.setup} | ${fmt(s.median.throughput)} ${s.unit} | ±${(s.spreadPct / 2).toFixed(0)}% | ${perUnit(s)} | ${s.median.p50Ms} ms | ${s.median.p99Ms} ms | ${s.median.peakRssMb} MB |`,
    );
  }
  lines.push('');
  lines.push(
    "Spread is (max − min) / 2 of the runs' throughput, relative to the median; a ratio's spread is that of the per-run ratios (each API run against the floor run interleaved with it). Server CPU is user + system time of the server process (`/proc/PID/stat`) per request, per page (walks) or, for ingest, of the CLI's processes per 1,000 events. p50/p99 are per request (load runs), per page (export, changes) or the mean per batch (ingest). Peak RSS is the API server process (the floor's own for the floor rows; the ingest CLI's node process for ingest).",
  );
  lines.push('');
  lines.push('| Goal | API | Floor | Ratio (of medians) | Spread | Met |');
  lines.push('|---|---|---|---|---|---|');
  for (const g of report.goals)
    lines.push(
      `| ${g.goal} | ${g.api} | ${g.floor} | ${g.ratio} | ${g.spread} | ${g.met === null ? '–' : g.met ? 'yes' : '**no**'} |`,
    );
  return lines.join('\n');
}

const loadAverages: string[] = [];
const noteLoad = (when: string) =>
  loadAverages.push(
    `${when} ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
  );

function buildReport(scenarios: Record<string, Scenario>, ratios: Ratios, pgVersion: string) {
  return {
    loadAverages,
    mode: QUICK ? 'quick' : 'full',
    logs: LOGS,
    runs: RUNS,
    durationSeconds: DURATION,
    ingestBatchSize: INGEST_BATCH,
    machine: machine(pgVersion),
    ratios,
    goals: goals(scenarios, ratios),
    scenarios,
  };
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function writeReport(report: ReturnType<typeof buildReport>): void {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const md = markdownResults(report);
  writeFileSync(path.join(stateDir, 'last-results.json'), json);
  writeFileSync(path.join(stateDir, 'last-results.md'), `${md}\n`);
  if (!PUBLISH) {
    log(`results in ${path.relative(repoRoot, stateDir)}/last-results.{json,md} (not published: quick or partial run)`);
    process.stdout.write(`${md}\n`);
    return;
  }
  writeFileSync(path.join(serverDir, 'bench/results.json'), json);
  const target = path.join(repoRoot, 'BENCHMARKS.md');
  const existing = existsSync(target) ? readFileSync(target, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const [before, rest] = existing.includes(START) ? existing.split(START) : [`${existing}\n`, END];
  const after = rest!.includes(END) ? rest!.slice(rest!.indexOf(END) + END.length) : '';
  writeFileSync(target, `${before}${START}\n${md}\n${END}${after}`);
  log('wrote BENCHMARKS.md and apps/server/bench/results.json');
  process.stdout.write(`${md}\n`);
}

// ---------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------

/** BENCH_RERENDER=1: rewrite BENCHMARKS.md from bench/results.json (after editing the report's layout). */
function rerender(): void {
  const saved = JSON.parse(readFileSync(path.join(serverDir, 'bench/results.json'), 'utf8')) as ReturnType<
    typeof buildReport
  >;
  const report = { ...saved, goals: goals(saved.scenarios, saved.ratios) };
  writeReport(report);
}

async function main(): Promise<void> {
  if (process.env.BENCH_RERENDER === '1') return rerender();
  log(`${QUICK ? 'QUICK' : 'full'} run against ${DATABASE_URL}`);
  if (!existsSync(path.join(repoRoot, 'packages/client/dist/index.js'))) {
    log('building the typed client (packages/client/dist)');
    execSync('pnpm --silent --filter @1security/client build', { cwd: repoRoot, stdio: 'inherit' });
  }
  await ensureDatabase();
  const migrator = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 1 }) }),
  });
  await migrateToLatest(migrator);
  await migrator.destroy();
  const db = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const children: Started[] = [];
  const cleanup = async () => {
    await Promise.all(children.map((c) => c.stop()));
    await db.end().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const pgVersion = (await db.query<{ v: string }>('select version() as v')).rows[0]!.v;
    // Scratch tenants of interrupted runs.
    await db.query("delete from tenants where name like 'bench-ingest-%'");
    const tenant = await benchTenant(db);
    const auth = { authorization: `Bearer ${tenant.keySecret}` };
    const scenarios: Record<string, Scenario> = {};
    const ratios: Ratios = {};
    const add = (s: Scenario) => (scenarios[s.id] = s);

    const api = await startApi();
    children.push(api);
    const floor = await startFloor(tenant.tenantId);
    children.push(floor);
    log(`API at ${api.url} (pid ${api.child.pid}), floor at ${floor.url} (pid ${floor.child.pid})`);

    if (wants('ping')) {
      noteLoad('ping');
      const [ping, floorPing] = await interleaved(
        [() => cannon(api, '/api/v1/ping', 64, auth), () => cannon(floor, '/ping', 64, auth)],
        [() => cannon(api, '/api/v1/ping', 64, auth, 2), () => cannon(floor, '/ping', 64, auth, 2)],
      );
      add(summarise('1', 'GET /ping', 'req/s', '64 connections', ping!));
      add(
        summarise('1f', 'Floor: /ping, one indexed key lookup (node:http + pg)', 'req/s', '64 connections', floorPing!),
      );
    }

    const first = '/api/v1/logs?limit=1000';
    const hot = '/api/v1/logs?limit=50&severity=high,critical';
    if (wants('list')) {
      noteLoad('lists');
      const gzip = { ...auth, 'accept-encoding': 'gzip' };
      const br = { ...auth, 'accept-encoding': 'br' };
      ratios.pageBytes = {
        identity: await wireBytes(`${api.url}${first}`, auth),
        gzip: await wireBytes(`${api.url}${first}`, gzip),
        br: await wireBytes(`${api.url}${first}`, br),
      };
      const [list, floorList, list50, floor50, listGzip, listBr] = await interleaved(
        [
          () => cannon(api, first, 16, auth),
          () => cannon(floor, '/logs?limit=1000', 16, {}),
          () => cannon(api, hot, 16, auth),
          () => cannon(floor, '/logs?limit=50&severity=high,critical', 16, {}),
          () => cannon(api, first, 16, gzip),
          () => cannon(api, first, 16, br),
        ],
        [
          () => cannon(api, first, 16, auth, 2),
          () => cannon(floor, '/logs?limit=1000', 16, {}, 2),
          () => cannon(api, hot, 16, auth, 2),
        ],
      );
      add(summarise('2a', 'GET /logs?limit=1000 (first page)', 'req/s', '16 connections', list!));
      add(summarise('2b', 'GET /logs?limit=50&severity=high,critical', 'req/s', '16 connections', list50!));
      add(
        summarise(
          '7a',
          'Floor: same SQL as 2a, node:http + pg + JSON.stringify',
          'req/s',
          '16 connections',
          floorList!,
        ),
      );
      add(summarise('7b', 'Floor: same SQL as 2b', 'req/s', '16 connections', floor50!));
      add(summarise('2g', 'GET /logs?limit=1000, Accept-Encoding: gzip', 'req/s', '16 connections', listGzip!));
      add(summarise('2r', 'GET /logs?limit=1000, Accept-Encoding: br', 'req/s', '16 connections', listBr!));
      ratios.listVsFloor = scenarios['2a']!.median.throughput / scenarios['7a']!.median.throughput;
      ratios.list50VsFloor = scenarios['2b']!.median.throughput / scenarios['7b']!.median.throughput;
      log(`API ÷ floor: limit=1000 ${ratios.listVsFloor.toFixed(2)}, limit=50 ${ratios.list50VsFloor.toFixed(2)}`);
    }

    const deepAt = Math.round(LOGS * 0.9);
    let deepCursor: string | undefined;
    if (wants('export') || wants('deep')) {
      noteLoad('export');
      const runs: Sample[] = [];
      const floorRuns: Sample[] = [];
      for (let run = 0; run < (wants('export') ? RUNS : 1); run++) {
        const result = await exportRun(api, tenant.keySecret, deepAt);
        deepCursor ??= result.deepCursor;
        runs.push(result.sample);
        log(`export run ${run + 1}: ${fmt(result.sample.throughput)} events/s`);
        if (wants('export')) {
          floorRuns.push(await floorWalk(floor, 'logs'));
          log(`floor export run ${run + 1}: ${fmt(floorRuns[run]!.throughput)} events/s`);
        }
      }
      if (wants('export'))
        add(
          summarise(
            '4f',
            'Floor: the same walk (fetch + JSON.parse per page)',
            'events/s',
            'limit=1000, 1 client',
            floorRuns,
          ),
        );
      if (wants('export'))
        add(
          summarise(
            '4',
            `Export: typed client pages through all ${fmt(LOGS)} logs`,
            'events/s',
            'limit=1000, 1 client',
            runs,
          ),
        );
    }

    if (wants('deep') && deepCursor) {
      const deep = `${first}&cursor=${encodeURIComponent(deepCursor)}`;
      const [firstPage, deepPage] = await interleaved(
        [() => cannon(api, first, 16, auth), () => cannon(api, deep, 16, auth)],
        [() => cannon(api, deep, 16, auth, 2)],
      );
      add(summarise('3a', 'GET /logs?limit=1000, first page (for 3b)', 'req/s', '16 connections', firstPage!));
      add(summarise('3b', `GET /logs?limit=1000, cursor ${fmt(deepAt)} rows in`, 'req/s', '16 connections', deepPage!));
      ratios.deepVsFirstP50 = scenarios['3b']!.median.p50Ms / scenarios['3a']!.median.p50Ms;
      log(`deep ÷ first page (p50): ${ratios.deepVsFirstP50.toFixed(2)}`);
    }

    if (wants('changes')) {
      noteLoad('changes');
      const runs: Sample[] = [];
      const floorRuns: Sample[] = [];
      for (let run = 0; run < RUNS; run++) {
        runs.push(await changesRun(api, tenant.keySecret));
        log(`changes run ${run + 1}: ${fmt(runs[run]!.throughput)} events/s`);
        floorRuns.push(await floorWalk(floor, 'changes'));
        log(`floor changes run ${run + 1}: ${fmt(floorRuns[run]!.throughput)} events/s`);
      }
      add(
        summarise(
          '5f',
          'Floor: the same feed walk, one statement per page',
          'events/s',
          'limit=1000, 1 client',
          floorRuns,
        ),
      );
      add(
        summarise(
          '5',
          `Changes feed catch-up over ${fmt(LOGS)} logs (client syncBatches)`,
          'events/s',
          'limit=1000, 1 client',
          runs,
        ),
      );
    }

    await api.stop();
    await floor.stop();

    if (wants('ingest')) {
      noteLoad('ingest');
      const file = await o365File(serverDir, stateDir, LOGS);
      const rowsFile = path.join(stateDir, `o365-${LOGS}.rows.copy`);
      const runs: Sample[] = [];
      const floorRuns: Sample[] = [];
      for (let run = 0; run < RUNS; run++) {
        runs.push(await ingestRun(db, file, rowsFile));
        floorRuns.push(await floorIngestRun(db, rowsFile));
      }
      add(
        summarise(
          '6f',
          'Floor: PostgreSQL COPY of the same rows into a staging table + INSERT … SELECT ON CONFLICT',
          'events/s',
          'one transaction',
          floorRuns,
        ),
      );
      add(
        summarise(
          '6',
          `Ingest ${fmt(LOGS)} O365 records (pnpm admin ingest --format o365)`,
          'events/s',
          `--batch-size ${INGEST_BATCH}`,
          runs,
        ),
      );
    }

    noteLoad('end');
    ratios.vsFloor = Object.fromEntries(
      GOAL_ROWS.flatMap((g) => {
        const r = ratioOf(scenarios, g.api, g.floor);
        return r ? [[g.key, r]] : [];
      }),
    );
    writeReport(buildReport(scenarios, ratios, pgVersion));
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
