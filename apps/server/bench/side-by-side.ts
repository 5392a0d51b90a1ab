/**
 * Server CPU per request of two builds side by side, against the same database and bench
 * tenant, measured alternately (so the shared machine's drift hits both alike):
 *
 *   BENCH_BEFORE=/path/to/old/apps/server/dist/main.js pnpm exec tsx bench/side-by-side.ts
 *   BENCH_BEFORE=dist/main.js BENCH_BEFORE_ENV=HOT_PATH=off pnpm exec tsx bench/side-by-side.ts
 *
 * "after" is this checkout's dist/main.js (build it first). Needs the bench tenant of a
 * previous `pnpm bench` (.bench/state.json). Env: DATABASE_URL, BENCH_ROUNDS (default 3),
 * BENCH_BEFORE_DATABASE_URL: the old build refuses a database migrated past it, so give it an
 * identical copy (`create database … template …`, minus the newer migrations).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, MemoryCheckpointStore } from '@1security/client';
import autocannon from 'autocannon';
import { startChild, type Started } from './processes';

const serverDir = path.resolve(import.meta.dirname, '..');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/onesec_bench';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const before = process.env.BENCH_BEFORE;
if (!before) throw new Error('BENCH_BEFORE=<old dist/main.js> is required');

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `BENCH_BEFORE_ENV=HOT_PATH=off`: environment for the "before" server only (e.g. the same build, hot path off). */
const beforeEnv = Object.fromEntries(
  (process.env.BENCH_BEFORE_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

const start = (main: string, name: string, databaseUrl = DATABASE_URL, extraEnv: Record<string, string> = {}) =>
  startChild(process.execPath, [main], {
    cwd: path.dirname(path.dirname(main)),
    name,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      REDIS_URL: '',
      ...extraEnv,
    },
  });

const state = JSON.parse(readFileSync(path.join(serverDir, '.bench/state.json'), 'utf8')) as Record<
  string,
  { keySecret: string; logs: number }
>;
const tenant = Object.entries(state).find(([slot]) => slot.startsWith(`${DATABASE_URL}#`))?.[1];
if (!tenant) throw new Error(`no bench tenant for ${DATABASE_URL} in .bench/state.json`);
const auth = { authorization: `Bearer ${tenant.keySecret}` };

interface Kind {
  name: string;
  run: (server: Started) => Promise<number>;
}

const load =
  (urlPath: string, connections: number, amount: number): Kind['run'] =>
  async (server) => {
    const cpu = cpuMsOf(server.child.pid!);
    const result = await autocannon({ url: `${server.url}${urlPath}`, connections, amount, headers: auth });
    // A loaded machine may time some requests out (503): counted, reported, not fatal.
    if (result.non2xx + result.errors > result.requests.total * 0.2)
      throw new Error(`${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    if (result.non2xx + result.errors > 0)
      process.stderr.write(
        `${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors (of ${result.requests.total})\n`,
      );
    return (cpuMsOf(server.child.pid!) - cpu) / result.requests.total;
  };

const kinds: Kind[] = [
  { name: '`GET /ping`, 64 connections', run: load('/api/v1/ping', 64, 4000) },
  {
    name: '`GET /logs?limit=50&severity=high,critical`, 16 connections',
    run: load('/api/v1/logs?limit=50&severity=high,critical', 16, 1500),
  },
  { name: '`GET /logs?limit=1000`, 16 connections', run: load('/api/v1/logs?limit=1000', 16, 300) },
  {
    name: '`GET /logs/changes?limit=1000`, one client walking the feed (100 pages)',
    run: async (server) => {
      const client = createClient({
        apiKey: tenant.keySecret,
        baseUrl: server.url,
        headers: { 'accept-encoding': 'identity' },
      });
      const cpu = cpuMsOf(server.child.pid!);
      let pages = 0;
      for await (const _ of client.logs.syncBatches({ store: new MemoryCheckpointStore(), limit: 1000 })) {
        if (++pages >= 100) break;
      }
      return (cpuMsOf(server.child.pid!) - cpu) / pages;
    },
  },
];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const show = (v: number[]) => `${median(v).toFixed(2)} ms (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`;

const servers = {
  before: await start(before, 'before', process.env.BENCH_BEFORE_DATABASE_URL, beforeEnv),
  after: await start(path.join(serverDir, 'dist/main.js'), 'after'),
};
try {
  const results = kinds.map(() => ({ before: [] as number[], after: [] as number[] }));
  // Warm both (JIT, pools, the key's first lookup).
  for (const s of Object.values(servers)) for (const k of kinds.slice(0, 3)) await k.run(s);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, kind] of kinds.entries()) {
      const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const which of order) results[i]![which].push(await kind.run(servers[which]));
    }
    process.stderr.write(`round ${round + 1} done\n`);
  }
  console.log('| Request | Before | After | Change |\n|---|---|---|---|');
  for (const [i, kind] of kinds.entries()) {
    const r = results[i]!;
    const change = (median(r.after) / median(r.before) - 1) * 100;
    console.log(
      `| ${kind.name} | ${show(r.before)} | ${show(r.after)} | ${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(0)} % |`,
    );
  }
} finally {
  await servers.before.stop();
  await servers.after.stop();
}
