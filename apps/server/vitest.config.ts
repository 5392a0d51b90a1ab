// By path: the config is loaded by Node before Vite, and Node does not run a package's .ts.
import { reachable } from '../../tooling/test-kit/src/reachable.ts';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Integration tests run twice: on the embedded PGlite and on a real PostgreSQL. Redis-backed
 * tests run when Redis answers. On a laptop without a service its tests are skipped with a
 * warning; under CI (CI=true) a missing service fails the run instead.
 */
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_ONLY = [
  'test/database-outage.test.ts',
  'test/session-settings.test.ts',
  'test/read-replicas.test.ts',
  'test/webhooks-instances.test.ts',
];
/**
 * Run again on databases whose DateStyle, TimeZone, IntervalStyle and search_path defaults
 * differ from ours (see PRODUCTION_LIKE_SETTINGS in test/support/test-database.ts).
 */
const PRODUCTION_LIKE = ['test/resources.test.ts',
  'test/changes-feed.test.ts',
  'test/ingest.test.ts'];
const inCi = process.env.CI === 'true' || process.env.CI === '1';

async function service(name: string, url: string): Promise<string> {
  if (await reachable(url)) return url;
  const message = `${name} is not reachable at ${url}`;
  if (inCi) throw new Error(`${message}: CI must exercise it (start it, or set TEST_${name.toUpperCase()}_URL).`);
  console.warn(`\n  ⚠ ${message}; its tests are skipped on this machine.\n`);
  return '';
}

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const [postgresUrl, redisUrl] = await Promise.all([service('Postgres', POSTGRES_URL), service('Redis', REDIS_URL)]);
  const integration = (engine: 'pglite' | 'postgres') => ({
    extends: true as const,
    test: {
      name: engine,
      include: ['test/**/*.test.ts'],
      // Files that only make sense against a PostgreSQL server (PGlite runs in-process: it
      // cannot go down on its own). Excluded rather than skipped: CI fails on any skip.
      exclude: engine === 'pglite' ? POSTGRES_ONLY : [],
      env: { TEST_DB_ENGINE: engine, TEST_DATABASE_URL: postgresUrl, TEST_REDIS_URL: redisUrl },
      globalSetup: ['test/support/build-server.ts'],
    },
  });
  return {
    test: {
      // Ceilings for a hung test, not expectations: a test that starts the server on the
      // embedded database may wait over a minute for it when CI is busy (see spawnServer).
      testTimeout: 180_000,
      hookTimeout: 180_000,
      pool: 'forks' as const,
      // Most of a test's time is spent waiting on a database, a child process or the network,
      // so run more files at once than there are cores.
      maxWorkers: 4,
      projects: [
        { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
        integration('pglite'),
        ...(postgresUrl ? [integration('postgres')] : []),
        ...(postgresUrl
          ? [
              {
                extends: true as const,
                test: {
                  name: 'postgres-settings',
                  include: PRODUCTION_LIKE,
                  env: {
                    TEST_DB_ENGINE: 'postgres',
                    TEST_DATABASE_URL: postgresUrl,
                    TEST_REDIS_URL: redisUrl,
                    TEST_DATABASE_SETTINGS: 'production-like',
                  },
                  globalSetup: ['test/support/build-server.ts'],
                },
              },
            ]
          : []),
      ],
    },
  };
});
