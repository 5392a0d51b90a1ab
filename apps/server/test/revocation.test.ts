import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/api-keys/api-keys.service';
import {
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createKey, createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

/**
 * Each instance remembers a key's identity once verified, and checks its liveness inside the
 * request's own statement. Two instances on one database: a key each has already served
 * (so each remembers it) is refused by both at the very next request after a revocation or
 * an expiry written by someone else, on every kind of authenticated endpoint. (Refusals
 * spend the client IP's failed-auth budget: raised here, as all requests come from 127.0.0.1.)
 */
describe(`revocation and expiry on two instances (${ENGINE})`, () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startTestServer(database, { authFailuresPerMinute: 1000 });
    b = await startTestServer(database, { authFailuresPerMinute: 1000 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  /** Every authenticated kind of request: no data (ping), a list, a feed, a detail, on each resource. */
  async function paths(tenantId: string): Promise<string[]> {
    const log = makeLogEvent(tenantId);
    const monitoring = makeMonitoringAlert(tenantId);
    const security = makeSecurityAlert(tenantId);
    await insertLogs(database.db, [log]);
    await insertMonitoringAlerts(database.db, [monitoring]);
    await insertSecurityAlerts(database.db, [security]);
    return [
      '/ping',
      '/logs?limit=10',
      '/logs/changes?limit=10',
      `/logs/${log.id}`,
      '/monitoring-alerts?limit=10',
      '/monitoring-alerts/changes',
      `/monitoring-alerts/${monitoring.id}`,
      '/security-alerts',
      '/security-alerts/changes?limit=1',
      `/security-alerts/${security.id}`,
      // A detail that does not exist: 404 for a live key, 401 once it is not.
      `/logs/${ulid()}#missing`,
    ];
  }

  const get = async (server: TestServer, path: string, secret: string) => {
    const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${secret}` } });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };

  async function servedByBoth(urlPaths: string[], secret: string) {
    for (const server of [a, b]) {
      for (const path of urlPaths) {
        // Twice: the second request is answered from the instance's memory of the key.
        for (let i = 0; i < 2; i++)
          expect([path, (await get(server, path, secret)).status]).toEqual([
            path,
            path.endsWith('#missing') ? 404 : 200,
          ]);
      }
    }
  }

  async function refusedByBoth(urlPaths: string[], secret: string) {
    for (const server of [a, b]) {
      for (const path of urlPaths) {
        const res = await get(server, path, secret);
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.body.error).toMatchObject({
          code: 'UNAUTHENTICATED',
          message: 'Invalid, expired, or revoked API key.',
        });
      }
    }
  }

  it('refuses a revoked key on both instances at the very next request of every kind', async () => {
    const key = await createTenantWithKey(database);
    const other = await createKey(database, key.tenantId);
    const urlPaths = await paths(key.tenantId);
    await servedByBoth(urlPaths, key.secret);
    await servedByBoth(urlPaths, other.secret);

    await revokeApiKey(database.db, { keyId: key.keyId });
    await refusedByBoth(urlPaths, key.secret);
    // Again: the instances' memory of the key does not bring it back.
    await refusedByBoth(urlPaths, key.secret);
    // The tenant's other key is untouched.
    await servedByBoth(urlPaths, other.secret);
  });

  it('refuses a key whose expiry was moved into the past, and a deleted one', async () => {
    const expiring = await createTenantWithKey(database, { expiresAt: new Date(Date.now() + 3_600_000) });
    const urlPaths = await paths(expiring.tenantId);
    await servedByBoth(urlPaths, expiring.secret);
    await database.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.keyId)
      .execute();
    await refusedByBoth(urlPaths, expiring.secret);

    const deleted = await createKey(database, expiring.tenantId);
    await servedByBoth(urlPaths, deleted.secret);
    await database.db.deleteFrom('api_keys').where('id', '=', deleted.keyId).execute();
    await refusedByBoth(urlPaths, deleted.secret);
  });
});
