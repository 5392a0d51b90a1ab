import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type RetryEvent } from '../src/index';
import { createKey, createTenant, hasPostgres, startApiServer, type ApiServer } from './support/api-server';

/**
 * Real 429s from the server's limiter, with a key allowed 2 requests a minute. The limiter's
 * window is a minute, so the test that waits out Retry-After takes up to a minute; it runs in
 * its own file, in parallel with the others.
 */
describe.skipIf(!hasPostgres)('retries on 429 from the real rate limiter', () => {
  let server: ApiServer;
  let tenantId: string;

  beforeAll(async () => {
    server = await startApiServer();
    tenantId = await createTenant(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function exhaustedKey(): Promise<string> {
    const apiKey = await createKey(server, tenantId, { rateLimit: 2, name: 'tiny limit' });
    const plain = createClient({ apiKey, baseUrl: server.url, retry: false });
    await plain.ping();
    await plain.ping();
    return apiKey;
  }

  it('surfaces 429 as ApiError RATE_LIMITED with retryAfter when retries are off, or the wait is too long', async () => {
    const apiKey = await exhaustedKey();
    const noRetry = createClient({ apiKey, baseUrl: server.url, retry: false });
    const error = (await noRetry.ping().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
    expect(error.rateLimit).toMatchObject({ limit: 2, remaining: 0 });
    expect(error.requestId).toBe(error.headers.get('x-request-id'));

    const impatient = createClient({ apiKey, baseUrl: server.url, retry: { maxRetryAfterMs: 500 } });
    const started = Date.now();
    await expect(impatient.ping()).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops waiting out Retry-After when the AbortSignal fires', async () => {
    const apiKey = await exhaustedKey();
    const client = createClient({ apiKey, baseUrl: server.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 300);
    const started = Date.now();
    await expect(client.ping({ signal: controller.signal })).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waits Retry-After seconds and then succeeds', async () => {
    const apiKey = await exhaustedKey();
    const retries: RetryEvent[] = [];
    const statuses: number[] = [];
    const client = createClient({
      apiKey,
      baseUrl: server.url,
      onRetry: (event) => retries.push(event),
      onResponse: (event) => statuses.push(event.status),
    });
    const started = Date.now();
    const ping = await client.ping();
    const waited = Date.now() - started;
    expect(ping.tenantId).toBe(tenantId);
    expect(statuses).toEqual([429, 200]);
    expect(retries).toHaveLength(1);
    const [retry] = retries;
    expect(retry).toMatchObject({ reason: 'rate-limited', status: 429, attempt: 1 });
    // Whole seconds from the server, plus at most 1 s of jitter; and the client really waited.
    expect(retry!.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(retry!.delayMs).toBeLessThanOrEqual(61_000);
    expect(waited).toBeGreaterThanOrEqual(retry!.delayMs);
    console.log(`  waited ${waited} ms for Retry-After (delay ${retry!.delayMs} ms)`);
  }, 120_000);
});
