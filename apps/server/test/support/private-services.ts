import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Services a test owns outright, so that it may stop and start them: a PostgreSQL cluster in a
 * temporary folder and a redis-server, each on a free port. The machine's shared PostgreSQL and
 * Redis are never touched (other test runs use them at the same time).
 */

const run = promisify(execFile);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const POSTGRES_BIN = process.env.TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on the port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it holds, for at most `timeoutMs`; throws `what` otherwise. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Whether this machine can run a private service. Missing binaries skip the test with a
 * warning on a laptop; under CI they fail it, because CI must exercise every fault.
 */
export function requireBinaries(what: string, binaries: string[]): boolean {
  const missing = binaries.filter((binary) => !existsSync(binary));
  if (missing.length === 0) return true;
  const message = `${what}: ${missing.join(', ')} not found`;
  if (inCi) throw new Error(`${message}; CI must run this test (install it, or set TEST_POSTGRES_BIN).`);
  console.warn(`\n  ⚠ ${message}; the test is skipped on this machine.\n`);
  return false;
}

export function whichSync(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return path.join('/usr/bin', name);
}

export const POSTGRES_BINARIES = ['initdb', 'pg_ctl', 'postgres'].map((b) => path.join(POSTGRES_BIN, b));

// ---------------------------------------------------------------------------------------------

export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** Stops the cluster: 'immediate' is a crash (no checkpoint, open connections cut). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) every PostgreSQL process: a hung database, not a down one. */
  freeze(frozen: boolean): void;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
async function asPostgresUser(binary: string, args: string[]): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const runuser =
    ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((candidate) => existsSync(candidate)) ?? 'runuser';
  const [command, argv] = isRoot ? [runuser, ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  await run(command, argv, { timeout: 60_000 });
}

function postgresUid(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** initdb into a temporary folder and start it on a free port (trust auth, no fsync: a test cluster). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), '1sec-pg-'));
  const owner = postgresUid();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  await asPostgresUser(path.join(POSTGRES_BIN, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const pgCtl = path.join(POSTGRES_BIN, 'pg_ctl');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = async () => {
    await asPostgresUser(pgCtl, [
      '-D',
      dataDir,
      '-l',
      path.join(dir, 'postgres.log'),
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await asPostgresUser(pgCtl, ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();
  let stopped = false;
  let frozen = false;
  /** This cluster's postmaster and its children (each backend sits in a session of its own). */
  const processes = () => {
    const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false; // gone meanwhile
        }
      })
      .map(Number);
    return [postmaster, ...children];
  };
  const signal = (name: NodeJS.Signals) => {
    for (const pid of processes()) process.kill(pid, name);
  };
  return {
    port,
    freeze: (freeze) => {
      signal(freeze ? 'SIGSTOP' : 'SIGCONT');
      frozen = freeze;
    },
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await start();
      stopped = false;
    },
    stop: async (mode) => {
      await stop(mode);
      stopped = true;
    },
    destroy: async () => {
      if (frozen) signal('SIGCONT');
      if (!stopped) await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface PrivateRedis {
  port: number;
  url: string;
  /** Kills it (SIGKILL: no goodbye to its clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (it keeps nothing on disk). */
  start(): Promise<void>;
  /** Kills it and deletes its folder. */
  destroy(): Promise<void>;
}

/** A redis-server of our own: `redis-server --port N --save "" --appendonly no`. */
export async function startPrivateRedis(binary = whichSync('redis-server')): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), '1sec-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code})`))),
    );
    await Promise.race([waitFor(`redis-server on port ${port}`, () => accepts(port), 15_000, 50), exited]);
  };
  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    destroy: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
