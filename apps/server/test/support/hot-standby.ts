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

/** A hot standby of the test cluster, built by {@link startHotStandby}. */
export interface HotStandby {
  port: number;
  /** postgres:// URL of `database` on the standby. */
  urlOf(database: string): string;
  /** Stops the standby (fast shutdown); `start` brings it back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Runs one statement on the standby (as the superuser), e.g. `select pg_wal_replay_pause()`. */
  query<Row extends object>(database: string, text: string): Promise<Row[]>;
  /** Stops it and deletes its data directory. */
  remove(): Promise<void>;
}

/** A port nothing listens on at the moment. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function adminQuery(text: string): Promise<string> {
  const client = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ value: string }>(text);
    return String(rows[0]?.value);
  } finally {
    await client.end();
  }
}

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

async function checkClusterAllowsStandby(): Promise<void> {
  const walLevel = await adminQuery(`select current_setting('wal_level') as value`);
  const senders = Number(await adminQuery(`select current_setting('max_wal_senders') as value`));
  if (walLevel === 'minimal' || senders < 3) {
    throw new Error(
      `The PostgreSQL cluster at ${new URL(ADMIN_POSTGRES_URL).host} cannot feed a standby: wal_level is ` +
        `'${walLevel}' (needs 'replica') and max_wal_senders is ${senders} (needs at least 3). Set both and restart it.`,
    );
  }
}

/**
 * Builds a real hot standby of the test cluster (TEST_DATABASE_URL's server): `pg_basebackup
 * -R` (a copy of the whole cluster, standby.signal and primary_conninfo) into a temporary
 * directory, then `pg_ctl start` on a free port with `hot_standby = on`. It streams WAL from
 * the cluster from then on. Call `remove()` when done (an exit hook stops it should a test
 * run die first).
 */
export async function startHotStandby(): Promise<HotStandby> {
  await checkClusterAllowsStandby();
  const major = Math.floor(Number(await adminQuery(`select current_setting('server_version_num') as value`)) / 10_000);
  const bin = process.env.TEST_PG_BIN ?? `/usr/lib/postgresql/${major}/bin`;
  for (const tool of ['pg_basebackup', 'pg_ctl']) {
    if (!existsSync(path.join(bin, tool))) {
      throw new Error(`${path.join(bin, tool)} is missing: install the PostgreSQL ${major} server, or set TEST_PG_BIN`);
    }
  }
  const { prefix, owner } = asPostgresUser();
  const exec = async (tool: string, args: string[]) => {
    const [command, ...rest] = [...prefix, path.join(bin, tool), ...args];
    return run(command!, rest, { encoding: 'utf8', timeout: 600_000 });
  };

  const root = await mkdtemp(path.join(os.tmpdir(), 'onesec-standby-'));
  if (owner) await chown(root, owner.uid, owner.gid);
  await chmod(root, 0o700);
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'standby.log');
  const primary = new URL(ADMIN_POSTGRES_URL);
  const removeRoot = () => rm(root, { recursive: true, force: true });

  try {
    await exec('pg_basebackup', [
      `--dbname=${ADMIN_POSTGRES_URL}`,
      `--pgdata=${dataDir}`,
      '--write-recovery-conf',
      '--wal-method=stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
  } catch (err) {
    await removeRoot();
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message);
    if (/pg_hba\.conf/.test(stderr) && /replication/.test(stderr)) {
      throw new Error(
        `The cluster at ${primary.host} refuses replication connections from this machine. Add ` +
          `'host replication all 127.0.0.1/32 trust' to its pg_hba.conf and reload it (.ci/run does). ` +
          `pg_basebackup said: ${stderr.trim()}`,
      );
    }
    throw new Error(`pg_basebackup failed: ${stderr.trim()}`);
  }

  // A hot standby needs at least the primary's values of these (or it refuses to start).
  const atLeastPrimary = await Promise.all(
    [
      'max_connections',
      'max_worker_processes',
      'max_wal_senders',
      'max_prepared_transactions',
      'max_locks_per_transaction',
    ].map(async (name) => `${name} = ${await adminQuery(`select current_setting('${name}') as value`)}`),
  );
  const port = await freePort();
  // The cluster's own postgresql.conf and pg_hba.conf may live outside its data directory (as on
  // Debian): the standby gets its own, listening on loopback only.
  const files: Array<[string, string]> = [
    [
      'postgresql.conf',
      [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${root}'`,
        'hot_standby = on',
        // Tell the primary which rows standby queries still read, so vacuum there does not
        // cancel them (a cancelled read would fall back to the primary; this keeps it rare).
        'hot_standby_feedback = on',
        'wal_receiver_status_interval = 1s',
        'fsync = off',
        'shared_buffers = 32MB',
        ...atLeastPrimary,
      ].join('\n'),
    ],
    ['pg_hba.conf', 'local all all trust\nhost all all 127.0.0.1/32 trust\n'],
    ['pg_ident.conf', ''],
  ];
  for (const [name, text] of files) {
    const file = path.join(dataDir, name);
    await writeFile(file, `${text}\n`, { mode: 0o600 });
    if (owner) await chown(file, owner.uid, owner.gid);
  }

  const start = async () => {
    try {
      await exec('pg_ctl', ['--pgdata', dataDir, '--log', logFile, '--wait', '--timeout', '120', 'start']);
    } catch (err) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`the standby did not start: ${(err as Error).message}\n${log.slice(-2000)}`);
    }
  };
  const stop = async () => {
    await exec('pg_ctl', ['--pgdata', dataDir, '--mode', 'fast', '--wait', 'stop']).catch(() => undefined);
  };
  // Should the test process end without `remove()`, do not leave a PostgreSQL running.
  const stopOnExit = () => {
    try {
      const [command, ...rest] = [
        ...prefix,
        path.join(bin, 'pg_ctl'),
        '--pgdata',
        dataDir,
        '--mode',
        'immediate',
        'stop',
      ];
      execFileSync(command!, rest, { stdio: 'ignore' });
    } catch {
      /* not running */
    }
  };
  process.once('exit', stopOnExit);

  const urlOf = (database: string) => {
    const url = new URL(ADMIN_POSTGRES_URL);
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

  try {
    await start();
    const [recovery] = await query<{ standby: boolean }>('postgres', 'select pg_is_in_recovery() as standby');
    if (!recovery?.standby) throw new Error('the copy started, but not as a standby (no standby.signal?)');
  } catch (err) {
    await stop();
    process.removeListener('exit', stopOnExit);
    await removeRoot();
    throw err;
  }

  return {
    port,
    urlOf,
    stop,
    start,
    query,
    remove: async () => {
      await stop();
      process.removeListener('exit', stopOnExit);
      await removeRoot();
    },
  };
}
