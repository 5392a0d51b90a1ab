import http from 'node:http';
import { generateOpenApiDocument } from '@1security/contract/openapi';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { startServer, type RunningServer } from '../src/server';
import {
  at,
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { captureLogs, type CapturedLogger } from './support/log-capture';
import { expectMatchesOpenApi } from './support/openapi-validator';
import { percentEncode, rawHeaderText, rawPathText, rawRequest, rawUtf8, type RawResponse } from './support/raw-http';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createKey, createTenantWithKey, type TestKey } from './support/test-server';

/**
 * Property-based fuzzing of every endpoint's query string, path and headers, sent as raw bytes.
 * Whatever arrives, the server answers with a status below 500, an X-Request-Id, and either a
 * 200 body or the error envelope, both as the served OpenAPI document declares them; a 200 never
 * carries another tenant's item. FUZZ_RUNS scales the number of cases per endpoint.
 */

const API = '/api/v1';
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
/** Cases sent at once (one fast-check run is a batch): keeps the server busy while staying in order. */
const BATCH = 8;
/** Node refuses a request head over 16 KB before the app sees it (tested on its own below). */
const MAX_PATH = 11_000;
const MAX_HEADER = 1_500;

/* eslint-disable @typescript-eslint/no-explicit-any -- walking the OpenAPI document */
const doc = generateOpenApiDocument() as any;
interface Parameter {
  name: string;
  in: string;
  schema: { type?: string; enum?: string[]; items?: { enum?: string[] }; format?: string };
}
const TEMPLATES = Object.keys(doc.paths) as string[];
const parametersOf = (template: string): Parameter[] => doc.paths[template].get.parameters ?? [];
/* eslint-enable @typescript-eslint/no-explicit-any */

const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** The contract route Express would pick for a raw path (case-insensitive, optional trailing slash), if any. */
function routeOf(rawPath: string): string | undefined {
  let path = rawPath.split('?')[0]!;
  if (!path.toLowerCase().startsWith(`${API}/`)) return undefined;
  path = path.slice(API.length);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const lower = path.toLowerCase();
  const exact = TEMPLATES.find((t) => !t.includes('{') && t === lower);
  if (exact) return exact;
  const detail = /^\/(logs|monitoring-alerts|security-alerts)\/([^/]+)$/.exec(lower);
  if (detail && detail[2] !== 'changes') return `/${detail[1]}/{id}`;
  return undefined;
}

// --- values --------------------------------------------------------------------------------

const HOSTILE = [
  "' OR '1'='1",
  "'; DROP TABLE log_events; --",
  '" OR ""="',
  '\\',
  "\\'",
  '%',
  '%%',
  '%00',
  '%zz',
  '%E0%A4',
  '%C0%AF',
  '{"$gt":""}',
  '{"a":1}',
  '[1,2]',
  '[]',
  '{}',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e3',
  '1e309',
  '0x10',
  '1.5',
  ' 7',
  '+7',
  '007',
  '9'.repeat(40),
  'true',
  'false',
  'TRUE',
  '1',
  'yes',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '..%2F..%2F',
  ',',
  ',,',
  'high,,low',
  'high,HIGH',
  ' high',
  '2026-02-30T00:00:00Z',
  '2026-06-05T24:00:00Z',
  '2026-06-05T09:00:00+25:00',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '+275760-09-13T00:00:00Z',
  '2026-06-05T09:00:00.1234567891Z',
  '2026-06-05',
  '\u202e\u0000\ufeff',
  '🙂',
  'ǅ',
  '\ud800',
  'a\r\nX-Injected: 1',
  '\n{"level":60,"msg":"forged"}',
];

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'toString',
  'valueOf',
  'hasOwnProperty',
];
const BRACKETS = [
  '',
  '',
  '',
  '[]',
  '[0]',
  '[1]',
  '[25]',
  '[b]',
  '[__proto__]',
  '[constructor][prototype]',
  '[a][b][c][d][e][f][g]',
  '[]=x&a[',
  '.x',
  '[',
  ']',
];

