import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESSION_THRESHOLD_BYTES } from '../src/app';
import { insertLogs, makeLogEvent } from './support/factories';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestServer } from './support/test-server';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes on the wire, still encoded. */
  bytes: Buffer;
}

/** node:http, which (unlike fetch) neither asks for nor decodes compression by itself. */
function get(url: string, headers: Record<string, string>, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(raw: Raw): string {
  const encoding = raw.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(raw.bytes).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(raw.bytes).toString('utf8');
  if (encoding === undefined) return raw.bytes.toString('utf8');
  throw new Error(`unexpected content-encoding ${encoding}`);
}

describe(`response compression (${ENGINE})`, () => {
  let database: TestDatabase;
  let server: TestServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database);
    const key = await createTenantWithKey(database);
    auth = { authorization: `Bearer ${key.secret}` };
    await insertLogs(
      database.db,
      Array.from({ length: 1000 }, (_, i) => makeLogEvent(key.tenantId, { actor_name: `user${i}@contoso.com` })),
    );
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  const page = `/logs?limit=1000`;

  it('compresses a 1,000-item page as Accept-Encoding asks, ≥ 5× smaller, to the same JSON', async () => {
    const plain = await get(`${server.baseUrl}${page}`, auth);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.bytes.length);
    const items = (JSON.parse(plain.bytes.toString('utf8')) as { data: unknown[] }).data;
    expect(items).toHaveLength(1000);

    for (const [acceptEncoding, expected] of [
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['gzip, deflate, br', 'br'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
      ['identity', undefined],
      ['compress', undefined],
    ] as const) {
      const res = await get(`${server.baseUrl}${page}`, { ...auth, 'accept-encoding': acceptEncoding });
      expect([acceptEncoding, res.status, res.headers['content-encoding']]).toEqual([acceptEncoding, 200, expected]);
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect((JSON.parse(decoded(res)) as { data: unknown[] }).data).toEqual(items);
      if (expected) {
        // Streamed: the length of the compressed body is not known up front.
        expect(res.headers['content-length']).toBeUndefined();
        expect(plain.bytes.length / res.bytes.length).toBeGreaterThanOrEqual(5);
      }
    }
  });

  it(`leaves bodies under ${COMPRESSION_THRESHOLD_BYTES} bytes, errors and HEAD alone`, async () => {
    const ping = await get(`${server.baseUrl}/ping`, { ...auth, 'accept-encoding': 'gzip, br' });
    expect(ping.status).toBe(200);
    expect(ping.bytes.length).toBeLessThan(COMPRESSION_THRESHOLD_BYTES);
    expect(ping.headers['content-encoding']).toBeUndefined();
    expect(Number(ping.headers['content-length'])).toBe(ping.bytes.length);

    const unauthenticated = await get(`${server.baseUrl}${page}`, { 'accept-encoding': 'gzip' });
    expect(unauthenticated.status).toBe(401);
    expect(JSON.parse(decoded(unauthenticated))).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });

    const head = await get(`${server.baseUrl}${page}`, { ...auth, 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
  });
});
