import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestKey, type TestServer } from './support/test-server';

describe('errors, headers and unknown routes', () => {
  let database: TestDatabase;
  let server: TestServer;
  let key: TestKey;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database);
    key = await createTenantWithKey(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  const expectRateLimitHeaders = (res: Response) => {
    expect(Number(res.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const now = Date.now() / 1000;
    expect(reset).toBeGreaterThanOrEqual(Math.floor(now));
    expect(reset).toBeLessThanOrEqual(Math.ceil(now) + 60);
  };

  it.each(['/api/v1/nope', '/nope', '/api/v2/ping', '/api'])(
    'answers %s with a 404 envelope and rate-limit headers',
    async (path) => {
      for (const headers of [{}, { authorization: `Bearer ${key.secret}` }] as Record<string, string>[]) {
        const res = await fetch(`${server.url}${path}`, { headers });
        expect(res.status).toBe(404);
        const body = await res.json();
        expect(body).toEqual({
          error: { code: 'NOT_FOUND', message: expect.any(String), requestId: res.headers.get('x-request-id') },
        });
        expectRateLimitHeaders(res);
      }
    },
  );

  it('puts rate-limit headers and X-Request-Id on 200 and 401 responses', async () => {
    for (const headers of [{ authorization: `Bearer ${key.secret}` }, {}] as Record<string, string>[]) {
      const res = await fetch(`${server.baseUrl}/ping`, { headers });
      expectRateLimitHeaders(res);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('echoes a well-formed inbound X-Request-Id and replaces a malformed one', async () => {
    const good = await fetch(`${server.baseUrl}/ping`, { headers: { 'x-request-id': 'siem-poll-42.abc_DEF~' } });
    expect(good.headers.get('x-request-id')).toBe('siem-poll-42.abc_DEF~');
    expect(((await good.json()) as { error: { requestId: string } }).error.requestId).toBe('siem-poll-42.abc_DEF~');
    const bad = await fetch(`${server.baseUrl}/ping`, { headers: { 'x-request-id': 'has spaces <and> "quotes"' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names unknown query parameters in a VALIDATION_ERROR', async () => {
    const res = await fetch(`${server.baseUrl}/ping?severty=high`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        details: [{ parameter: 'severty', message: expect.stringContaining('not a query parameter') }],
      },
    });
  });

  it('ignores conditional request headers: always a full response, never an empty 304', async () => {
    const conditional: Record<string, string>[] = [
      { 'if-none-match': '*' },
      { 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() },
    ];
    for (const headers of conditional) {
      const res = await fetch(`${server.baseUrl}/ping`, {
        headers: { ...headers, authorization: `Bearer ${key.secret}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ data: { keyId: key.keyId } });
    }
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await fetch(`${server.baseUrl}/ping`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await fetch(`${server.baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, { get: { operationId: string } }> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/ping']?.get.operationId).toBe('ping');
  });

  it('has liveness and readiness probes outside /api/v1', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});