const unicodeText = fc.string({ unit: 'binary', maxLength: 24 });
const asciiText = fc.string({ unit: 'binary-ascii', maxLength: 24 });
const hugeText = fc
  .tuple(fc.integer({ min: 300, max: 4_000 }), fc.constantFrom('x', 'é', '🙂', '%', ',', "'", 'high,', '%41'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

interface Cursors {
  valid: Map<string, string[]>;
}

/** Cursors as an attacker makes them: edited, re-encoded, forged (unsigned), grown. */
function cursorArb(template: string, cursors: Cursors): fc.Arbitrary<string> {
  const valid = cursors.valid.get(template) ?? [];
  const all = [...cursors.valid.values()].flat();
  const forged = fc
    .record({
      v: fc.constantFrom(1, 2, '1', null),
      k: fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()), { maxLength: 3 }),
      f: fc.string(),
    })
    .map(
      (payload) =>
        `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${Buffer.alloc(16).toString('base64url')}`,
    );
  const arbs: Array<fc.Arbitrary<string>> = [
    forged,
    fc.base64String({ maxLength: 200 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,60}\.[A-Za-z0-9_-]{1,30}(\.[A-Za-z0-9_-]{0,5})?$/),
    fc.integer({ min: 1_000, max: 4_000 }).map((n) => 'A'.repeat(n)),
  ];
  if (valid.length > 0) {
    const one = fc.constantFrom(...valid);
    arbs.push(
      one,
      fc.tuple(one, fc.nat(), fc.constantFrom('A', '_', '-', '.', '=', '%', '0')).map(([c, i, ch]) => {
        const p = i % c.length;
        return c.slice(0, p) + ch + c.slice(p + 1);
      }),
      one.map((c) => c.split('.').reverse().join('.')),
      one.map((c) => `${c}.`),
      one.map((c) => c + c),
      one.map((c) => Buffer.from(c).toString('base64')),
    );
  }
  if (all.length > 0) arbs.push(fc.constantFrom(...all));
  return fc.oneof(...arbs);
}

/** Plausible values for one query parameter, from its schema in the OpenAPI document. */
function validValueArb(template: string, parameter: Parameter, cursors: Cursors): fc.Arbitrary<string> {
  const { schema, name } = parameter;
  if (name === 'cursor') return cursorArb(template, cursors);
  if (schema.type === 'array' && schema.items?.enum)
    return fc.subarray(schema.items.enum, { minLength: 1 }).map((v) => v.join(','));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.type === 'integer') return fc.integer({ min: -3, max: 1_003 }).map(String);
  if (schema.type === 'boolean') return fc.constantFrom('true', 'false');
  if (schema.format === 'date-time') {
    return fc
      .tuple(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom('Z', '+02:00', '-05:30'),
      )
      .map(([ms, zone]) => new Date(ms).toISOString().replace('Z', zone === 'Z' ? 'Z' : zone));
  }
  return fc.oneof(
    fc.constantFrom('FileDownloaded', 'SharePoint', 'file', 'jane@contoso.com', 'Jane@Contoso.com', 'a,b'),
    asciiText,
  );
}

const anyValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: unicodeText },
  { weight: 2, arbitrary: asciiText },
  { weight: 1, arbitrary: hugeText },
);

type Encoding = 'percent' | 'raw' | 'plus';

