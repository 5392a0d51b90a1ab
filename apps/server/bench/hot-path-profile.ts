/**
 * Where the server's CPU goes per request: runs a built server (`dist/main.js`) under
 * `node --cpu-prof`, sends a fixed number of requests per scenario, and prints for each
 * scenario the server's CPU per request (user + system from /proc, over the whole scenario)
 * and the profile's self time in that scenario's window, grouped by where the code lives
 * (Express routing, helmet, pino, zod, ts-rest, pg, Kysely, JSON, compression, GC, …).
 *
 *   pnpm exec tsx bench/hot-path-profile.ts [path/to/dist/main.js]
 *
 * Needs the bench tenant of a previous `pnpm bench` (.bench/state.json). Env: DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/onesec_bench), BENCH_SCALE (multiplies the
 * request counts, default 1), BENCH_ONLY (ping,list50,list1000,changes), BENCH_TOP (frames
 * listed per scenario, default 12), BENCH_ROUNDS (measured rounds of every scenario, default 1;
 * CPU per request is the median over them), BENCH_GC=1 (the server runs under `--trace-gc-nvp`;
 * printed per request beside its CPU: young-generation collections and their pause, the bytes
 * that survived them and were promoted to the old generation, and full collections).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createClient, MemoryCheckpointStore } from '@1security/client';
import autocannon from 'autocannon';
import { startChild, type Started } from './processes';

const serverDir = path.resolve(import.meta.dirname, '..');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/onesec_bench';
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const TOP = Number(process.env.BENCH_TOP ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const ONLY = process.env.BENCH_ONLY?.split(',');
const PROFILE = process.env.BENCH_PROFILE !== '0';
/** BENCH_FLOOR=1: the same scenarios against the floor server (bench/floor-server.ts). */
const FLOOR = process.env.BENCH_FLOOR === '1';
const GC = process.env.BENCH_GC === '1';
const main = path.resolve(process.argv[2] ?? path.join(serverDir, 'dist/main.js'));

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const state = JSON.parse(readFileSync(path.join(serverDir, '.bench/state.json'), 'utf8')) as Record<
  string,
  { keySecret: string; logs: number; tenantId: string }
>;
const found = Object.entries(state).find(([slot]) => slot.startsWith(`${DATABASE_URL}#`))?.[1];
if (!found) throw new Error(`no bench tenant for ${DATABASE_URL} in .bench/state.json`);
const tenant = found;
const auth = { authorization: `Bearer ${tenant.keySecret}` };

interface Scenario {
  id: string;
  name: string;
  /** Sends the scenario's requests; resolves to how many (requests or pages). */
  run: (server: Started, scale: number) => Promise<number>;
}

