import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/api-keys/api-keys.service';
import { loadConfig } from '../src/config';
import {
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createKey, createTenantWithKey, startTestServer, type TestKey, type TestServer } from './support/test-server';

const METRICS_TOKEN = 'hot-path-test-metrics-token';
const HOT_PATH_COUNT = /^onesecurity_http_hot_path_requests_total (\d+)$/m;

/** What a client sees of a response: status, headers (but the clock's), body (decoded). */
interface Seen {
  status: number;
  headers: Record<string, string>;
  /** Base64 of the bytes received. */
  body: string;
}

interface Init {
  secret?: string;
  method?: string;
  headers?: Record<string, string>;
}

const text = (seen: Seen) => Buffer.from(seen.body, 'base64').toString('utf8');

/** Headers that differ between two servers by the clock alone: the date, and when each one's rate-limit window ends. */
const CLOCK_HEADERS = new Set(['date', 'x-ratelimit-reset']);

/** Two 200s of a feed that has caught up (`hasMore` false), alike but for their `nextCursor`. */
function differOnlyInCaughtUpCursor(a: Seen, b: Seen): boolean {
  if (a.status !== 200 || b.status !== 200 || a.headers['content-encoding'] || b.headers['content-encoding'])
    return false;
  const page = (seen: Seen) => {
    try {
      return JSON.parse(text(seen)) as { pagination?: { nextCursor?: string; hasMore?: boolean } };
    } catch {
      return undefined;
    }
  };
  const [pa, pb] = [page(a), page(b)];
  if (
    !pa?.pagination ||
    !pb?.pagination ||
    pa.pagination.hasMore ||
    pa.pagination.nextCursor === pb.pagination.nextCursor
  )
    return false;
  const withoutCursor = (seen: Seen, body: object) => ({
    status: seen.status,
    headers: { ...seen.headers, 'content-length': undefined },
    body: JSON.stringify({ ...body, pagination: { ...(body as { pagination: object }).pagination, nextCursor: null } }),
  });
  return JSON.stringify(withoutCursor(a, pa)) === JSON.stringify(withoutCursor(b, pb));
}

/**
 * The hot path (`src/http/hot-path.ts`) against Express: two servers on one database, one with
 * the hot path and one with `HOT_PATH=off`, sent the same requests in the same order (each
 * with its own in-memory rate limiter, so budgets count alike) must answer byte for byte the
 * same — status, every header but the clock's, body — whether the hot path takes the request
 * (lists, feeds, ping; the refusals it renders after spending the budget: 429, a key revoked
 * since, a bad cursor, `since` ≥ `until`) or hands it to Express (a key's first use, a bad
 * parameter, HEAD, a detail, a missing scope). The hot path's own counter tells which requests
 * it took, so a change that stops it taking them fails here too.
 */