function encodePart(text: string, encoding: Encoding): string {
  if (encoding === 'raw') return rawPathText(text).replace(/#/g, '%23');
  if (encoding === 'plus') return percentEncode(text).replace(/%20/g, '+');
  return percentEncode(text);
}

/** One query parameter as it travels: key (maybe bracketed) and value, each encoded its own way. */
function queryPairArb(template: string, cursors: Cursors): fc.Arbitrary<string> {
  const parameters = parametersOf(template).filter((p) => p.in === 'query');
  const names = parameters.map((p) => p.name);
  const allNames = [
    ...new Set(
      TEMPLATES.flatMap((t) =>
        parametersOf(t)
          .filter((p) => p.in === 'query')
          .map((p) => p.name),
      ),
    ),
  ];
  const key = fc
    .tuple(
      fc.oneof(
        { weight: 6, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constantFrom(...allNames) },
        { weight: 1, arbitrary: fc.constantFrom(...allNames) },
        { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
        { weight: 1, arbitrary: anyValue },
      ),
      fc.constantFrom(...BRACKETS),
    )
    .map(([name, bracket]) => name + bracket);
  const value = (name: string) => {
    const parameter = parameters.find((p) => p.name === name.replace(/[[.].*$/, ''));
    return parameter
      ? fc.oneof(
          { weight: 3, arbitrary: validValueArb(template, parameter, cursors) },
          { weight: 2, arbitrary: anyValue },
        )
      : anyValue;
  };
  return key.chain((k) =>
    fc
      .tuple(
        value(k),
        fc.constantFrom<Encoding>('percent', 'percent', 'percent', 'percent', 'raw', 'plus'),
        fc.constantFrom('=', '=', '=', '', '=='),
      )
      .map(([v, encoding, eq]) => {
        // Bracket syntax travels unencoded, as browsers and qs-style clients send it.
        const [base, ...rest] = k.split(/(?=[[.])/);
        return `${encodePart(base ?? '', encoding)}${encodePart(rest.join(''), 'raw')}${eq}${eq === '' ? '' : encodePart(v, encoding)}`;
      }),
  );
}

interface FuzzCase {
  path: string;
  headers: Record<string, string | string[]>;
  /** The inbound X-Request-Id the response must echo, when one well-formed id was sent. */
  echo?: string;
}

interface Keys {
  good: TestKey;
  other: TestKey;
  revoked: TestKey;
  expired: TestKey;
  logsOnly: TestKey;
}

function credentialArb(keys: Keys): fc.Arbitrary<Record<string, string | string[]>> {
  const secret = fc.oneof(
    { weight: 8, arbitrary: fc.constant(keys.good.secret) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(keys.other.secret, keys.revoked.secret, keys.expired.secret, keys.logsOnly.secret),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^1sec_live_[A-Za-z0-9_-]{43}$/) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        keys.good.secret.slice(0, -1),
        `${keys.good.secret}x`,
        keys.good.secret.toUpperCase(),
        `1sec_test_${keys.good.secret.slice(10)}`,
      ),
    },
    { weight: 1, arbitrary: anyValue.map(rawHeaderText) },
  );
  const scheme = fc.constantFrom(
    'Bearer ',
    'Bearer ',
    'bearer ',
    'BEARER ',
    'Bearer\t',
    'Bearer  ',
    'Basic ',
    'Token ',
    '',
    'Bearer',
  );
  const authorization = fc
    .tuple(scheme, secret, fc.constantFrom('', '', ' ', 'x', ' extra'))
    .map(([s, k, tail]) => `${s}${k}${tail}`);
  return fc.oneof(
    { weight: 6, arbitrary: authorization.map((a) => ({ authorization: a })) },
    { weight: 2, arbitrary: secret.map((k) => ({ 'x-api-key': k })) },
    { weight: 1, arbitrary: fc.tuple(authorization, secret).map(([a, k]) => ({ authorization: a, 'x-api-key': k })) },
    { weight: 1, arbitrary: fc.tuple(secret, secret).map(([a, b]) => ({ 'x-api-key': [a, b] })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

const requestIdArb: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,128}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('a'.repeat(129), '', ' ', 'id with spaces', 'id\twith\ttabs', '../x', 'a/b', 'a%0d%0ab'),
  },
  { weight: 1, arbitrary: anyValue.map(rawHeaderText) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.stringMatching(/^[a-z0-9]{1,20}$/))
      .map(([a, b]) => [a, b]),
  },
);

const extraHeadersArb = fc.dictionary(
  fc.constantFrom(
    'accept',
    'accept-encoding',
    'accept-language',
    'cookie',
    'x-forwarded-for',
    'x-forwarded-proto',
    'origin',
    'referer',
    'user-agent',
    'content-type',
    'if-none-match',
    'range',
    'x-http-method-override',
    '__proto__',
    'constructor',
  ),
  anyValue.map((v) => rawHeaderText(v).slice(0, MAX_HEADER)),
  { maxKeys: 3 },
);

function fuzzCaseArb(
  template: string,
  keys: Keys,
  cursors: Cursors,
  ids: { own: string[]; foreign: string[] },
): fc.Arbitrary<FuzzCase> {
  const query = fc.array(queryPairArb(template, cursors), { maxLength: 7 }).map((pairs) => pairs.join('&'));
  let path: fc.Arbitrary<string>;
  if (template.includes('{id}')) {
    const id = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ids.own).map(encodeURIComponent) },
      { weight: 2, arbitrary: fc.constantFrom(...ids.foreign).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(anyValue, fc.constantFrom<Encoding>('percent', 'raw'))
          .map(([v, e]) => encodePart(v, e).replace(/\//g, '%2F') || 'x'),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'changes',
          'CHANGES',
          '%2e%2e',
          '..',
          '.',
          '%00',
          '%',
          '%ZZ',
          'a%2Fb',
          '01J' + '%'.repeat(3),
          'x'.repeat(3_000),
        ),
      },
    );
    path = id.map((i) => `${API}${template.replace('{id}', i)}`);
  } else {
    path = fc.constant(`${API}${template}`);
  }
  const noisyPath = fc
    .tuple(
      path,
      fc.constantFrom('', '', '', '', '/', '//', '/.', '/%2e', ';x', '%20', '/x', '.json'),
      fc.boolean(),
      fc.nat(9),
    )
    .map(([p, noise, upper, seed]) => {
      const base = upper && seed < 2 ? p.replace(/[a-z]/g, (c) => c.toUpperCase()) : p;
      return base + noise;
    });
  return fc
    .record({
      path: noisyPath,
      query,
      question: fc.constantFrom('?', '?', '?', '??', '?&'),
      credential: credentialArb(keys),
      requestId: requestIdArb,
      extra: extraHeadersArb,
    })
    .map(({ path: p, query: q, question, credential, requestId, extra }) => {
      const full = (q ? `${p}${question}${q}` : p).slice(0, MAX_PATH);
      const headers: Record<string, string | string[]> = { ...extra };
      for (const [name, value] of Object.entries(credential))
        headers[name] = Array.isArray(value) ? value.map((v) => v.slice(0, MAX_HEADER)) : value.slice(0, MAX_HEADER);
      if (requestId !== undefined) headers['x-request-id'] = requestId;
      const echo =
        typeof requestId === 'string' && WELL_FORMED_REQUEST_ID.test(requestId.trim()) ? requestId.trim() : undefined;
      return { path: full, headers, ...(echo ? { echo } : {}) };
    });
}

