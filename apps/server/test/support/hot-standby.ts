import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ADMIN_POSTGRES_URL } from './test-database';

const run = promisify(execFile);

/** A PostgreSQL cluster these tests started in a temporary directory, on a free loopback port. */
export interface LocalCluster {
  port: number;
  /** postgres:// URL of `database` on it, as the superuser. */
  urlOf(database: string): string;
  /** Stops it (fast shutdown); `start` brings it back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Runs one statement on it, e.g. `select pg_wal_replay_pause()`. */
  query<Row extends object>(database: string, text: string): Promise<Row[]>;
  /** Stops it and deletes its directory. */
  remove(): Promise<void>;
}

/** A hot standby, built by {@link startHotStandby}. */
export type HotStandby = LocalCluster;

/** A port nothing listens on at the moment. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function queryOne(url: string, text: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ value: string }>(text);
    return String(rows[0]?.value);
  } finally {
    await client.end();
  }
}

const setting = (url: string, name: string) => queryOne(url, `select current_setting('${name}') as value`);

/**
 * PostgreSQL refuses to run as root and wants its data directory to be its own (mode 0700):
 * as root, the PostgreSQL tools run as the `postgres` user; otherwise as ourselves.
 */
function asPostgresUser(): { prefix: string[]; owner?: { uid: number; gid: number } } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { prefix: ['runuser', '-u', 'postgres', '--'], owner: { uid, gid } };
}

/** The PostgreSQL tools of the test cluster's major version, and a way to run them. */
async function postgresTools(tools: string[]) {
  const major = Math.floor(Number(await setting(ADMIN_POSTGRES_URL, 'server_version_num')) / 10_000);
  const bin = process.env.TEST_PG_BIN ?? `/usr/lib/postgresql/${major}/bin`;
  for (const tool of tools) {
    if (!existsSync(path.join(bin, tool))) {
      throw new Error(`${path.join(bin, tool)} is missing: install the PostgreSQL ${major} server, or set TEST_PG_BIN`);
    }
  }
  const { prefix, owner } = asPostgresUser();
  const command = (tool: string, args: string[]) => [...prefix, path.join(bin, tool), ...args];
  const exec = async (tool: string, args: string[]) => {
    const [file, ...rest] = command(tool, args);
    return run(file!, rest, { encoding: 'utf8', timeout: 600_000 });
  };
  return { exec, command, owner };
}

type Tools = Awaited<ReturnType<typeof postgresTools>>;

/** A temporary directory PostgreSQL accepts: owned by the user it runs as, mode 0700. */
async function clusterRoot(tools: Tools, name: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), `onesec-${name}-`));
  if (tools.owner) await chown(root, tools.owner.uid, tools.owner.gid);
  await chmod(root, 0o700);
  return root;
}

/**
 * Fills `root/data` with `tool` (initdb, pg_basebackup); if it fails, removes `root` and throws
 * an error with the tool's stderr (also as its `stderr`).
 */
async function createCluster(tools: Tools, root: string, tool: string, args: string[]): Promise<void> {
  try {
    await tools.exec(tool, args);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim();
    throw Object.assign(new Error(`${tool} failed: ${stderr}`), { stderr });
  }
}

/**
 * The cluster's own configuration: the server's postgresql.conf and pg_hba.conf may live outside
 * its data directory (as on Debian), so each cluster gets its own, listening on `port` on
 * loopback only, its sockets in `root`, not durable (a test cluster), and `settings` besides.
 */
async function configureCluster(
  tools: Tools,
  root: string,
  port: number,
  settings: string[],
  hba: string,
): Promise<void> {
  const postgresqlConf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${root}'`,
    'fsync = off',
    'shared_buffers = 32MB',
    ...settings,
  ];
  for (const [name, text] of [
    ['postgresql.conf', postgresqlConf.join('\n')],
    ['pg_hba.conf', hba],
    ['pg_ident.conf', ''],
  ] as const) {
    const file = path.join(root, 'data', name);
    await writeFile(file, `${text}\n`, { mode: 0o600 });
    if (tools.owner) await chown(file, tools.owner.uid, tools.owner.gid);
  }
}

/**
 * Starts the cluster in `root/data` (configured already) with `pg_ctl`, and returns its
 * handle. An exit hook stops it should the test process end without `remove()`.
 */
