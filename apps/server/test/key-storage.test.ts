import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/api-keys.service';
import { createTenant } from '../src/tenants/tenants.repository';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { startTestServer, type TestServer } from './support/test-server';

/** What a stolen copy of the database gives an attacker: no usable secret. */
describe(`API key storage (${ENGINE})`, () => {
  const PEPPER = 'pepper-for-tests-0123456789';
  let database: TestDatabase;
  let peppered: TestServer;
  let plain: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    peppered = await startTestServer(database, { apiKeyPepper: PEPPER });
    plain = await startTestServer(database);
  });
  afterAll(async () => {
    await peppered?.close();
    await plain?.close();
    await database?.close();
  });

  const ping = async (server: TestServer, secret: string) =>
    (await fetch(`${server.baseUrl}/ping`, { headers: { authorization: `Bearer ${secret}` } })).status;

  it('stores only a hash and a short display prefix, never the secret', async () => {
    const tenant = await createTenant(database.db, 'Storage');
    const { key, secret } = await createApiKey(database.db, undefined, { tenantId: tenant.id, name: 'k' });
    const row = await database.db.selectFrom('api_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice('1sec_live_'.length));
    expect(row.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(row.display_prefix).toBe(`${secret.slice(0, 16)}…`);
    expect(await ping(plain, secret)).toBe(200);
  });

  it('with API_KEY_PEPPER, the stored hash is an HMAC: useless without the pepper, and only that server accepts the key', async () => {
    const tenant = await createTenant(database.db, 'Peppered');
    const { key, secret } = await createApiKey(database.db, PEPPER, { tenantId: tenant.id, name: 'k' });
    const row = await database.db
      .selectFrom('api_keys')
      .select('secret_hash')
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHmac('sha256', PEPPER).update(secret).digest('hex'));
    expect(row.secret_hash).not.toBe(createHash('sha256').update(secret).digest('hex'));
    expect(await ping(peppered, secret)).toBe(200);
    expect(await ping(plain, secret)).toBe(401);
  });
});
