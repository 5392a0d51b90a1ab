/**
 * Where the ingest CLI's CPU goes: runs `admin ingest --format o365` on N records (the bench's
 * O365 file) under `node --cpu-prof` into a scratch tenant, then prints the profile's self time
 * grouped by where the code lives (JSON parsing, the O365 normaliser, the reader, the pg
 * driver, the write path, garbage collection, idle = waiting for the database).
 *
 *   BENCH_INGEST_RECORDS=100000 pnpm exec tsx bench/ingest-profile.ts
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/onesec_bench), BENCH_INGEST_BATCH,
 * BENCH_INGEST_CLI=dist (the built dist/cli.js instead of src/cli/main.ts under tsx).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { o365File } from './o365-file';
import { runCommand } from './processes';

const serverDir = path.resolve(import.meta.dirname, '..');
const stateDir = path.join(serverDir, '.bench');
mkdirSync(stateDir, { recursive: true });
const RECORDS = Number(process.env.BENCH_INGEST_RECORDS ?? 100_000);
const BATCH = process.env.BENCH_INGEST_BATCH ?? '5000';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/onesec_bench';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a frame's self time counts towards. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return 'idle (waiting: database, disk)';
  if (fn === '(program)') return 'V8/native (program)';
  if (url.includes('o365.normaliser') || url.includes('microsoft-record') || url.includes('input-record'))
    return 'O365 normaliser (validation, mapping)';
  if (url.includes('.reader') || url.includes('record-reader')) return 'reader (lines, array scan)';
  if (
    url.includes('/pg/') ||
    url.includes('pg-protocol') ||
    url.includes('pg-types') ||
    url.includes('pg-copy-streams')
  )
    return 'pg driver (serialise, protocol)';
  if (url.includes('copy-writer') || url.includes('logs.repository') || url.includes('ingest.service'))
    return 'write path (rows → statement/COPY text)';
  if (url.includes('ulid') || url.includes('pooled-random')) return 'ids (ulid)';
  if (url.includes('tsx') || url.includes('esbuild') || url.includes('node:internal/modules'))
    return 'start-up (tsx, modules)';
  if (url === '') return 'V8 built-ins without a script (JSON.parse, RegExp, string ops)';
  return 'other';
}

async function main() {
  const file = await o365File(serverDir, stateDir, RECORDS);
  const migrator = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 1 }) }),
  });
  await migrateToLatest(migrator);
  await migrator.destroy();
  const env = { ...process.env, DATABASE_URL, LOG_LEVEL: 'warn' };
  // The TypeScript source under tsx, so that self time can be told apart by source file;
  // BENCH_INGEST_CLI=dist: the built CLI, as `pnpm admin` runs it after `pnpm build` (its code
  // is one bundle: the buckets then only tell start-up, GC and built-ins from the rest).
  const entry = process.env.BENCH_INGEST_CLI === 'dist' ? ['dist/cli.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const cli = (args: string[], node: string[] = []) =>
    runCommand(process.execPath, [...node, ...entry, ...args], { cwd: serverDir, env });
  const tenant = JSON.parse(
    await cli(['tenants', 'create', '--name', `bench-ingest-prof-${Date.now()}`, '--json']),
  ) as {
    tenantId: string;
  };
  const dir = path.join(stateDir, 'profiles', `ingest-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const out = await cli(
    [
      'ingest',
      '--tenant',
      tenant.tenantId,
      '--type',
      'logs',
      '--format',
      'o365',
      '--batch-size',
      BATCH,
      '--json',
      file,
    ],
    ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  );
  const seconds = (performance.now() - started) / 1000;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await pool.query('delete from tenants where id = $1', [tenant.tenantId]);
  await pool.end();

  const profileFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!profileFile) throw new Error(`no profile in ${dir}`);
  const profile = JSON.parse(readFileSync(path.join(dir, profileFile), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const bucket = bucketOf(node.callFrame);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${path.basename(node.callFrame.url)}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  });
  const busy = total - (buckets.get('idle (waiting: database, disk)') ?? 0);
  console.log(
    `${out.trim()}\n${RECORDS} records in ${seconds.toFixed(1)} s (${Math.round(RECORDS / seconds)} events/s)`,
  );
  console.log(`profile: ${(total / 1e6).toFixed(1)} s wall, ${(busy / 1e6).toFixed(1)} s on the main thread`);
  console.log('\n| Where | CPU s | % of busy |\n|---|---|---|');
  for (const [bucket, us] of [...buckets].sort((a, b) => b[1] - a[1])) {
    if (bucket.startsWith('idle')) continue;
    console.log(`| ${bucket} | ${(us / 1e6).toFixed(2)} | ${((us / busy) * 100).toFixed(0)} % |`);
  }
  console.log(
    `| idle (waiting: database, disk) | ${((buckets.get('idle (waiting: database, disk)') ?? 0) / 1e6).toFixed(2)} | – |`,
  );
  console.log('\nTop functions (self):');
  for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${(us / 1e6).toFixed(2)} s  ${name}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
