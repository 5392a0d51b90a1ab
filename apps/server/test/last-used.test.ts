import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/api-keys/api-keys.service';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestKey, type TestServer } from './support/test-server';

/**
 * `lastUsedAt` is written in batches, after the fact: what is written must be when the key was
 * last used, not when the batch went out. Closing a server flushes its batch.
 */
describe(`a key's lastUsedAt (${ENGINE})`, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const ping = (server: TestServer, key: TestKey) =>
    fetch(`${server.baseUrl}/ping`, { headers: { authorization: `Bearer ${key.secret}` } });
  const row = (key: TestKey) =>
    database.db
      .selectFrom('api_keys')
      .select(['last_used_at', 'revoked_at'])
      .where('id', '=', key.keyId)
      .executeTakeFirstOrThrow();

  it('is the time of the last request served, never after the key was revoked', async () => {
    const server = await startTestServer(database, { authFailuresPerMinute: 1000 });
    const key = await createTenantWithKey(database);
    let revokedAt: Date | null;
    let before: number;
    let after: number;
    try {
      before = Date.now();
      expect((await ping(server, key)).status).toBe(200);
      after = Date.now();
      revokedAt = (await revokeApiKey(database.db, { keyId: key.keyId })).revoked_at;
      // The server verified this key already: this request gets as far as the liveness check.
      expect((await ping(server, key)).status).toBe(401);
    } finally {
      await server.close();
    }

    const { last_used_at: lastUsedAt } = await row(key);
    expect(lastUsedAt).not.toBeNull();
    expect(revokedAt).not.toBeNull();
    expect(lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(lastUsedAt!.getTime()).toBeLessThanOrEqual(after);
    expect(lastUsedAt!.getTime()).toBeLessThanOrEqual(revokedAt!.getTime());
  });

  it('never moves backwards when an instance writes an older use after a newer one', async () => {
    const a = await startTestServer(database);
    const b = await startTestServer(database);
    const key = await createTenantWithKey(database);
    try {
      expect((await ping(a, key)).status).toBe(200);
      const newer = Date.now();
      expect((await ping(b, key)).status).toBe(200);
      await b.close();
      const written = (await row(key)).last_used_at;
      expect(written!.getTime()).toBeGreaterThanOrEqual(newer);

      await a.close();
      expect((await row(key)).last_used_at).toEqual(written);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
