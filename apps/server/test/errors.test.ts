import { generateOpenApiDocument } from '@1security/contract/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesOpenApi } from './support/openapi-validator';
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
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/ping']?.get.operationId).toBe('ping');
  });

  it('has liveness and readiness probes outside /api/v1', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers another method on a documented path with 405 and Allow, as the document says', async () => {
    const description = generateOpenApiDocument().info.description as string;
    expect(description).toContain('405 METHOD_NOT_ALLOWED with an `Allow: GET, HEAD` header');
    const paths = [
      '/ping',
      '/logs',
      '/logs/changes',
      '/logs/01J2Z3K4M5N6P7Q8R9S0T1V2W3',
      '/security-alerts',
      '/openapi.json',
    ];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of paths) {
        for (const headers of [{}, { authorization: `Bearer ${key.secret}` }] as Record<string, string>[]) {
          const res = await fetch(`${server.baseUrl}${path}`, { method, headers });
          expect(res.status, `${method} ${path}`).toBe(405);
          expect(res.headers.get('allow')).toBe('GET, HEAD');
          const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
          expect(body.error).toEqual({
            code: 'METHOD_NOT_ALLOWED',
            message: `${method} is not allowed on this path; it allows GET, HEAD.`,
            requestId: res.headers.get('x-request-id'),
          });
          expectMatchesOpenApi('/ping', 401, body); // the one error envelope, its code included
          expectRateLimitHeaders(res);
        }
      }
    }
    const head = await fetch(`${server.baseUrl}/ping`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(head.status).toBe(200);
    // A path that does not exist stays a 404 whatever the method.
    expect((await fetch(`${server.baseUrl}/nope`, { method: 'POST' })).status).toBe(404);
  });

  it('answers an undecodable path with a 400 carrying the rate-limit headers, key or no key', async () => {
    for (const headers of [{}, { authorization: `Bearer ${key.secret}` }] as Record<string, string>[]) {
      const res = await fetch(`${server.baseUrl}/logs/%zz`, { headers });
      expect(res.status).toBe(400);
      expectRateLimitHeaders(res);
      expectMatchesOpenApi('/logs/{id}', 400, await res.json());
    }
  });

  it('routes strictly: paths are case-sensitive and take no trailing slash', async () => {
    const headers = { authorization: `Bearer ${key.secret}` };
    for (const path of [
      '/LOGS',
      '/Logs',
      '/logs/',
      '/ping/',
      '/PING',
      '/logs/CHANGES/',
      '/monitoring-alerts/changes/',
    ]) {
      const res = await fetch(`${server.baseUrl}${path}`, { headers });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
    expect((await fetch(`${server.url}/API/V1/ping`, { headers })).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/logs`, { headers })).status).toBe(200);
  });

  it.each([
    ['since', '2026-02-30T00:00:00Z'],
    ['since', '2026-11-31T12:00:00Z'],
    ['until', '2025-02-29T00:00:00Z'],
    ['since', '2026-06-05T24:00:00Z'],
    ['since', '2026-06-05T09:60:00Z'],
    ['until', '2026-06-05T09:12Z'],
    ['since', '2026-06-05T09:12:00+24:00'],
  ])('rejects the impossible or incomplete date-time %s=%s with a 400 naming the value', async (name, value) => {
    const res = await fetch(`${server.baseUrl}/logs?${name}=${encodeURIComponent(value)}`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; details: Array<{ parameter: string; message: string }> };
    };
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details).toEqual([{ parameter: name, message: expect.stringContaining(JSON.stringify(value)) }]);
  });

  it('accepts every real date-time: a leap day, a fraction, an offset', async () => {
    for (const value of ['2024-02-29T23:59:59Z', '2026-06-05T09:12:44.123456789Z', '2026-06-05T09:12:44-05:30']) {
      const res = await fetch(`${server.baseUrl}/logs?since=${encodeURIComponent(value)}`, {
        headers: { authorization: `Bearer ${key.secret}` },
      });
      expect(res.status, value).toBe(200);
    }
  });

  it.each([
    ['/logs', 'severity', 'high,'],
    ['/logs', 'severity', ',high'],
    ['/monitoring-alerts', 'status', 'open,,resolved'],
    ['/logs/changes', 'workload', 'SharePoint,'],
    ['/security-alerts', 'serviceSource', 'microsoftSentinel,'],
  ])('rejects a list with an empty item (%s?%s=%s) with a 400 naming the value', async (path, name, value) => {
    const res = await fetch(`${server.baseUrl}${path}?${name}=${encodeURIComponent(value)}`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: Array<{ parameter: string; message: string }> } };
    expect(body.error.details).toEqual([{ parameter: name, message: expect.stringContaining(JSON.stringify(value)) }]);
  });

  it('takes list values exactly as sent: a value with a space is not trimmed into a known one', async () => {
    const res = await fetch(`${server.baseUrl}/logs?severity=${encodeURIComponent('high, critical')}`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { details: [{ parameter: 'severity', message: expect.stringContaining('unknown value " critical"') }] },
    });
  });
});