const load =
  (urlPath: string, connections: number, amount: number): Scenario['run'] =>
  async (server, scale) => {
    const result = await autocannon({
      url: `${server.url}${FLOOR ? urlPath.replace('/api/v1', '') : urlPath}`,
      connections,
      amount: Math.round(amount * scale),
      headers: auth,
    });
    // A loaded machine may time some requests out (503): counted, reported, not fatal.
    if (result.non2xx + result.errors > result.requests.total * 0.2)
      throw new Error(`${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    if (result.non2xx + result.errors > 0)
      process.stderr.write(
        `${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors (of ${result.requests.total})\n`,
      );
    return result.requests.total;
  };

const allScenarios: Scenario[] = [
  { id: 'ping', name: '`GET /ping`, 64 connections', run: load('/api/v1/ping', 64, 8000) },
  {
    id: 'list50',
    name: '`GET /logs?limit=50&severity=high,critical`, 16 connections',
    run: load('/api/v1/logs?limit=50&severity=high,critical', 16, 3000),
  },
  { id: 'list1000', name: '`GET /logs?limit=1000`, 16 connections', run: load('/api/v1/logs?limit=1000', 16, 300) },
  {
    id: 'changes',
    name: '`GET /logs/changes?limit=1000`, one client walking the feed',
    run: async (server, scale) => {
      const want = Math.round(100 * scale);
      if (FLOOR) {
        let after: string | undefined;
        for (let page = 0; page < want; page++) {
          const res = await fetch(`${server.url}/changes?limit=1000${after ? `&after=${after}` : ''}`);
          const { data } = (await res.json()) as { data: Array<Record<string, string>> };
          const tail = data[data.length - 1]!;
          after = `${tail.txid},${tail.seq}`;
        }
        return want;
      }
      const client = createClient({
        apiKey: tenant.keySecret,
        baseUrl: server.url,
        headers: { 'accept-encoding': 'identity' },
      });
      let pages = 0;
      for await (const _ of client.logs.syncBatches({ store: new MemoryCheckpointStore(), limit: 1000 })) {
        if (++pages >= want) break;
      }
      return pages;
    },
  },
];
const scenarios = allScenarios.filter((s) => !ONLY || ONLY.includes(s.id));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The package a frame's script belongs to (pnpm layout), or a label for the rest. */
function packageOf(url: string): string | undefined {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return match?.[1];
}

const GROUPS: Array<[string, (pkg: string) => boolean]> = [
  [
    'Express routing and request/response (express, router, qs, finalhandler, …)',
    (p) =>
      [
        'express',
        'router',
        'path-to-regexp',
        'qs',
        'finalhandler',
        'send',
        'on-finished',
        'parseurl',
        'proxy-addr',
        'accepts',
        'type-is',
        'content-type',
        'fresh',
        'range-parser',
        'encodeurl',
        'escape-html',
        'statuses',
        'depd',
        'forwarded',
        'negotiator',
        'mime-types',
        'mime-db',
        'vary',
        'merge-descriptors',
        'utils-merge',
        'side-channel',
        'side-channel-list',
        'side-channel-map',
        'side-channel-weakmap',
        'call-bound',
        'get-intrinsic',
        'debug',
        'ms',
        'setprototypeof',
        'ee-first',
        'is-promise',
        'router',
      ].includes(p),
  ],
  ['helmet', (p) => p === 'helmet'],
  ['pino / pino-http (request logging)', (p) => p.startsWith('pino') || p === '@pinojs/redact' || p === 'sonic-boom'],
  ['zod (request parsing)', (p) => p === 'zod'],
  ['ts-rest (route matching, validation glue)', (p) => p.startsWith('@ts-rest/')],
  ['pg driver (protocol, parsing)', (p) => p === 'pg' || p.startsWith('pg-')],
  ['Kysely (query building, compiling)', (p) => p === 'kysely'],
  ['compression (middleware)', (p) => p === 'compression' || p === 'compressible' || p === 'bytes'],
  ['rate-limiter-flexible', (p) => p === 'rate-limiter-flexible'],
];

function groupOf(frame: ProfileNode['callFrame']): string {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return '(idle)';
  if (fn === '(program)') return 'V8/native (program)';
  if (fn === '(root)') return '(root)';
  const pkg = packageOf(url);
  if (pkg) {
    for (const [group, test] of GROUPS) if (test(pkg)) return group;
    return `other packages (${pkg})`;
  }
  if (url.includes('/bench/floor-server')) return 'the floor’s own code';
  if (/\/dist\/[^/]+\.js$/.test(url)) return 'the server’s own code (dist/*.js)';
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url === 'node:http')
    return 'node:http (parser, headers, response)';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:net') || url.includes('stream_base'))
    return 'node streams / net (socket writes)';
  if (url.startsWith('node:zlib') || url.includes('zlib')) return 'zlib (compression)';
  if (url.startsWith('node:')) return `node: other (${url.replace(/^node:(internal\/)?/, '').split('/')[0]})`;
  if (url === '') return 'V8 built-ins (JSON.stringify/parse, RegExp, string ops)';
  return `other (${url})`;
}

/** Running totals of the server's collections, from `--trace-gc-nvp` lines (`gc=s`: scavenge; `gc=mc`: mark-compact). */
interface GcTotals {
  scavenges: number;
  scavengeMs: number;
  survived: number;
  promoted: number;
  fullCollections: number;
  fullMs: number;
}

function gcCounter() {
  const totals: GcTotals = { scavenges: 0, scavengeMs: 0, survived: 0, promoted: 0, fullCollections: 0, fullMs: 0 };
  let partial = '';
  const read = (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // `… pause=0.9 mutator=61.2 gc=s … promoted=252432 …`: the name=value pairs of one collection.
      const fields = new Map(line.split(' ').map((pair) => pair.split('=', 2) as [string, string]));
      const kind = fields.get('gc');
      if (!kind) continue;
      const field = (name: string) => Number(fields.get(name) ?? 0);
      if (kind === 's') {
        totals.scavenges++;
        totals.scavengeMs += field('pause');
        totals.survived += field('new_space_survived');
        totals.promoted += field('promoted');
      } else if (kind === 'mc' || kind === 'mmc') {
        totals.fullCollections++;
        totals.fullMs += field('pause');
      }
    }
  };
  return { read, snapshot: (): GcTotals => ({ ...totals }) };
}

interface Window {
  scenario: Scenario;
  start: number;
  end: number;
  units: number;
  cpuMs: number;
  gc: [GcTotals, GcTotals];
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** The collections of a scenario's rounds, per request (or page), as one line. */
function gcPerUnit(ws: Window[]): string {
  const units = ws.reduce((a, w) => a + w.units, 0);
  const sum = (key: keyof GcTotals) => ws.reduce((a, { gc: [from, to] }) => a + to[key] - from[key], 0) / units;
  return [
    `scavenges ${sum('scavenges').toFixed(2)} (${(sum('scavengeMs') * 1000).toFixed(0)} µs)`,
    `survived ${(sum('survived') / 1024).toFixed(0)} KB`,
    `promoted ${(sum('promoted') / 1024).toFixed(0)} KB`,
    `mark-compacts ${sum('fullCollections').toFixed(3)} (${(sum('fullMs') * 1000).toFixed(0)} µs)`,
  ].join('; ');
}

async function run(): Promise<void> {
  const dir = path.join(serverDir, '.bench/profiles', `hot-path-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const target = FLOOR ? ['--import', 'tsx', 'bench/floor-server.ts'] : [main];
  const args = [
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    ...(GC ? ['--trace-gc-nvp'] : []),
    ...target,
  ];
  const gc = gcCounter();
  const server = await startChild(process.execPath, args, {
    cwd: FLOOR ? serverDir : path.dirname(path.dirname(main)),
    name: 'server',
    onStdout: gc.read,
    env: {
      ...process.env,
      DATABASE_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      REDIS_URL: '',
      BENCH_TENANT_ID: tenant.tenantId,
      POOL_SIZE: '10',
    },
  });
  const pid = server.child.pid!;
  const windows: Window[] = [];
  try {
    // Warm-up: JIT, pools, the key's first lookup.
    for (const s of scenarios) await s.run(server, 0.2 * SCALE);
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        const cpu = cpuMsOf(pid);
        const gcBefore = gc.snapshot();
        // V8's profile timestamps are CLOCK_MONOTONIC microseconds, as is process.hrtime.
        const start = Number(process.hrtime.bigint() / 1000n);
        const units = await s.run(server, SCALE);
        const end = Number(process.hrtime.bigint() / 1000n);
        const cpuMs = cpuMsOf(pid) - cpu;
        // The server's last trace lines of the scenario are still in the pipe.
        if (GC) await new Promise((resolve) => setTimeout(resolve, 300));
        windows.push({ scenario: s, start, end, units, cpuMs, gc: [gcBefore, gc.snapshot()] });
      }
    }
  } finally {
    await server.stop();
  }
  if (!PROFILE) {
    rmSync(dir, { recursive: true, force: true });
    for (const scenario of scenarios) {
      const ws = windows.filter((w) => w.scenario === scenario);
      const perUnit = ws.map((w) => (w.cpuMs * 1000) / w.units);
      console.log(
        `${scenario.name}: server CPU ${median(perUnit).toFixed(0)} µs (rounds: ${perUnit.map((v) => v.toFixed(0)).join(', ')})`,
      );
      if (GC) console.log(`  ${gcPerUnit(ws)}`);
    }
    return;
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile;
  if (process.env.BENCH_KEEP_PROFILE) console.log(`profile kept: ${path.join(dir, file)}`);
  else rmSync(dir, { recursive: true, force: true });

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));

  console.log(
    `server: ${FLOOR ? 'the floor' : path.relative(process.cwd(), main)}; ${ROUNDS} round(s), scale ${SCALE}`,
  );
  for (const scenario of scenarios) {
    const ws = windows.filter((w) => w.scenario === scenario);
    const units = ws.reduce((a, w) => a + w.units, 0);
    const perUnit = ws.map((w) => (w.cpuMs * 1000) / w.units);
    const groups = new Map<string, number>();
    const frames = new Map<string, number>();
    let busy = 0;
    profile.samples.forEach((id, i) => {
      const at = times[i]!;
      if (!ws.some((w) => at >= w.start && at <= w.end)) return;
      const frame = byId.get(id)!.callFrame;
      const us = profile.timeDeltas[i + 1] ?? 0; // a sample's duration is the gap to the next
      const group = groupOf(frame);
      if (group === '(idle)') return;
      busy += us;
      groups.set(group, (groups.get(group) ?? 0) + us);
      const name = `${frame.functionName || '(anonymous)'} ${packageOf(frame.url) ?? path.basename(frame.url)}:${frame.lineNumber + 1}`;
      frames.set(name, (frames.get(name) ?? 0) + us);
    });
    const unit = scenario.id === 'changes' ? 'page' : 'request';
    console.log(
      `\n### ${scenario.name}: ${units} ${unit}s; server CPU ${median(perUnit).toFixed(0)} µs/${unit} (/proc; rounds: ${perUnit.map((v) => v.toFixed(0)).join(', ')}); main-thread profile ${(busy / units).toFixed(0)} µs/${unit}\n`,
    );
    console.log(`| Where (self time) | µs/${unit} | share |\n|---|---|---|`);
    for (const [group, us] of [...groups].sort((a, b) => b[1] - a[1]))
      console.log(`| ${group} | ${(us / units).toFixed(1)} | ${((us / busy) * 100).toFixed(1)} % |`);
    console.log(`\nTop frames (self, µs/${unit}):`);
    for (const [name, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, TOP))
      console.log(`  ${(us / units).toFixed(1).padStart(7)}  ${name}`);
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
