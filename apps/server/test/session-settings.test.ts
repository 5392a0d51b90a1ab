import { sql } from 'kysely';
import pg from 'pg';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database';
import { ADMIN_POSTGRES_URL, applyProductionLikeSettings, silentLogger } from './support/test-database';

/**
 * A database whose defaults differ from ours (`ALTER DATABASE … SET`, as on a managed
 * cluster): every connection the server opens sets what the code relies on, and an operator's
 * own `options` in DATABASE_URL still win. The resource, feed and ingest tests run whole on
 * such databases in the `postgres-settings` project.
 */
describe('session settings on a database with other defaults (postgres)', () => {
  const name = `onesec_test_${ulid().toLowerCase()}`;
  const url = new URL(ADMIN_POSTGRES_URL);
  url.pathname = `/${name}`;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    await applyProductionLikeSettings(ADMIN_POSTGRES_URL, name);
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  const settingsOf = async (query: (text: string) => Promise<string>) => ({
    dateStyle: await query('show DateStyle'),
    timeZone: await query('show TimeZone'),
    intervalStyle: await query('show IntervalStyle'),
    searchPath: await query('show search_path'),
    now: await query(`select '2026-11-30T10:00:00.123Z'::timestamptz::text`),
  });

  it('the database defaults are not ours, for a plain connection', async () => {
    const plain = new pg.Client({ connectionString: url.toString() });
    await plain.connect();
    try {
      const settings = await settingsOf(async (text) => Object.values((await plain.query(text)).rows[0])[0] as string);
      expect(settings).toEqual({
        dateStyle: 'SQL, DMY',
        timeZone: 'Pacific/Chatham',
        intervalStyle: 'sql_standard',
        searchPath: 'decoy, public',
        now: '30/11/2026 23:45:00.123 +1345',
      });
    } finally {
      await plain.end();
    }
  });

  it("the server's connections set DateStyle, TimeZone, IntervalStyle and search_path", async () => {
    const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', logger: silentLogger });
    try {
      const settings = await settingsOf(
        async (text) => Object.values((await sql.raw(text).execute(handle.db)).rows[0] as object)[0] as string,
      );
      expect(settings).toEqual({
        dateStyle: 'ISO, MDY',
        timeZone: 'UTC',
        intervalStyle: 'postgres',
        searchPath: 'public',
        now: '2026-11-30 10:00:00.123+00',
      });
    } finally {
      await handle.close();
    }
  });

  it("an operator's own options in DATABASE_URL apply after ours", async () => {
    const custom = new URL(url);
    custom.searchParams.set('options', '-c search_path=decoy,public');
    const handle = await openDatabase({ databaseUrl: custom.toString(), dataDir: 'unused', logger: silentLogger });
    try {
      const row = await sql<{
        search_path: string;
        DateStyle: string;
      }>`select current_setting('search_path') as search_path,
        current_setting('DateStyle') as "DateStyle"`.execute(handle.db);
      expect(row.rows[0]).toEqual({ search_path: 'decoy,public', DateStyle: 'ISO, MDY' });
    } finally {
      await handle.close();
    }
  });
});
