import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Peak RSS of `pnpm admin ingest` on a multi-hundred-MB Graph alerts export, as a JSON array
 * (pretty-printed, as exports come) and as NDJSON, both streamed. Prints a Markdown table.
 * Run from apps/server: `pnpm exec tsx bench/ingest-memory.ts` (BENCH_INGEST_ALERTS=N to size
 * the file, TEST_DATABASE_URL for the PostgreSQL server to use; a scratch database is made).
 */
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const STATE_DIR = path.join(SERVER_DIR, '.bench');
const ALERTS = Number(process.env.BENCH_INGEST_ALERTS ?? 200_000);
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'bench_ingest_memory';

async function writeFiles(): Promise<{ array: string; ndjson: string }> {
  const array = path.join(STATE_DIR, `graph-alerts-${ALERTS}.json`);
  const ndjson = path.join(STATE_DIR, `graph-alerts-${ALERTS}.ndjson`);
  if (existsSync(array) && existsSync(ndjson)) return { array, ndjson };
  mkdirSync(STATE_DIR, { recursive: true });
  const templates = JSON.parse(readFileSync(path.join(SERVER_DIR, 'test/fixtures/graph-alerts.json'), 'utf8')) as Array<
    Record<string, unknown>
  >;
  const arrayOut = createWriteStream(`${array}.partial`);
  const ndjsonOut = createWriteStream(`${ndjson}.partial`);
  arrayOut.write('[\n');
  for (let i = 0; i < ALERTS; i++) {
    const alert = { ...templates[i % templates.length], id: `bench-${i.toString(16).padStart(12, '0')}` };
    const pretty = JSON.stringify(alert, null, 2).replaceAll('\n', '\n  ');
    const a = arrayOut.write(`${i ? ',\n' : ''}  ${pretty}`);
    const n = ndjsonOut.write(`${JSON.stringify(alert)}\n`);
    if (!a || !n) await Promise.all([a || once(arrayOut, 'drain'), n || once(ndjsonOut, 'drain')]);
  }
  arrayOut.end('\n]\n');
  ndjsonOut.end();
  await Promise.all([once(arrayOut, 'finish'), once(ndjsonOut, 'finish')]);
  renameSync(`${array}.partial`, array);
  renameSync(`${ndjson}.partial`, ndjson);
  return { array, ndjson };
}

async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE}`);
  await admin.query(`create database ${DATABASE}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

function admin(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync('pnpm', ['--silent', 'admin', ...args], { cwd: SERVER_DIR, env, encoding: 'utf8' });
}

/** GNU time's maximum resident set size: the largest process of the tree, i.e. the CLI's node. */
function ingestWithPeakRss(file: string, tenantId: string, env: NodeJS.ProcessEnv) {
  const started = performance.now();
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'PEAK_RSS_KB=%M',
      'pnpm',
      '--silent',
      'admin',
      'ingest',
      '--tenant',
      tenantId,
      '--type',
      'security-alerts',
      '--format',
      'graph',
      file,
      '--json',
    ],
    { cwd: SERVER_DIR, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = /PEAK_RSS_KB=(\d+)/.exec(run.stderr)?.[1];
  if (run.status !== 0 || !peak) throw new Error(`ingest failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return {
    summary: JSON.parse(run.stdout) as { read: number; inserted: number; rejected: number },
    peakMb: Number(peak) / 1024,
    seconds,
  };
}

const files = await writeFiles();
const env = { ...process.env, DATABASE_URL: await freshDatabase(), LOG_LEVEL: 'warn' };
const rows: string[] = [];
for (const [format, file] of [
  ['JSON array (pretty)', files.array],
  ['NDJSON', files.ndjson],
] as const) {
  const tenant = JSON.parse(admin(['tenants', 'create', '--name', `bench-${format}`, '--json'], env)) as {
    tenantId: string;
  };
  const { summary, peakMb, seconds } = ingestWithPeakRss(file, tenant.tenantId, env);
  const mb = statSync(file).size / 1024 / 1024;
  rows.push(
    `| ${format} | ${mb.toFixed(0)} MB | ${summary.read.toLocaleString('en-US')} | ${summary.inserted.toLocaleString('en-US')} | ${summary.rejected} | ${seconds.toFixed(0)} s | ${peakMb.toFixed(0)} MB |`,
  );
  console.error(rows.at(-1));
}
console.log(
  [
    '| input | size | read | inserted | rejected | time | CLI peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n'),
);
