// By path: the config is loaded by Node before Vite, and Node does not run a package's .ts.
import { reachable } from '../../tooling/test-kit/src/reachable.ts';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The client's tests run against the real server (a child process) on a fresh PostgreSQL
 * database per test file, so files run in parallel safely. Without PostgreSQL on this
 * machine they are skipped with a warning; under CI (CI=true) that is a failure.
 */
const POSTGRES_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const inCi = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig(async (): Promise<ViteUserConfig> => {
  let postgresUrl = POSTGRES_URL;
  if (!(await reachable(POSTGRES_URL))) {
    const message = `PostgreSQL is not reachable at ${POSTGRES_URL}`;
    if (inCi)
      throw new Error(`${message}: CI must run the client's integration tests (start it, or set TEST_DATABASE_URL).`);
    console.warn(`\n  ⚠ ${message}; the client's integration tests are skipped on this machine.\n`);
    postgresUrl = '';
  }
  return {
    test: {
      include: ['test/**/*.test.ts'],
      globalSetup: ['test/support/global-setup.ts'],
      env: { TEST_DATABASE_URL: postgresUrl },
      pool: 'forks',
      testTimeout: 180_000,
      hookTimeout: 120_000,
    },
  };
});
