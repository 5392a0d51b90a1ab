import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger';
import { startEmbeddedSocketServer, type EmbeddedSocketServer } from './embedded-socket';
import { isoFromPgTimestamp, pgTypeParsers, TIMESTAMP_OID } from './iso-timestamps';
import { GatedPGliteDialect } from './pglite-driver';
import type { Database } from './schema';
import { SessionGate } from './session-gate';

export type Db = Kysely<Database>;
export type Engine = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Db;
  engine: Engine;
  /** Where the data lives, for logs (never includes a password). */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL; when unset the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** The embedded database's folder, or 'memory' for a throw-away one (tests). */
  dataDir: string;
  /** Serve the embedded database to other local processes (the server does; the CLI doesn't). */
  serveEmbedded?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
  logger: Logger;
}

const postgresPools = new WeakMap<Db, pg.Pool>();

/**
 * The pg pool behind a PostgreSQL `Db` (undefined on PGlite, embedded or through its socket): for what Kysely cannot express,
 * such as `COPY … FROM STDIN` (bulk ingest).
 */
export function postgresPoolOf(db: Db): pg.Pool | undefined {
  return postgresPools.get(db);
}

/** Opens the database the configuration names. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.logger);
  if (options.dataDir === 'memory') return (await openPGlite(undefined, false, options.logger)).handle;
  return openEmbedded(options.dataDir, options.serveEmbedded ?? false, options.logger);
}

function openPostgres(url: string, poolSize: number, logger: Logger, engine: Engine = 'postgres'): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Fail fast when the database is unreachable: callers answer 503 instead of hanging.
    connectionTimeoutMillis: 3_000,
    statement_timeout: 30_000,
    query_timeout: 35_000,
    idleTimeoutMillis: 30_000,
    types: pgTypeParsers(pg.types),
  });
  // A client losing its connection must not crash the process. The pool only listens on its
  // idle clients; a checked-out client (between a request's queries, inside a transaction)
  // emits 'error' with no listener, which is an uncaught exception. Its query fails anyway
  // (→ 503) and the pool discards it on release, so logging is all that is left to do.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err: err.message }, 'database connection lost'));
  });
  const safe = new URL(url);
  safe.password = '';
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Not for the embedded database reached through its owner's socket: PGlite's wire
  // protocol bridge does not carry COPY's streaming sub-protocol.
  if (engine === 'postgres') postgresPools.set(db, pool);
  return {
    db,
    engine,
    location: engine === 'postgres' ? safe.toString() : url,
    close: async () => {
      await pool.end().catch(() => undefined);
    },
  };
}

async function openPGlite(dataDir: string | undefined, serve: boolean, logger: Logger) {
  const parsers = { [TIMESTAMP_OID]: isoFromPgTimestamp };
  const pglite = await PGlite.create(dataDir ? { dataDir, parsers } : { parsers });
  const gate = new SessionGate();
  const db = new Kysely<Database>({ dialect: new GatedPGliteDialect(pglite, gate) });
  let socketServer: (EmbeddedSocketServer & { address: EmbeddedAddress }) | undefined;
  if (serve && dataDir)
    socketServer = await startEmbeddedSocketServer(pglite, gate, socketAddressFor(path.dirname(dataDir)));
  logger.debug({ dataDir: dataDir ?? 'memory' }, 'embedded database open');
  return {
    db,
    socketServer,
    handle: {
      db,
      engine: 'pglite' as const,
      location: dataDir ?? 'memory',
      close: async () => {
        await socketServer?.close();
        await db.destroy();
        await pglite.close();
      },
    },
  };
}

type EmbeddedAddress = { path: string } | { host: string; port: number };

interface EmbeddedLock {
  pid: number;
  address?: EmbeddedAddress;
}

/** Unix socket paths are limited to ~107 bytes; past that, use a loopback port. */
function socketAddressFor(dataDir: string): EmbeddedAddress {
  const socketPath = path.join(dataDir, '.s.PGSQL.5432');
  return socketPath.length <= 100 ? { path: socketPath } : { host: '127.0.0.1', port: 0 };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(lockPath: string): EmbeddedLock | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as EmbeddedLock;
  } catch {
    return undefined;
  }
}

function urlFor(address: EmbeddedAddress): string {
  return 'path' in address
    ? `postgres://postgres@localhost/postgres?host=${encodeURIComponent(path.dirname(address.path))}`
    : `postgres://postgres@${address.host}:${address.port}/postgres`;
}

/**
 * The embedded database in `dataDir`. One process owns it (a lock file names the owner);
 * while a server owns it, other processes (the CLI) reach it through the server's socket.
 */
async function openEmbedded(dataDir: string, serve: boolean, logger: Logger): Promise<DatabaseHandle> {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'embedded.lock.json');
  for (let attempt = 0; attempt < 3; attempt++) {
    const lock = readLock(lockPath);
    if (lock && lock.pid !== process.pid && isAlive(lock.pid)) {
      if (!lock.address) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${lock.pid}. Wait for it to finish, or stop it.`,
        );
      }
      logger.debug({ owner: lock.pid }, 'connecting to the embedded database through its owner');
      // PGlite has one session: a single connection keeps our own units of work in order.
      return openPostgres(urlFor(lock.address), 1, logger, 'pglite');
    }
    if (lock) rmSync(lockPath, { force: true }); // stale: its owner is gone
    try {
      writeFileSync(lockPath, JSON.stringify({ pid: process.pid } satisfies EmbeddedLock), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process won the race
      throw err;
    }
    try {
      const address = serve ? socketAddressFor(dataDir) : undefined;
      if (address && 'path' in address) rmSync(address.path, { force: true });
      const opened = await openPGlite(path.join(dataDir, 'pgdata'), serve, logger);
      if (opened.socketServer) {
        writeFileSync(lockPath, JSON.stringify({ pid: process.pid, address: opened.socketServer.address }));
      }
      return {
        ...opened.handle,
        close: async () => {
          await opened.handle.close();
          if (readLock(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
        },
      };
    } catch (err) {
      rmSync(lockPath, { force: true });
      throw err;
    }
  }
  throw new Error(`Could not take the embedded database in ${dataDir}: another process keeps claiming it.`);
}

/** True when the database answers a trivial query within `timeoutMs` (a hung one is not ready). */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const answered = sql`select 1`.execute(db).then(
      () => true,
      () => false,
    );
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
