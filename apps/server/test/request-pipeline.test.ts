import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { securityHeaders } from '../src/http/security-headers';
import { startServer, type RunningServer } from '../src/server';
import { captureLogs, type CapturedLogger } from './support/log-capture';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey } from './support/test-server';

/** The headers helmet() itself sets, from a bare Express app that uses it. */
async function helmetHeaders(): Promise<Record<string, string>> {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.get('/', (_req, res) => {
    res.end();
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.arrayBuffer();
    const headers = Object.fromEntries(res.headers);
    for (const name of ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])
      delete headers[name];
    return headers;
  } finally {
    server.close();
  }
}

describe('securityHeaders (helmet computed once)', () => {
  it('sets exactly what helmet() sets', async () => {
    const expected = await helmetHeaders();
    const set: Array<[string, unknown]> = [];
    securityHeaders()(
      {} as express.Request,
      {
        setHeader: (name: string, value: unknown) => void set.push([name.toLowerCase(), value]),
        removeHeader: () => undefined,
      } as unknown as express.Response,
      () => undefined,
    );
    expect(Object.fromEntries(set)).toEqual(expected);
  });

  it('refuses options whose headers would depend on the request', () => {
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: [(req) => String(req.url)] } } }),
    ).toThrow(/depend on the request/);
  });
});

describe(`the request pipeline (${ENGINE})`, () => {
  let database: TestDatabase;
  let server: RunningServer;
  let logs: CapturedLogger;
  let secret: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    logs = captureLogs('info');
    const config: Config = { ...loadConfig({}), port: 0, host: '127.0.0.1', demoData: false, shutdownTimeoutMs: 2_000 };
    server = await startServer(config, logs.logger, { database, rateLimitPrefix: `1sec:test:${ulid()}` });
    ({ secret } = await createTenantWithKey(database));
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  const requestLines = (id: string) =>
    logs.entries().filter((e) => (e.req as { id?: unknown } | undefined)?.id === id && 'responseTime' in e);

  it('answers every API response with helmet’s headers and the request id', async () => {
    const expected = await helmetHeaders();
    for (const path of ['/api/v1/ping', '/api/v1/logs?limit=1', '/api/v1/nope']) {
      const res = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${secret}`, 'x-request-id': `hdr-${path.length}` },
      });
      await res.arrayBuffer();
      for (const [name, value] of Object.entries(expected))
        expect(res.headers.get(name), `${path} ${name}`).toBe(value);
      expect(res.headers.get('x-request-id')).toBe(`hdr-${path.length}`);
    }
  });

  it('logs one "request completed" line per request, with the secret in the URL redacted', async () => {
    const id = `log-${ulid()}`;
    const res = await fetch(`${server.url}/api/v1/ping?api_key=${secret}`, {
      headers: { authorization: `Bearer ${secret}`, 'x-request-id': id },
    });
    await res.arrayBuffer();
    // An unknown query parameter: 400, still one "request completed" line (info, not a 5xx).
    expect(res.status).toBe(400);
    await expect.poll(() => requestLines(id).length).toBe(1);
    const [line] = requestLines(id);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id, method: 'GET', url: '/api/v1/ping?api_key=1sec_live_[Redacted]' },
      res: { statusCode: 400 },
      responseTime: expect.any(Number),
      // Authenticated before the query was refused: the line names the caller, never the secret.
      tenantId: expect.any(String),
      keyId: expect.any(String),
    });
    expect(Object.keys(line!)).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'req',
      'res',
      'responseTime',
      'tenantId',
      'keyId',
      'msg',
    ]);
    expect(JSON.stringify(line)).not.toContain(secret);
  });
});