// --- the server under fuzz -------------------------------------------------------------------

let database: TestDatabase;
let server: RunningServer;
let logs: CapturedLogger;
let keys: Keys;
let agent: http.Agent;
const cursors: Cursors = { valid: new Map() };
const tenants: Array<{ secrets: string[]; ids: string[] }> = [];
const ids = { own: [] as string[], foreign: [] as string[] };
let requests = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  logs = captureLogs('info');
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    demoData: false,
    rateLimitPerMinute: 10_000_000,
    authFailuresPerMinute: 10_000_000,
    anonymousPerMinute: 10_000_000,
    shutdownTimeoutMs: 2_000,
  };
  server = await startServer(config, logs.logger, { database, rateLimitPrefix: `1sec:test:${ulid()}` });
  agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });

  const good = await createTenantWithKey(database);
  const other = await createTenantWithKey(database);
  const revoked = await createKey(database, good.tenantId);
  // Revoked in the table, not through the service: its audit event would be one more log of
  // the tenant, and the fuzz compares the tenant's logs with exactly the rows it inserted.
  await database.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', revoked.keyId).execute();
  const expired = await createKey(database, good.tenantId, { expiresAt: new Date(Date.now() - 60_000) });
  const logsOnly = await createKey(database, good.tenantId, { scopes: ['logs:read'] });
  keys = { good, other, revoked, expired, logsOnly };

  for (const [tenantId, bucket] of [
    [good.tenantId, ids.own],
    [other.tenantId, ids.foreign],
  ] as const) {
    const severities = ['informational', 'low', 'medium', 'high', 'critical'] as const;
    const logRows = await insertLogs(
      database.db,
      severities.map((severity, i) => makeLogEvent(tenantId, { discovered_at: at(i * 1000), severity })),
    );
    const monitoring = await insertMonitoringAlerts(
      database.db,
      severities.map((severity, i) => makeMonitoringAlert(tenantId, { updated_at: at(i * 1000), severity })),
    );
    const security = await insertSecurityAlerts(
      database.db,
      severities.map((severity, i) => makeSecurityAlert(tenantId, { updated_at: at(i * 1000), severity })),
    );
    bucket.push(...[...logRows, ...monitoring, ...security].map((r) => r.id));
  }
  tenants.push(
    { secrets: [good, revoked, expired, logsOnly].map((k) => k.secret), ids: ids.own },
    { secrets: [other.secret], ids: ids.foreign },
  );

  // Real cursors to mutate: one page of one item per list and feed, with and without filters.
  for (const template of TEMPLATES.filter((t) => !t.includes('{') && t !== '/ping')) {
    const found: string[] = [];
    for (const query of ['limit=1', 'limit=1&severity=high,critical,low,medium,informational']) {
      const res = await rawRequest(
        server.url,
        `${API}${template}?${query}`,
        { authorization: `Bearer ${good.secret}` },
        agent,
      );
      const cursor = (JSON.parse(res.body) as { pagination?: { nextCursor?: string } }).pagination?.nextCursor;
      if (cursor) found.push(cursor);
    }
    cursors.valid.set(template, found);
  }
});

