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
