import { contract, SCOPES, type Scope } from '@1security/contract';
import { initClient } from '@ts-rest/core';
import { ulid } from 'ulid';
import { displayPrefix, generateSecret, hashSecret } from '../../src/api-keys/api-key-secret';
import { insertApiKey } from '../../src/api-keys/api-keys.repository';
import { loadConfig, type Config } from '../../src/config';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server';
import { createTenant } from '../../src/tenants/tenants.repository';
import { silentLogger, type TestDatabase } from './test-database';

export interface TestServer extends RunningServer {
  baseUrl: string;
}

/** A real server on an ephemeral port over the given database, with test-friendly config. */
export async function startTestServer(
  database: TestDatabase,
  overrides: Partial<Config> & Pick<StartServerOptions, 'rateLimitPrefix' | 'redisCommandTimeoutMs'> = {},
): Promise<TestServer> {
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    demoData: false,
    shutdownTimeoutMs: 2_000,
    ...overrides,
  };
  const running = await startServer(config, silentLogger, {
    database,
    rateLimitPrefix: overrides.rateLimitPrefix ?? `1sec:test:${ulid()}`,
    redisCommandTimeoutMs: overrides.redisCommandTimeoutMs,
  });
  return { ...running, baseUrl: `${running.url}/api/v1` };
}

export interface TestKey {
  tenantId: string;
  keyId: string;
  secret: string;
}

/** A new tenant with one key. */
export async function createTenantWithKey(
  database: TestDatabase,
  options: { scopes?: Scope[]; rateLimit?: number; expiresAt?: Date; pepper?: string } = {},
): Promise<TestKey> {
  const tenant = await createTenant(database.db, `Tenant ${ulid()}`);
  return createKey(database, tenant.id, options);
}

export async function createKey(
  database: TestDatabase,
  tenantId: string,
  options: { scopes?: Scope[]; rateLimit?: number; expiresAt?: Date; pepper?: string } = {},
): Promise<TestKey> {
  // The service refuses an expiry that has passed; an expired key is a live one whose expiry
  // is then moved back, as if it had lapsed.
  const lapsed = options.expiresAt && options.expiresAt <= new Date() ? options.expiresAt : undefined;
  // Straight into the table, not through the service: the service also writes an ApiKeyCreated
  // audit event into the tenant's logs, and tests count exactly the events they put there.
  const secret = generateSecret();
  const key = await insertApiKey(database.db, {
    tenantId,
    name: 'test key',
    displayPrefix: displayPrefix(secret),
    secretHash: hashSecret(secret, options.pepper),
    scopes: options.scopes ?? [...SCOPES],
    rateLimit: options.rateLimit ?? null,
    expiresAt: lapsed ? null : (options.expiresAt ?? null),
    createdBy: 'test',
  });
  if (lapsed) await database.db.updateTable('api_keys').set({ expires_at: lapsed }).where('id', '=', key.id).execute();
  return { tenantId, keyId: key.id, secret };
}

/** The typed ts-rest client over the contract, authenticated with a key. */
export function clientFor(server: TestServer, secret?: string, via: 'bearer' | 'x-api-key' = 'bearer') {
  const headers: Record<string, string> = {};
  if (secret !== undefined) {
    if (via === 'bearer') headers.authorization = `Bearer ${secret}`;
    else headers['x-api-key'] = secret;
  }
  return initClient(contract, { baseUrl: server.url, baseHeaders: headers, throwOnUnknownStatus: false });
}
