import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/api-keys/api-keys.service';
import { waitFor } from './support/private-services';
import { ENGINE, REDIS_URL, createTestDatabase, type TestDatabase } from './support/test-database';
import { createKey, createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

const WINDOW_MS = 60_000;

/**
 * Two server instances behind one (imaginary) load balancer: one database, one Redis. Limits,
 * the brute-force guard and revocation hold for the pair exactly as for one instance.
 */
describe.skipIf(!REDIS_URL)(`two instances on one database and Redis (${ENGINE})`, () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    const prefix = `1sec:test:${ulid()}`;
    // One shared counter is what is checked: a Redis reply held up past the 500 ms default by
    // this busy test process (CI run 1: three requests counted in memory) must not count as
    // Redis being down. The fallback itself is redis-outage.test.ts's.
    const shared = {
      redisUrl: REDIS_URL,
      rateLimitPrefix: prefix,
      authFailuresPerMinute: 20,
      redisCommandTimeoutMs: 10_000,
    };
    a = await startTestServer(database, shared);
    b = await startTestServer(database, shared);
    await waitFor(
      'both instances to reach Redis',
      () => a.rateLimiter.store === 'redis' && b.rateLimiter.store === 'redis',
      15_000,
    );
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  const ping = async (server: TestServer, secret: string) => {
    const res = await fetch(`${server.baseUrl}/ping`, { headers: { authorization: `Bearer ${secret}` } });
    const body = (await res.json()) as { error?: { code: string; message: string } };
    return { status: res.status, remaining: res.headers.get('x-ratelimit-remaining'), body };
  };

  it('enforces one limit per key across both, under concurrent requests to both', async () => {
    const limit = 50;
    const { secret } = await createTenantWithKey(database, { rateLimit: limit });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: limit * 4 }, (_, i) => ping(i % 2 === 0 ? a : b, secret)));
    const elapsed = Date.now() - started;
    const allowed = results.filter((r) => r.status === 200);
    expect(results.every((r) => r.status === 200 || (r.status === 429 && r.body.error?.code === 'RATE_LIMITED'))).toBe(
      true,
    );
    // Windows are fixed minutes from the key's first request: the run spans `windows` of them.
    const windows = 1 + Math.floor(elapsed / WINDOW_MS);
    expect(allowed.length).toBeGreaterThanOrEqual(limit);
    expect(allowed.length).toBeLessThanOrEqual(limit * windows);
    expect(results.filter((r) => r.status === 200).map((r) => r.remaining).length).toBe(allowed.length);
    if (windows === 1) {
      // One shared counter: every allowed request took a distinct slot of it.
      const remaining = allowed.map((r) => Number(r.remaining)).sort((x, y) => x - y);
      expect(remaining).toEqual(Array.from({ length: limit }, (_, i) => i));
    }
    // Both instances refused once the shared budget was spent.
    expect((await ping(a, secret)).status).toBe(429);
    expect((await ping(b, secret)).status).toBe(429);
  });

  it('revokes a key on both instances at the very next request, and a rotated key works on both at once', async () => {
    const old = await createTenantWithKey(database);
    expect([(await ping(a, old.secret)).status, (await ping(b, old.secret)).status]).toEqual([200, 200]);

    const rotated = await createKey(database, old.tenantId);
    expect([(await ping(a, rotated.secret)).status, (await ping(b, rotated.secret)).status]).toEqual([200, 200]);

    await revokeApiKey(database.db, { keyId: old.keyId });
    for (const server of [a, b]) {
      const res = await ping(server, old.secret);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'Invalid, expired, or revoked API key.',
      });
    }
    expect([(await ping(a, rotated.secret)).status, (await ping(b, rotated.secret)).status]).toEqual([200, 200]);
  });

  it('counts failed authentications per client IP across both instances (brute-force guard)', async () => {
    // The guard is per client IP, and every request here comes from 127.0.0.1: a fresh pair with
    // its own counters, so that the other tests' 401s do not count.
    const prefix = `1sec:test:${ulid()}`;
    // As for a and b: one shared counter, whatever this process's stalls.
    const shared = {
      redisUrl: REDIS_URL,
      rateLimitPrefix: prefix,
      authFailuresPerMinute: 20,
      redisCommandTimeoutMs: 10_000,
    };
    const c = await startTestServer(database, shared);
    const d = await startTestServer(database, shared);
    try {
      await waitFor(
        'both instances to reach Redis',
        () => c.rateLimiter.store === 'redis' && d.rateLimiter.store === 'redis',
        15_000,
      );
      const guessed = () => `1sec_live_${ulid()}${ulid()}`.slice(0, 53);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await ping(i % 2 === 0 ? c : d, guessed())).status);
      expect(statuses).toEqual(Array(20).fill(401));
      expect((await ping(c, guessed())).status).toBe(429);
      expect((await ping(d, guessed())).status).toBe(429);
      // A valid key is not locked out by someone else's guessing from the same address.
      const { secret } = await createTenantWithKey(database);
      expect((await ping(c, secret)).status).toBe(200);
    } finally {
      await c.close();
      await d.close();
    }
  });
});
