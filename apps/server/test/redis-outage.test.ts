import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { startServer, type RunningServer } from '../src/server';
import { captureLogs, type CapturedLogger } from './support/log-capture';
import { requireBinaries, startPrivateRedis, waitFor, whichSync, type PrivateRedis } from './support/private-services';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey } from './support/test-server';

/**
 * Redis goes away and comes back under two server instances that share it. The redis-server is
 * private to this test (its own port, nothing on disk) so it can be killed without disturbing
 * other test runs. Runs on both engines: the database is not what fails here.
 */
describe(`Redis outage under two instances (${ENGINE})`, () => {
  const redisServer = whichSync('redis-server');
  const available = requireBinaries('private redis-server for the outage test', [redisServer]);
  let redis: PrivateRedis;
  let database: TestDatabase;
  const instances: Array<{ server: RunningServer; logs: CapturedLogger }> = [];

  beforeAll(async () => {
    if (!available) return;
    redis = await startPrivateRedis(redisServer);
    database = await createTestDatabase();
    const config: Config = {
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      demoData: false,
      redisUrl: redis.url,
      shutdownTimeoutMs: 2_000,
    };
    const rateLimitPrefix = `1sec:test:${ulid()}`;
    for (let i = 0; i < 2; i++) {
      const logs = captureLogs('info');
      instances.push({ server: await startServer(config, logs.logger, { database, rateLimitPrefix }), logs });
    }
  });
  afterAll(async () => {
    for (const { server } of instances) await server.close();
    await database?.close();
    await redis?.destroy();
  });

  const ping = async (server: RunningServer, secret: string) => {
    const res = await fetch(`${server.url}/api/v1/ping`, { headers: { authorization: `Bearer ${secret}` } });
    await res.arrayBuffer();
    expect(res.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
    return res.status;
  };

  /** `limit` requests spread over both instances all pass, and the next one on each is refused. */
  async function expectOneSharedLimit(limit: number) {
    const { secret } = await createTenantWithKey(database, { rateLimit: limit });
    const [a, b] = instances.map((i) => i.server) as [RunningServer, RunningServer];
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push(await ping(i % 2 === 0 ? a : b, secret));
    expect(statuses).toEqual(Array(limit).fill(200));
    expect([await ping(a, secret), await ping(b, secret)]).toEqual([429, 429]);
  }

  it('shares one limit, keeps serving on per-instance limits while Redis is down and logs it, then shares again', async (ctx) => {
    if (!available) return ctx.skip();
    const [a, b] = instances.map((i) => i.server) as [RunningServer, RunningServer];
    await waitFor(
      'both instances to reach Redis',
      () => a.rateLimiter.store === 'redis' && b.rateLimiter.store === 'redis',
    );
    await expectOneSharedLimit(6);

    await redis.kill();
    await waitFor('both instances to log the outage', () =>
      instances.every(
        ({ logs }) => logs.find('Redis unavailable: rate limits fall back to per-instance memory').length > 0,
      ),
    );
    for (const { logs } of instances) {
      expect(logs.find('Redis unavailable')[0]).toMatchObject({ level: 40, reason: expect.any(String) });
    }
    expect([a.rateLimiter.store, b.rateLimiter.store]).toEqual(['memory', 'memory']);

    // Still serving: every instance enforces the key's limit on its own.
    const { secret } = await createTenantWithKey(database, { rateLimit: 4 });
    for (const server of [a, b]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push(await ping(server, secret));
      expect(statuses).toEqual([200, 200, 200, 200]);
      expect(await ping(server, secret)).toBe(429);
    }
    const other = await createTenantWithKey(database);
    expect([await ping(a, other.secret), await ping(b, other.secret)]).toEqual([200, 200]);

    await redis.start();
    await waitFor(
      'both instances to reconnect',
      () => a.rateLimiter.store === 'redis' && b.rateLimiter.store === 'redis',
    );
    await waitFor('both instances to log the recovery', () =>
      instances.every(({ logs }) => logs.find('Redis reachable again').length > 0),
    );
    await expectOneSharedLimit(6);
  }, 120_000);
});
