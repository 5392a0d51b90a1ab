import type { Socket } from 'node:net';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
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

/**
 * How long a connection in use may hear nothing from the database before it is given up: past
 * `statement_timeout` (30 s), after which a database that still works answers with an error.
 */
const SILENCE_LIMIT_MS = 35_000;

/**
 * A database that hangs (frozen, or unreachable without a reset) leaves a query waiting for
 * ever. A connection that is checked out and has heard nothing for `limitMs` is destroyed: its
 * query fails with ETIMEDOUT (→ 503) and the pool replaces it. An idle connection is left
 * alone (the pool closes those itself after 30 s).
 *
 * This is what pg's `query_timeout` is for, but that option arms a timer per query, and the
 * timer's closure holds the query and its rows. Under load those timers outlive young-generation
 * collections and are promoted, dead, taking each page's rows with them: a 1,000-row page's
 * garbage-collection cost tripled (BENCHMARKS.md, section 8). A socket's idle timeout is one
 * timer per connection, re-armed by traffic, with nothing of the query in it.
 */
function giveUpOnSilentConnections(pool: pg.Pool, limitMs: number): void {
  const inUse = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => inUse.add(client));
  pool.on('release', (_err, client) => inUse.delete(client));
  pool.on('connect', (client) => {
    // pg has no public accessor for a client's socket; `connection.stream` is where it keeps it.
    const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
    socket.setTimeout(limitMs);
    socket.on('timeout', () => {
      if (!inUse.has(client)) return;
      const silence = Object.assign(new Error(`the database sent nothing for ${limitMs / 1000} s`), {
        code: 'ETIMEDOUT',
      });
      socket.destroy(silence);
    });
  });
}

/**
 * The pool as Kysely uses it, with each statement run through pg's callback form of
 * `client.query`, not its promise form.
 *
 * Both send the same statement and return the same result. Measured on 1,000-row pages (BENCHMARKS.md,
 * section 8), only the promise form left a page's rows alive through the young-generation
 * collections that followed, so they were promoted to the old generation: five times the bytes
 * copied per collection and three times the garbage-collection time per page. Nothing retains
 * the rows once a page is sent (a heap snapshot holds none); they live only as long as
 * collections take to find them dead. Streaming (a cursor) is passed through unchanged.
 */
function withCallbackQueries(pool: pg.Pool): PostgresPool {
  // One view per pg client, as Kysely keeps one connection object per client it is given.
  const views = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const viewOf = (client: pg.PoolClient): PostgresPoolClient => ({
    query: ((statement: unknown, parameters?: readonly unknown[]) => {
      if (typeof statement !== 'string') return client.query(statement as never);
      return new Promise<PostgresQueryResult<unknown>>((resolve, reject) => {
        client.query(statement, parameters as unknown[], (err: Error | undefined, result: pg.QueryResult) =>
          err ? reject(err) : resolve(result as unknown as PostgresQueryResult<unknown>),
        );
      });
    }) as PostgresPoolClient['query'],
    // pg-pool gives a client a new `release` at each checkout: looked up at each call.
    release: (destroy?: boolean) => client.release(destroy),
  });
  return {
    connect: async () => {
      const client = await pool.connect();
      let view = views.get(client);
      if (!view) views.set(client, (view = viewOf(client)));
      return view;
    },
    end: () => pool.end(),
  };
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
  giveUpOnSilentConnections(pool, SILENCE_LIMIT_MS);
  const safe = new URL(url);
  safe.password = '';
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withCallbackQueries(pool) }) });
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