describe(`the hot path answers as Express does (${ENGINE})`, () => {
  let database: TestDatabase;
  let hot: TestServer;
  let plain: TestServer;
  let key: TestKey;
  let limited: TestKey;
  let logsOnly: TestKey;
  let revoked: TestKey;
  const agents = new Map<TestServer, http.Agent>();

  beforeAll(async () => {
    database = await createTestDatabase();
    const metrics = { ...loadConfig({}).metrics, token: METRICS_TOKEN };
    const options = { authFailuresPerMinute: 1000, metrics };
    hot = await startTestServer(database, options);
    plain = await startTestServer(database, { ...options, hotPath: false });
    for (const server of [hot, plain]) agents.set(server, new http.Agent({ keepAlive: true }));
    key = await createTenantWithKey(database);
    limited = await createKey(database, key.tenantId, { rateLimit: 3 });
    logsOnly = await createKey(database, key.tenantId, { scopes: ['logs:read'] });
    revoked = await createKey(database, key.tenantId);
    const start = Date.parse('2026-11-01T00:00:00Z');
    await insertLogs(
      database.db,
      Array.from({ length: 40 }, (_, i) =>
        makeLogEvent(key.tenantId, {
          severity: (['informational', 'low', 'medium', 'high', 'critical'] as const)[i % 5],
          discovered_at: new Date(start + i * 60_000),
          occurred_at: new Date(start + i * 60_000 - 5_000),
        }),
      ),
    );
    await insertMonitoringAlerts(
      database.db,
      Array.from({ length: 5 }, () => makeMonitoringAlert(key.tenantId)),
    );
    await insertSecurityAlerts(
      database.db,
      Array.from({ length: 5 }, () => makeSecurityAlert(key.tenantId)),
    );
  });
  afterAll(async () => {
    for (const agent of agents.values()) agent.destroy();
    await hot?.close();
    await plain?.close();
    await database?.close();
  });

  let requestNumber = 0;
  /**
   * One request through node:http, as sent (no Accept-Encoding unless given: fetch would add
   * its own), and the response as received: the body's bytes, compressed or not.
   */
  function send(server: TestServer, path: string, init: Init = {}): Promise<Seen> {
    const headers: Record<string, string> = { 'x-request-id': `hot-path-test-${requestNumber}`, ...init.headers };
    if (init.secret) headers.authorization = `Bearer ${init.secret}`;
    const url = new URL(`${server.baseUrl}${path}`);
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: init.method ?? 'GET', headers, agent: agents.get(server) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const seen: Seen = {
            status: res.statusCode ?? 0,
            headers: {},
            body: Buffer.concat(chunks).toString('base64'),
          };
          for (const [name, value] of Object.entries(res.headers)) {
            if (!CLOCK_HEADERS.has(name)) seen.headers[name] = String(value);
          }
          resolve(seen);
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  const hotPathCount = async () => {
    const res = await fetch(`${hot.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return Number(HOT_PATH_COUNT.exec(await res.text())?.[1] ?? Number.NaN);
  };

  /**
   * Sends the same request to both servers; expects the same answer; returns it and how many
   * times the pair was sent. A caught-up feed page's cursor carries the cluster's snapshot
   * xmin, which other sessions on the shared PostgreSQL may move between the two requests: a
   * pair that differs only there is sent again (at most four times more).
   */
  async function bothCounted(path: string, init: Init = {}): Promise<{ seen: Seen; sends: number }> {
    for (let sends = 1; ; sends++) {
      requestNumber++;
      const [fromHot, fromPlain] = [await send(hot, path, init), await send(plain, path, init)];
      if (sends < 5 && differOnlyInCaughtUpCursor(fromHot, fromPlain)) continue;
      expect({ path, ...fromHot }).toEqual({ path, ...fromPlain });
      return { seen: fromHot, sends };
    }
  }

  const both = async (path: string, init: Init = {}) => (await bothCounted(path, init)).seen;

  /** `both`, and whether the hot path took the request. */
  async function expectTaken(taken: boolean, path: string, init: Init = {}) {
    const before = await hotPathCount();
    const { seen, sends } = await bothCounted(path, init);
    expect({ path, taken: (await hotPathCount()) - before }).toEqual({ path, taken: taken ? sends : 0 });
    return seen;
  }

  const nextCursorOf = (seen: Seen) =>
    (JSON.parse(text(seen)) as { pagination: { nextCursor: string } }).pagination.nextCursor;

  it('answers lists, feeds and ping exactly as Express, once a key is known', async () => {
    const auth = { secret: key.secret };
    // A key's first use on an instance is Express's: it looks the key up and remembers it.
    expect((await expectTaken(false, '/ping', auth)).status).toBe(200);
    for (const path of [
      '/ping',
      '/logs',
      '/logs?limit=5&order=asc',
      '/logs?limit=5&severity=high,critical',
      '/logs?severity=high&severity=low&limit=3',
      '/logs?since=2026-11-01T00:10:00Z&until=2026-11-01T00:20:00Z',
      '/logs/changes?limit=7',
      '/logs/changes?from=2026-11-01T00:00:00Z&limit=2',
      '/monitoring-alerts?limit=2',
      '/monitoring-alerts/changes',
      '/security-alerts?limit=3&order=asc',
      '/security-alerts/changes?limit=1',
      '/logs?include=rawData&limit=2',
    ]) {
      expect([path, (await expectTaken(true, path, auth)).status]).toEqual([path, 200]);
    }
    // Following cursors, page after page, on both kinds of walk.
    for (const first of ['/logs?limit=15', '/logs/changes?limit=15']) {
      let page = await expectTaken(true, first, auth);
      for (let cursor = nextCursorOf(page); cursor; cursor = nextCursorOf(page)) {
        page = await expectTaken(true, `${first.split('?')[0]}?limit=15&cursor=${encodeURIComponent(cursor)}`, auth);
        if (first.includes('changes') && (JSON.parse(text(page)) as { data: unknown[] }).data.length === 0) break;
      }
    }
  });

  it('compresses large pages as Express does, and leaves small ones alone', async () => {
    const auth = { secret: key.secret };
    await both('/ping', auth);
    for (const encoding of ['gzip', 'br', 'identity', 'gzip;q=0, br;q=0.5', '', undefined]) {
      const headers: Record<string, string> = encoding === undefined ? {} : { 'accept-encoding': encoding };
      const large = await expectTaken(true, '/logs?limit=1000', { ...auth, headers });
      // Past the threshold before any compression.
      if (!large.headers['content-encoding']) expect(Buffer.from(large.body, 'base64').length).toBeGreaterThan(2048);
      expect([encoding, large.headers['content-encoding']]).toEqual([
        encoding,
        encoding === 'gzip' ? 'gzip' : encoding?.startsWith('br') || encoding?.includes('br;') ? 'br' : undefined,
      ]);
      const small = await expectTaken(true, '/logs?limit=1', { ...auth, headers });
      expect(small.headers['content-encoding']).toBeUndefined();
      expect(small.headers.vary).toBe('Accept-Encoding');
    }
  });

  it('renders the refusals it meets after spending the budget as Express does', async () => {
    const auth = { secret: key.secret };
    await both('/ping', auth);
    // since ≥ until, an altered cursor, a cursor with from, a cursor of another list: the handler's own 400s.
    const seen = [
      await expectTaken(true, '/logs?since=2026-11-01T00:10:00Z&until=2026-11-01T00:10:00Z', auth),
      await expectTaken(true, '/logs?cursor=not-a-cursor', auth),
    ];
    const feedCursor = nextCursorOf(await expectTaken(true, '/logs/changes?limit=1', auth));
    seen.push(await expectTaken(true, `/logs/changes?from=2026-11-01T00:00:00Z&cursor=${feedCursor}`, auth));
    seen.push(await expectTaken(true, `/security-alerts/changes?cursor=${feedCursor}`, auth));
    expect(seen.map((s) => s.status)).toEqual([400, 400, 400, 400]);

    // A spent budget: 429 with Retry-After, on the hot path as in `authenticate`.
    const statuses: number[] = [];
    statuses.push((await expectTaken(false, '/ping', { secret: limited.secret })).status);
    for (let i = 0; i < 3; i++)
      statuses.push((await expectTaken(true, '/logs?limit=1', { secret: limited.secret })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    // A key revoked after this instance verified it: 401 at the very next request, then forgotten.
    expect((await expectTaken(false, '/logs?limit=1', { secret: revoked.secret })).status).toBe(200);
    expect((await expectTaken(true, '/logs?limit=1', { secret: revoked.secret })).status).toBe(200);
    await revokeApiKey(database.db, { keyId: revoked.keyId });
    expect((await expectTaken(true, '/logs?limit=1', { secret: revoked.secret })).status).toBe(401);
    expect((await expectTaken(false, '/ping', { secret: revoked.secret })).status).toBe(401);
  });

  it('hands Express everything it cannot decide without a side effect', async () => {
    const auth = { secret: key.secret };
    await both('/ping', auth);
    await both('/ping', { secret: logsOnly.secret });
    const cases: Array<[string, Init, number]> = [
      ['/logs?limit=0', auth, 400],
      ['/logs?bogus=1', auth, 400],
      ['/logs?severity=high%00', auth, 400],
      ['/logs?limit=2&limit=3', auth, 400],
      ['/logs/', auth, 404],
      ['/LOGS', auth, 404],
      ['/logs', { ...auth, method: 'HEAD' }, 200],
      ['/logs', { ...auth, method: 'POST' }, 405],
      ['/monitoring-alerts', { secret: logsOnly.secret }, 403],
      ['/logs', { secret: '1sec_live_thisIsNotAKeyOfAnyTenantAtAll_0000000000000' }, 401],
      ['/logs', {}, 401],
    ];
    for (const [path, init, status] of cases) {
      expect([path, init?.method, (await expectTaken(false, path, init)).status]).toEqual([path, init?.method, status]);
    }
  });
});
