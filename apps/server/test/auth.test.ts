import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/api-keys/api-keys.service';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import {
  clientFor,
  createKey,
  createTenantWithKey,
  startTestServer,
  type TestKey,
  type TestServer,
} from './support/test-server';

const UNAUTHENTICATED = {
  error: { code: 'UNAUTHENTICATED', message: 'Invalid, expired, or revoked API key.', requestId: expect.any(String) },
};

describe('API key authentication', () => {
  let database: TestDatabase;
  let server: TestServer;
  let key: TestKey;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, { authFailuresPerMinute: 1000 });
    key = await createTenantWithKey(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('answers /ping with the tenant, key, scopes and retention period, given a Bearer token', async () => {
    const res = await clientFor(server, key.secret, 'bearer').ping.ping();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        tenantId: key.tenantId,
        keyId: key.keyId,
        name: 'test key',
        scopes: ['logs:read', 'monitoring-alerts:read', 'security-alerts:read'],
        retentionDays: 365,
      },
    });
  });

  it('accepts the key in X-API-Key too', async () => {
    const res = await clientFor(server, key.secret, 'x-api-key').ping.ping();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: { keyId: key.keyId } });
  });

  it.each<[string, Record<string, string>]>([
    ['missing', {}],
    ['malformed Authorization scheme', { authorization: 'Basic dXNlcjpwYXNzd29yZA==' }],
    ['malformed secret', { authorization: 'Bearer not-a-key' }],
    ['unknown but well-formed secret', { authorization: `Bearer 1sec_live_${'A'.repeat(43)}` }],
    ['empty X-API-Key', { 'x-api-key': '' }],
  ])('rejects a %s key with the 401 envelope', async (_label, headers) => {
    const res = await fetch(`${server.baseUrl}/ping`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHENTICATED);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-ratelimit-limit')).toBeTruthy();
  });

  it('rejects an expired key', async () => {
    const expired = await createKey(database, key.tenantId, { expiresAt: new Date(Date.now() - 1000) });
    const res = await clientFor(server, expired.secret).ping.ping();
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHENTICATED);
  });

  it('rejects a revoked key on the very next request', async () => {
    const doomed = await createKey(database, key.tenantId);
    const client = clientFor(server, doomed.secret);
    expect((await client.ping.ping()).status).toBe(200);
    await revokeApiKey(database.db, { keyId: doomed.keyId });
    const res = await client.ping.ping();
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHENTICATED);
  });

  it('never echoes the secret in an error', async () => {
    const res = await fetch(`${server.baseUrl}/ping?secret=${key.secret}`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain(key.secret);
  });
});
