import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger';
import type { DatabaseHandle, Db, Engine } from './database';
import { pgTypeParsers } from './iso-timestamps';
import { connectionWithSessionSettings } from './session-settings';
import type { Database } from './schema';

const postgresPools = new WeakMap<Db, pg.Pool>();

/**
 * The pg pool behind a PostgreSQL `Db` (undefined on PGlite, embedded or through its socket): for what Kysely cannot express,
 * such as `COPY … FROM STDIN` (bulk ingest).
 */
export function postgresPoolOf(db: Db): pg.Pool | undefined {
  return postgresPools.get(db);
}

/** A PostgreSQL pool (or, with engine 'pglite', a connection to an embedded database's owner). */
export function openPostgres({
  url,
  poolSize,
  logger,
  engine = 'postgres',
  applicationName,
}: {
  url: string;
  poolSize: number;
  logger: Logger;
  engine?: Engine;
  /** `application_name` of its sessions, as `pg_stat_activity` shows them. */
  applicationName?: string;
}): DatabaseHandle {
  const pool = new pg.Pool({
    // The settings the code relies on, whatever the server's defaults (not through PGlite's
    // socket: its owner sets them on the one session it has).
    ...(engine === 'postgres' ? connectionWithSessionSettings(url) : { connectionString: url }),
    ...(applicationName ? { application_name: applicationName } : {}),
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
