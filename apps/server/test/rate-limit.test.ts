import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { createTestDatabase, REDIS_URL, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

async function ping(server: TestServer, secret?: string): Promise<Response> {
  return fetch(`${server.baseUrl}/ping`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
}

describe('rate limits (in-memory store)', () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, { authFailuresPerMinute: 20 });
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('allows 600 requests a minute per key by default and answers the 601st with 429', async () => {
    const key = await createTenantWithKey(database);
    for (let i = 1; i <= 600; i++) {
      const res = await ping(server, key.secret);
      if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}`);
      await res.arrayBuffer();
      if (i === 600) expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    }
    const res = await ping(server, key.secret);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers.get('x-ratelimit-limit')).toBe('600');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await res.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it('honours a per-key limit and keeps keys independent', async () => {
    const small = await createTenantWithKey(database, { rateLimit: 3 });
    const other = await createTenantWithKey(database, { rateLimit: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ping(server, small.secret)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await ping(server, other.secret)).status).toBe(200);
  });

  it('lets a misconfigured poller see its 401s, then throttles failed attempts per IP', async () => {
    const statuses = [];
    for (let i = 0; i < 21; i++) {
      const res = await fetch(`${server.baseUrl}/ping`, {
        headers: { authorization: `Bearer 1sec_live_${'x'.repeat(43)}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe.skipIf(!REDIS_URL)('rate limits shared through Redis', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    const prefix = `1sec:test:${ulid()}`;
    a = await startTestServer(database, { redisUrl: REDIS_URL, rateLimitPrefix: prefix });
    b = await startTestServer(database, { redisUrl: REDIS_URL, rateLimitPrefix: prefix });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  it('enforces one limit across two server instances', async () => {
    const key = await createTenantWithKey(database, { rateLimit: 10 });
    // Wait until both instances have their Redis connection up.
    await expect.poll(() => a.rateLimiter.store === 'redis' && b.rateLimiter.store === 'redis').toBe(true);
    let allowed = 0;
    for (let i = 0; i < 10; i++) {
      for (const server of [a, b]) if ((await ping(server, key.secret)).status === 200) allowed++;
    }
    expect(allowed).toBe(10);
    const remaining = await ping(b, key.secret);
    expect(remaining.status).toBe(429);
  });
});
