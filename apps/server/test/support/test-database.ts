import { ulid } from 'ulid';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';

export type TestEngine = 'pglite' | 'postgres';

/** Which engine this run of the suite is for (set per vitest project). */
export const ENGINE: TestEngine = process.env.TEST_DB_ENGINE === 'postgres' ? 'postgres' : 'pglite';
/** Empty when Redis is not reachable on this machine (never under CI: the config fails). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? '';
export const ADMIN_POSTGRES_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * `TEST_DATABASE_SETTINGS=production-like` (the `postgres-settings` project): every PostgreSQL
 * test database gets defaults unlike ours — as a managed cluster's may be — which the server
 * must override per connection. A decoy schema first on the search_path holds a `tenants` and
 * a `log_events` table of its own: a connection that took the database's search_path would
 * migrate into it, or read from it.
 */
export const PRODUCTION_LIKE_SETTINGS = process.env.TEST_DATABASE_SETTINGS === 'production-like';

export async function applyProductionLikeSettings(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`alter database ${name} set DateStyle = 'SQL, DMY'`);
    await admin.query(`alter database ${name} set TimeZone = 'Pacific/Chatham'`);
    await admin.query(`alter database ${name} set IntervalStyle = 'sql_standard'`);
    await admin.query(`alter database ${name} set search_path = decoy, public`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const inside = new pg.Client({ connectionString: url.toString() });
  await inside.connect();
  try {
    await inside.query('create schema decoy');
    await inside.query('create table decoy.tenants (id text primary key, name text)');
    await inside.query('create table decoy.log_events (tenant_id text, id text)');
  } finally {
    await inside.end();
  }
}

export const silentLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

export interface TestDatabase extends DatabaseHandle {
  /** postgres:// URL of this database (PostgreSQL only), for child processes such as the CLI. */
  url: string | undefined;
}

/**
 * A fresh, migrated database of the engine under test: an in-memory PGlite, or a new
 * database on the PostgreSQL server (dropped again by `close`).
 */
export async function createTestDatabase(engine: TestEngine = ENGINE): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const handle = await openDatabase({ dataDir: 'memory', logger: silentLogger });
    await migrateToLatest(handle.db);
    return { ...handle, url: undefined };
  }
  const name = `onesec_test_${ulid().toLowerCase()}`;
  const admin = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  if (PRODUCTION_LIKE_SETTINGS) await applyProductionLikeSettings(ADMIN_POSTGRES_URL, name);
  const url = new URL(ADMIN_POSTGRES_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', logger: silentLogger });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
