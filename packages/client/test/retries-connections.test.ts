import type { AppRoute } from '@ts-rest/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  createClient,
  type ClientOptions,
  type RetryEvent,
} from '../src/index';
import { createRetryingFetcher } from '../src/retrying-fetcher';
import { createKey, createTenant, hasPostgres, ingest, startApiServer, type ApiServer } from './support/api-server';
import { startFlakyProxy, type ConnectionFate, type FlakyProxy } from './support/flaky-proxy';
import { makeLogRecords } from './support/records';

/** Retries against a server whose connections drop, hang, break mid-body or answer 503. */
describe.skipIf(!hasPostgres)('retries over a flaky network', () => {
  let server: ApiServer;
  let apiKey: string;
  let proxy: FlakyProxy | undefined;
  const logs = makeLogRecords(300);

  beforeAll(async () => {
    server = await startApiServer();
    const tenantId = await createTenant(server);
    await ingest(server, tenantId, 'logs', logs);
    apiKey = await createKey(server, tenantId);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A fresh proxy (a new origin, so no kept-alive connection carries over) and a client through it. */
  async function through(fate: (index: number) => ConnectionFate, options: Partial<ClientOptions> = {}) {
    proxy = await startFlakyProxy(server.url, fate);
    const retries: RetryEvent[] = [];
    const client = createClient({
      apiKey,
      baseUrl: proxy.url,
      retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 1_000 },
      onRetry: (event) => retries.push(event),
      ...options,
    });
    return { client, retries, proxy };
  }

  it('retries dropped connections with backoff, then succeeds', async () => {
    const { client, retries, proxy } = await through((i) => (i < 2 ? 'destroy' : 'forward'));
    const ping = await client.ping();
    expect(ping.scopes).toContain('logs:read');
    expect(proxy.connections).toEqual(['destroy', 'destroy', 'forward']);
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [1, 'network-error'],
      [2, 'network-error'],
    ]);
    // Equal jitter: attempt k waits between half and all of min(maxDelay, base * 2^(k-1)).
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(25);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(50);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(50);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(100);
  });

  it('gives up after maxAttempts with an ApiConnectionError', async () => {
    const { client, retries, proxy } = await through(() => 'destroy', { retry: { maxAttempts: 3, baseDelayMs: 50 } });
    const started = Date.now();
    const error = await client.logs.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).not.toBeInstanceOf(ApiTimeoutError);
    expect((error as ApiConnectionError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs failed: .* \(3 attempts\)/);
    expect(proxy.connections).toHaveLength(3);
    expect(retries).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25 + 50);
  });

  it('retries a response cut off mid-body', async () => {
    const { client, retries, proxy } = await through((i) => (i < 1 ? 'cut-response' : 'forward'));
    const page = await client.logs.list({ limit: 300 });
    expect(page.data).toHaveLength(300);
    expect(proxy.connections).toEqual(['cut-response', 'forward']);
    expect(retries.map((r) => r.reason)).toEqual(['network-error']);
  });

  it('times out a hanging attempt, retries it, and throws ApiTimeoutError when every attempt hangs', async () => {
    const recovering = await through((i) => (i < 1 ? 'hang' : 'forward'), { timeoutMs: 300 });
    expect((await recovering.client.logs.list({ limit: 1 })).data).toHaveLength(1);
    expect(recovering.retries.map((r) => r.reason)).toEqual(['timeout']);
    await proxy!.close();

    const { client } = await through(() => 'hang', { timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    const started = Date.now();
    const error = await client.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect((error as ApiTimeoutError).attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('retries 503 with backoff; after the last attempt throws the ApiError', async () => {
    const recovering = await through((i) => (i < 2 ? 'respond-503' : 'forward'));
    expect((await recovering.client.ping()).scopes.length).toBeGreaterThan(0);
    expect(recovering.retries.map((r) => [r.reason, r.status])).toEqual([
      ['server-error', 503],
      ['server-error', 503],
    ]);
    await proxy!.close();

    const { client } = await through(() => 'respond-503', { retry: { maxAttempts: 2, baseDelayMs: 10 } });
    await expect(client.ping()).rejects.toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      requestId: 'proxy-503',
    });
    const noRetry = await through(() => 'respond-503', { retry: false });
    await expect(noRetry.client.ping()).rejects.toBeInstanceOf(ApiError);
    expect(noRetry.proxy.connections).toHaveLength(1);
  });

  it('stops waiting between attempts as soon as the AbortSignal fires', async () => {
    const { client, proxy } = await through(() => 'destroy', {
      retry: { maxAttempts: 10, baseDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 200);
    const started = Date.now();
    await expect(client.logs.list({}, { signal: controller.signal })).rejects.toThrow('caller gave up');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(proxy.connections).toHaveLength(1);
  });

  it('aborts a request in flight', async () => {
    const { client } = await through(() => 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    await expect(client.ping({ signal: controller.signal })).rejects.toThrow('cancelled');
  });

  it('never retries a request that is not a GET', async () => {
    proxy = await startFlakyProxy(server.url, () => 'destroy');
    const retries: RetryEvent[] = [];
    const fetcher = createRetryingFetcher({
      fetch: globalThis.fetch,
      timeoutMs: 5_000,
      retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1_000 },
      onRetry: (event) => retries.push(event),
    });
    const route = { method: 'POST', path: '/api/v1/ping', responses: {}, body: null } as unknown as AppRoute;
    await expect(
      fetcher({
        route,
        path: `${proxy.url}/api/v1/ping`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        rawBody: {},
        rawQuery: undefined,
        contentType: 'application/json',
      }),
    ).rejects.toBeInstanceOf(ApiConnectionError);
    expect(proxy.connections).toHaveLength(1);
    expect(retries).toEqual([]);
  });
});