afterAll(async () => {
  agent?.destroy();
  await server?.close();
  await database?.close();
});

/** Everything the server must get right whatever it was sent. */
function checkResponse(c: FuzzCase, res: RawResponse): void {
  const context = `${c.path} ${JSON.stringify(c.headers).slice(0, 500)} → ${res.status} ${res.body.slice(0, 500)}`;
  expect(res.status, context).toBeGreaterThanOrEqual(200);
  expect(res.status, context).toBeLessThan(500);
  const requestId = res.headers['x-request-id'];
  expect(requestId, context).toMatch(WELL_FORMED_REQUEST_ID);
  if (c.echo && !Array.isArray(c.headers['x-request-id'])) expect(requestId, context).toBe(c.echo);
  expect(res.headers['content-type'], context).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as { data?: unknown; error?: { code: string; requestId: string } };
  const route = routeOf(c.path);
  if (res.status === 200) {
    expect(route, context).toBeDefined();
    expectMatchesOpenApi(route!, 200, body);
    // Items only ever come from the tenant of a key the request carried.
    const sent = JSON.stringify(c.headers);
    const allowed = new Set(
      tenants.filter((t) => t.secrets.some((secret) => sent.includes(secret))).flatMap((t) => t.ids),
    );
    const items = Array.isArray(body.data) ? body.data : [body.data];
    for (const item of items as Array<{ id?: string }>)
      if (item && item.id !== undefined) expect(allowed.has(item.id), context).toBe(true);
    return;
  }
  expect(body.error?.requestId, context).toBe(requestId);
  // Unknown paths answer the same envelope; /logs/{id} declares every error status.
  expectMatchesOpenApi(route ?? '/logs/{id}', res.status, body);
  // Requests too malformed to route (refused by Node's HTTP parser, or an undecodable path) are
  // answered before any key or client budget is looked at: no rate-limit headers on those.
  const malformed = res.status === 400 && res.body.includes('"parameter":"request"');
  if (route && !malformed) expect(res.headers['x-ratelimit-limit'], context).toMatch(/^\d+$/);
}

