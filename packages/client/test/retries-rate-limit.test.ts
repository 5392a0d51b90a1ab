import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type ClientOptions, type RetryEvent, type SleepFunction } from '../src/index';
import { sleep as timerSleep } from '../src/retrying-fetcher';
import { createKey, createTenant, hasPostgres, startApiServer, type ApiServer } from './support/api-server';

/**
 * Real 429s from the server's limiter, through real HTTP. The client's waits go through its
 * `sleep` option: a recording one that spends no time shows the exact wait the client chose
 * from each real `Retry-After`; only the test that must see the retry succeed waits one out for
 * real, on a server whose limiter window is 2 s instead of a minute (`RATE_LIMIT_WINDOW_SECONDS`,
 * a test-only setting).
 */
describe.skipIf(!hasPostgres)('retries on 429 from the real rate limiter', () => {
  /** The usual one-minute window: Retry-After is up to 60 s, never waited out for real here. */
  let server: ApiServer;
  /** A 2-second window, so that waiting out Retry-After for real is short. */
  let shortWindow: ApiServer;
  let tenantId: string;
  let shortWindowTenantId: string;

  beforeAll(async () => {
    [server, shortWindow] = await Promise.all([startApiServer(), startApiServer({ RATE_LIMIT_WINDOW_SECONDS: '2' })]);
    [tenantId, shortWindowTenantId] = await Promise.all([createTenant(server), createTenant(shortWindow)]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), shortWindow?.stop()]);
  });

  /** A key allowed `limit` requests a window, all of them spent. */
  async function exhaustedKey(on: ApiServer, tenant: string, limit = 2): Promise<string> {
    const apiKey = await createKey(on, tenant, { rateLimit: limit, name: 'tiny limit' });
    const plain = createClient({ apiKey, baseUrl: on.url, retry: false });
    for (let i = 0; i < limit; i++) await plain.ping();
    return apiKey;
  }

  /**
   * What the client did: every status and `Retry-After` it received (seen through the real
   * `fetch`, unchanged), every wait it asked for, and every retry it announced.
   */
  function observed(options: Pick<ClientOptions, 'apiKey' | 'baseUrl'> & Partial<ClientOptions>, spend = false) {
    const statuses: number[] = [];
    const retryAfters: number[] = [];
    const sleeps: number[] = [];
    const retries: RetryEvent[] = [];
    const recordingSleep: SleepFunction = async (ms, signal) => {
      sleeps.push(ms);
      if (spend) await timerSleep(ms, signal);
    };
    const client = createClient({
      sleep: recordingSleep,
      onRetry: (event) => retries.push(event),
      ...options,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        const retryAfter = response.headers.get('retry-after');
        if (retryAfter !== null) retryAfters.push(Number(retryAfter));
        return response;
      },
    });
    return { client, statuses, retryAfters, sleeps, retries };
  }

  it('surfaces 429 as ApiError RATE_LIMITED with retryAfter when retries are off, or the wait is too long', async () => {
    const apiKey = await exhaustedKey(server, tenantId);
    const noRetry = createClient({ apiKey, baseUrl: server.url, retry: false });
    const error = (await noRetry.ping().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
    expect(error.rateLimit).toMatchObject({ limit: 2, remaining: 0 });
    expect(error.requestId).toBe(error.headers.get('x-request-id'));

    // Retry-After (whole seconds, at least 1) is longer than the client may wait: no wait at all.
    const impatient = observed({ apiKey, baseUrl: server.url, retry: { maxRetryAfterMs: 500 } });
    await expect(impatient.client.ping()).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(impatient.statuses).toEqual([429]);
    expect(impatient.sleeps).toEqual([]);
    expect(impatient.retries).toEqual([]);
  });

  it("waits exactly each response's Retry-After seconds plus the jitter it drew", async () => {
    const apiKey = await exhaustedKey(server, tenantId);
    // The jitter is up to 10% of Retry-After, at most 1 s; with the draw fixed at 0.5, half of that.
    const { client, statuses, retryAfters, sleeps, retries } = observed({
      apiKey,
      baseUrl: server.url,
      random: () => 0.5,
      retry: { maxAttempts: 3 },
    });
    await expect(client.ping()).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(statuses).toEqual([429, 429, 429]);
    expect(retryAfters).toHaveLength(3);
    for (const seconds of retryAfters) {
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
    }
    const expected = retryAfters
      .slice(0, 2)
      .map((seconds) => Math.round(seconds * 1000 + 0.5 * Math.min(1000, seconds * 100)));
    expect(sleeps).toEqual(expected);
    expect(retries.map((r) => [r.reason, r.status, r.attempt, r.delayMs])).toEqual([
      ['rate-limited', 429, 1, expected[0]],
      ['rate-limited', 429, 2, expected[1]],
    ]);
  });

  it('stops waiting out Retry-After when the AbortSignal fires', async () => {
    const apiKey = await exhaustedKey(server, tenantId);
    const controller = new AbortController();
    const sleeps: number[] = [];
    const statuses: number[] = [];
    // The real timer, for a Retry-After of up to a minute; the signal fires once the wait has begun.
    const client = createClient({
      apiKey,
      baseUrl: server.url,
      onResponse: (event) => statuses.push(event.status),
      sleep: (ms, signal) => {
        sleeps.push(ms);
        const waiting = timerSleep(ms, signal);
        controller.abort(new Error('shutting down'));
        return waiting;
      },
    });
    await expect(client.ping({ signal: controller.signal })).rejects.toThrow('shutting down');
    expect(statuses).toEqual([429]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1_000);
  });

  it('waits Retry-After seconds and then succeeds', async () => {
    const apiKey = await exhaustedKey(shortWindow, shortWindowTenantId, 1);
    // The wait is spent for real (at most the 2 s window), so that the server lets the retry in.
    const { client, statuses, retryAfters, sleeps, retries } = observed(
      { apiKey, baseUrl: shortWindow.url, random: () => 0 },
      true,
    );
    const ping = await client.ping();
    expect(ping.tenantId).toBe(shortWindowTenantId);
    expect(statuses).toEqual([429, 200]);
    expect(retryAfters).toHaveLength(1);
    expect([1, 2]).toContain(retryAfters[0]);
    expect(sleeps).toEqual([retryAfters[0]! * 1000]);
    expect(retries).toMatchObject([{ reason: 'rate-limited', status: 429, attempt: 1, delayMs: sleeps[0] }]);
  });
});