async function startLocalCluster(
  tools: Tools,
  root: string,
  port: number,
  userUrl: string,
  ready: (cluster: LocalCluster) => Promise<void>,
): Promise<LocalCluster> {
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  const start = async () => {
    try {
      await tools.exec('pg_ctl', ['--pgdata', dataDir, '--log', logFile, '--wait', '--timeout', '120', 'start']);
    } catch (err) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`PostgreSQL in ${dataDir} did not start: ${(err as Error).message}\n${log.slice(-2000)}`);
    }
  };
  const stop = async () => {
    await tools.exec('pg_ctl', ['--pgdata', dataDir, '--mode', 'fast', '--wait', 'stop']).catch(() => undefined);
  };
  const stopOnExit = () => {
    try {
      const [file, ...rest] = tools.command('pg_ctl', ['--pgdata', dataDir, '--mode', 'immediate', 'stop']);
      execFileSync(file!, rest, { stdio: 'ignore' });
    } catch {
      /* not running */
    }
  };
  process.once('exit', stopOnExit);
  const urlOf = (database: string) => {
    const url = new URL(userUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const query = async <Row extends object>(database: string, text: string): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: urlOf(database) });
    await client.connect();
    try {
      return (await client.query<Row>(text)).rows;
    } finally {
      await client.end();
    }
  };
  const remove = async () => {
    await stop();
    process.removeListener('exit', stopOnExit);
    await rm(root, { recursive: true, force: true });
  };
  const cluster: LocalCluster = { port, urlOf, stop, start, query, remove };
  try {
    await start();
    await ready(cluster);
  } catch (err) {
    await remove();
    throw err;
  }
  return cluster;
}

const LOOPBACK_TRUST = 'local all all trust\nhost all all 127.0.0.1/32 trust';

/**
 * Builds a real hot standby of a cluster (by default the test cluster, TEST_DATABASE_URL's
 * server): `pg_basebackup -R` (a copy of the whole cluster, standby.signal and
 * primary_conninfo) into a temporary directory, then `pg_ctl start` on a free port with
 * `hot_standby = on`. It streams WAL from the cluster from then on. Call `remove()` when done.
 */
export async function startHotStandby(primaryUrl = ADMIN_POSTGRES_URL): Promise<HotStandby> {
  const walLevel = await setting(primaryUrl, 'wal_level');
  const senders = Number(await setting(primaryUrl, 'max_wal_senders'));
  const primaryHost = new URL(primaryUrl).host;
  if (walLevel === 'minimal' || senders < 3) {
    throw new Error(
      `The PostgreSQL cluster at ${primaryHost} cannot feed a standby: wal_level is '${walLevel}' (needs ` +
        `'replica') and max_wal_senders is ${senders} (needs at least 3). Set both and restart it.`,
    );
  }
  const tools = await postgresTools(['pg_basebackup', 'pg_ctl']);
  const root = await clusterRoot(tools, 'standby');
  const dataDir = path.join(root, 'data');
  try {
    await createCluster(tools, root, 'pg_basebackup', [
      `--dbname=${primaryUrl}`,
      `--pgdata=${dataDir}`,
      '--write-recovery-conf',
      '--wal-method=stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
  } catch (err) {
    const { stderr } = err as { stderr: string };
    if (/pg_hba\.conf/.test(stderr) && /replication/.test(stderr)) {
      throw new Error(
        `The cluster at ${primaryHost} refuses replication connections from this machine. Add ` +
          `'host replication all 127.0.0.1/32 trust' to its pg_hba.conf and reload it (.ci/run does). ` +
          `pg_basebackup said: ${stderr}`,
      );
    }
    throw err;
  }

  // A hot standby needs at least the primary's values of these (or it refuses to start).
  const atLeastPrimary = await Promise.all(
    [
      'max_connections',
      'max_worker_processes',
      'max_wal_senders',
      'max_prepared_transactions',
      'max_locks_per_transaction',
    ].map(async (name) => `${name} = ${await setting(primaryUrl, name)}`),
  );
  const port = await freePort();
  // primary_conninfo is in the postgresql.auto.conf pg_basebackup -R wrote.
  await configureCluster(
    tools,
    root,
    port,
    [
      'hot_standby = on',
      // Tell the primary which rows standby queries still read, so vacuum there does not
      // cancel them (a cancelled read would fall back to the primary; this keeps it rare).
      'hot_standby_feedback = on',
      'wal_receiver_status_interval = 1s',
      ...atLeastPrimary,
    ],
    LOOPBACK_TRUST,
  );
  return startLocalCluster(tools, root, port, primaryUrl, async (cluster) => {
    const [recovery] = await cluster.query<{ standby: boolean }>('postgres', 'select pg_is_in_recovery() as standby');
    if (!recovery?.standby) throw new Error('the copy started, but not as a standby (no standby.signal?)');
  });
}

/**
 * A new, empty primary cluster of its own (`initdb`, trust on loopback, replication allowed
 * unless told otherwise),
 * for what the shared test cluster cannot give: a primary nothing else writes to.
 */
export async function startScratchPrimary({ allowReplication = true } = {}): Promise<LocalCluster> {
  const tools = await postgresTools(['initdb', 'pg_ctl']);
  const root = await clusterRoot(tools, 'primary');
  const dataDir = path.join(root, 'data');
  await createCluster(tools, root, 'initdb', [
    '--pgdata',
    dataDir,
    '--username',
    'postgres',
    '--auth',
    'trust',
    '--no-sync',
  ]);
  const port = await freePort();
  await configureCluster(
    tools,
    root,
    port,
    ['wal_level = replica', 'max_wal_senders = 5', 'max_connections = 50'],
    allowReplication ? `${LOOPBACK_TRUST}\nhost replication all 127.0.0.1/32 trust` : LOOPBACK_TRUST,
  );
  return startLocalCluster(tools, root, port, 'postgres://postgres@127.0.0.1/postgres', async () => undefined);
}