/** A network error becomes a response with status 0, which no check accepts. */
function send(c: FuzzCase): Promise<RawResponse> {
  return rawRequest(server.url, c.path, c.headers, agent).catch((err: Error) => ({
    status: 0,
    headers: {},
    body: `network error: ${err.message}`,
  }));
}

/** checkResponse, naming the one case of the batch that failed. */
function checkCase(c: FuzzCase, res: RawResponse): void {
  try {
    checkResponse(c, res);
  } catch (err) {
    const sent = JSON.stringify(c).slice(0, 2_000);
    const received = `${res.status} ${JSON.stringify(res.headers)} ${res.body.slice(0, 500)}`;
    throw new Error(`${(err as Error).message}\n  sent: ${sent}\n  received: ${received}`);
  }
}

async function fuzz(arb: fc.Arbitrary<FuzzCase>, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const responses = await Promise.all(batch.map((c) => send(c)));
      requests += batch.length;
      batch.forEach((c, i) => checkCase(c, responses[i]!));
    }),
    { numRuns: Math.ceil(runs / BATCH) },
  );
}

describe(`fuzzing every endpoint with hostile query strings, paths and headers (${ENGINE})`, () => {
  it.each(TEMPLATES)(`GET %s`, async (template) => {
    await fuzz(fuzzCaseArb(template, keys, cursors, ids), RUNS);
  });

  it('paths outside the contract: probes, the OpenAPI document, unknown routes', async () => {
    const outside = fc
      .tuple(
        fc.constantFrom(
          '/healthz',
          '/readyz',
          `${API}/openapi.json`,
          '/',
          '/api',
          `${API}`,
          `${API}/`,
          '/api/v2/ping',
          '/favicon.ico',
          '/.env',
          `${API}/logs/x/y`,
          `${API}/ping/x`,
        ),
        fc.oneof(
          fc.constant(''),
          fc
            .array(fc.tuple(anyValue, anyValue), { maxLength: 3 })
            .map((pairs) => `?${pairs.map(([k, v]) => `${percentEncode(k)}=${rawPathText(v)}`).join('&')}`),
        ),
        credentialArb(keys),
      )
      .map(([path, query, credential]): FuzzCase => ({
        path: `${path}${query}`.slice(0, MAX_PATH),
        headers: credential,
      }));
    await fc.assert(
      fc.asyncProperty(outside, async (c) => {
        const res = await send(c);
        requests++;
        const path = c.path.split('?')[0];
        // The server's root leads to the docs (landing.test.ts); a request too malformed to
        // route is answered like any other.
        if (path === '/' && res.status === 302) {
          expect(res.headers.location).toMatch(/^\/(docs\/|api\/v1\/openapi\.json)$/);
          return;
        }
        if (res.status === 200 && (path === '/healthz' || path === '/readyz' || path === `${API}/openapi.json`)) {
          expect(res.headers['x-request-id']).toMatch(WELL_FORMED_REQUEST_ID);
          JSON.parse(res.body);
          return;
        }
        checkCase(c, res);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('other methods on every path: the envelope, never a 5xx', async () => {
    const methods = ['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'get', 'Get'];
    const paths = [
      ...TEMPLATES.map((t) => `${API}${t.replace('{id}', ids.own[0]!)}`),
      '/healthz',
      '/readyz',
      `${API}/openapi.json`,
      '/nope',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.constantFrom(...paths),
        credentialArb(keys),
        async (method, path, headers) => {
          const res = await rawRequest(server.url, path, headers, agent, method).catch(
            (err: Error) => ({ status: 0, headers: {}, body: err.message }) as RawResponse,
          );
          requests++;
          const context = `${method} ${path} → ${res.status} ${res.body.slice(0, 300)}`;
          expect(res.status, context).toBeGreaterThanOrEqual(200);
          expect(res.status, context).toBeLessThan(500);
          expect(res.headers['x-request-id'], context).toMatch(WELL_FORMED_REQUEST_ID);
          if (method === 'HEAD') {
            expect(res.body, context).toBe('');
            return;
          }
          // A method other than GET (HEAD aside) matches no route: 404 in the envelope, unless a bad
          // key was sent, which is refused (401) before routing.
          if (method.toUpperCase() !== 'GET') {
            expect([401, 404], context).toContain(res.status);
            expectMatchesOpenApi('/logs/{id}', res.status, JSON.parse(res.body));
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('wrote one well-formed JSON log line per entry, with no secret in any of them', () => {
    expect(requests).toBeGreaterThan(TEMPLATES.length * RUNS * 0.9);
    const secrets = Object.values(keys).map((k) => k.secret);
    for (const line of logs.lines) {
      expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(typeof entry.level).toBe('number');
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
    console.info(`fuzz (${ENGINE}): ${requests} requests, ${logs.lines.length} log lines`);
  });
});

describe(`input the database or Node's HTTP parser cannot take (${ENGINE})`, () => {
  it('never writes a key pasted into the URL to the logs, nor quotes it back in an error', async () => {
    const secret = keys.good.secret;
    for (const path of [
      `/logs?api_key=${secret}`,
      `/logs/${secret}`,
      `/ping?x=${encodeURIComponent(`Bearer ${secret}`)}`,
      `/nope/${secret}`,
    ]) {
      const res = await rawRequest(server.url, `${API}${path}`, {}, agent);
      expect(res.body).not.toContain(secret);
    }
    for (const query of [
      `order=${secret}`,
      `severity=high,${secret}`,
      `${secret}=1`,
      `actor=${'x'.repeat(400)}${secret}`,
    ]) {
      const res = await rawRequest(server.url, `${API}/logs?${query}`, { authorization: `Bearer ${secret}` }, agent);
      expect(res.status).toBe(400);
      expect(res.body, query).not.toContain(secret);
      expect(res.body, query).not.toContain(secret.slice(0, 30));
    }
    const logged = logs.lines.filter((line) => line.includes('1sec_live_'));
    expect(logged.length).toBeGreaterThanOrEqual(4);
    for (const line of logged) expect(line).not.toContain(secret);
  });

  const auth = () => ({ authorization: `Bearer ${keys.good.secret}`, 'x-request-id': 'regression-1' });

  it('answers a NUL character (%00) in a filter or an id with 400 VALIDATION_ERROR naming it, not a database error', async () => {
    const cases: Array<[string, string, string]> = [
      ['/logs', '/logs?actor=jane%00', 'actor'],
      ['/logs', '/logs?action=FileDownloaded,%00', 'action'],
      ['/logs/changes', '/logs/changes?workload=%00', 'workload'],
      ['/monitoring-alerts', '/monitoring-alerts?resourceType=site%00', 'resourceType'],
      ['/logs/{id}', '/logs/01J%00', 'id'],
      ['/security-alerts/{id}', '/security-alerts/%00', 'id'],
    ];
    for (const [route, path, parameter] of cases) {
      const res = await rawRequest(server.url, `${API}${path}`, auth(), agent);
      expect(res.status, path).toBe(400);
      const body = JSON.parse(res.body);
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.details.map((d: { parameter: string }) => d.parameter)).toContain(parameter);
      expectMatchesOpenApi(route, 400, body);
    }
  });

  it('answers what Node refuses to parse (raw non-ASCII URL bytes, a head over 16 KB) with the envelope and an X-Request-Id', async () => {
    for (const path of [`${API}/logs?actor=${rawUtf8('jané')}`, `${API}/logs?actor=${'x'.repeat(20_000)}`]) {
      const res = await rawRequest(server.url, path, auth(), agent);
      expect(res.status).toBe(400);
      expect(res.headers['x-request-id']).toBe('regression-1');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(res.body);
      expect(body).toEqual({
        error: {
          code: 'VALIDATION_ERROR',
          message: expect.any(String),
          details: [{ parameter: 'request', message: expect.any(String) }],
          requestId: 'regression-1',
        },
      });
      expectMatchesOpenApi('/logs', 400, body);
    }
    // The connection is closed after such an answer; the next request is served normally.
    expect((await rawRequest(server.url, `${API}/ping`, auth(), agent)).status).toBe(200);
  });
});
