import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Logger } from '../logger';
import type { DatabaseHandle } from './database';
import { startEmbeddedSocketServer, type EmbeddedSocketServer } from './embedded-socket';
import { isoFromPgTimestamp, TIMESTAMP_OID } from './iso-timestamps';
import { GatedPGliteDialect, markReadsBlobs } from './pglite-driver';
import { openPostgres } from './postgres-pool';
import type { Database } from './schema';
import { SessionGate } from './session-gate';
import { sessionSettingStatements } from './session-settings';

/** A throw-away embedded database (tests). */
export async function openInMemory(logger: Logger): Promise<DatabaseHandle> {
  return (await openPGlite(undefined, false, logger)).handle;
}

async function openPGlite(dataDir: string | undefined, serve: boolean, logger: Logger) {
  const parsers = { [TIMESTAMP_OID]: isoFromPgTimestamp };
  const pglite = await PGlite.create(dataDir ? { dataDir, parsers } : { parsers });
  // One session for the process and its socket clients: set what the code relies on once.
  await pglite.exec(sessionSettingStatements());
  const gate = new SessionGate();
  const db = new Kysely<Database>({ dialect: new GatedPGliteDialect(pglite, gate) });
  markReadsBlobs(db);
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
export async function openEmbedded(dataDir: string, serve: boolean, logger: Logger): Promise<DatabaseHandle> {
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
      return openPostgres({ url: urlFor(lock.address), poolSize: 1, logger, engine: 'pglite' });
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
