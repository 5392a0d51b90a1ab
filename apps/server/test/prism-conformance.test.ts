import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACTOR_TYPES,
  MONITORING_ALERT_STATUSES,
  SECURITY_ALERT_CLASSIFICATIONS,
  SECURITY_ALERT_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
} from '@1security/contract';
import { generateOpenApiDocument } from '@1security/contract/openapi';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  at,
  insertLogs,
  insertMonitoringAlerts,
  insertSecurityAlerts,
  makeLogEvent,
  makeMonitoringAlert,
  makeSecurityAlert,
} from './support/factories';
import { expectMatchesOpenApi } from './support/openapi-validator';
import { accepts, freePort, waitFor } from './support/private-services';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { createKey, createTenantWithKey, startTestServer, type TestKey, type TestServer } from './support/test-server';

/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is plain JSON */

/**
 * A third-party validating proxy, Stoplight Prism (`prism proxy --errors`), stands between the
 * crawl and the real server and checks every request and every response (status, headers, body)
 * against the served OpenAPI document. The crawl is derived from the document: every operation,
 * every parameter alone and in pairs and all together, valid and invalid values made from each
 * parameter's own schema, full pagination of every list and feed, every detail, and the error
 * paths (400, 401, 403, 404, 429).
 *
 * A request the document calls invalid is refused by Prism itself (422): the same request sent
 * straight to the server must then be a 400 naming the parameter, with a body the document
 * describes. Prism lets a few invalid inputs through (it reads an empty value as absent); those
 * reach the server, which must answer 400, and Prism checks that answer like any other.
 */

const PRISM = fileURLToPath(new URL('../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));
const PRISM_ERROR = 'https://stoplight.io/prism/errors#';
const PAGE = 4;

const doc = generateOpenApiDocument();

interface Parameter {
  name: string;
  in: string;
  schema: any;
  example?: unknown;
}

interface Operation {
  path: string;
  parameters: Parameter[];
  scope: string | undefined;
}

const OPERATIONS: Operation[] = Object.entries<any>(doc.paths).map(([path, item]) => ({
  path,
  parameters: item.get.parameters ?? [],
  scope: item.get['x-required-scope'],
}));
const query = (operation: Operation) => operation.parameters.filter((p) => p.in === 'query');
const has = (operation: Operation, name: string) => query(operation).some((p) => p.name === name);
const LISTS = OPERATIONS.filter((o) => !o.path.includes('{') && has(o, 'cursor'));

/** `2026-06-05T00:00:00Z` → a variant with other date, time or zone fields. */
function dateTimeVariant(example: string, change: { date?: string; time?: string; zone?: string }): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(.*)$/.exec(example);
  if (!match) throw new Error(`the document's date-time example ${example} is not RFC 3339`);
  return `${change.date ?? match[1]}T${change.time ?? match[2]}${change.zone ?? match[3]}`;
}

/** Valid and invalid values for a parameter, made from its schema and example in the document. */
function valuesFor(parameter: Parameter): { valid: string[]; invalid: string[] } {
  const { schema } = parameter;
  const example = parameter.example ?? schema.example;
  if (schema.type === 'array') {
    const items = schema.items ?? {};
    const samples: string[] = items.enum ?? (example as string[]);
    const [first, second] = [samples[0]!, samples[1] ?? samples[0]!];
    const invalid = [`${first},`, `,${first}`, `${first},,${second}`, ''];
    if (items.enum)
      invalid.push('no-such-value', first.toUpperCase() === first ? first.toLowerCase() : first.toUpperCase());
    if (schema.maxItems) invalid.push(Array.from({ length: schema.maxItems + 1 }, (_, i) => `v${i}`).join(','));
    if (items.maxLength) invalid.push('x'.repeat(items.maxLength + 1));
    return { valid: [...samples, samples.join(',')], invalid };
  }
  if (schema.type === 'boolean') return { valid: ['true', 'false'], invalid: ['TRUE', '1', 'yes', ''] };
  if (schema.type === 'integer') {
    const valid = [schema.minimum, schema.maximum, schema.default, example].filter((v) => v !== undefined).map(String);
    return {
      valid: [...new Set(valid)],
      // Plain digits only, as the description says: other spellings of a number are 400s too.
      invalid: [String(schema.minimum - 1), String(schema.maximum + 1), '1.5', '1e2', '+1', '1.0', 'ten', ''],
    };
  }
  if (schema.enum) {
    return { valid: schema.enum, invalid: [String(schema.enum[0]).toUpperCase(), 'sideways', ''] };
  }
  if (schema.format === 'date-time') {
    const ex = String(example);
    const year = ex.slice(0, 4);
    return {
      valid: [
        ex,
        dateTimeVariant(ex, { time: '09:12:44.123456Z', zone: '' }),
        dateTimeVariant(ex, { zone: '+02:00' }),
        dateTimeVariant(ex, { date: '2024-02-29' }),
      ],
      invalid: [
        dateTimeVariant(ex, { date: `${year}-02-30` }),
        dateTimeVariant(ex, { date: `${year}-11-31` }),
        dateTimeVariant(ex, { date: '2025-02-29' }),
        dateTimeVariant(ex, { date: `${year}-13-01` }),
        dateTimeVariant(ex, { time: '24:00:00' }),
        dateTimeVariant(ex, { time: '09:60:00' }),
        dateTimeVariant(ex, { time: '09:12' }),
        dateTimeVariant(ex, { zone: '' }),
        dateTimeVariant(ex, { zone: '+24:00' }),
        ex.slice(0, 10),
        'yesterday',
        '',
      ],
    };
  }
  if (schema.type === 'string') {
    const valid = example === undefined ? [] : [String(example)];
    if (schema.maxLength) valid.push('a'.repeat(schema.maxLength));
    const invalid = [''];
    if (schema.maxLength) invalid.push('a'.repeat(schema.maxLength + 1));
    return { valid, invalid };
  }
  throw new Error(`no values for parameter ${parameter.name} (${JSON.stringify(schema)}): teach the crawl its type`);
}

/** The schema of a list's items, through the document's references. */
function itemSchemaOf(path: string): any {
  const resolve = (schema: any) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
  const list = resolve(doc.paths[path].get.responses['200'].content['application/json'].schema);
  return resolve(list.properties.data.items);
}

function admitsNull(schema: any): boolean {
  return (
    (Array.isArray(schema.type) && schema.type.includes('null')) ||
    (schema.anyOf ?? []).some((s: any) => s.type === 'null')
  );
}

function url(path: string, params: Array<[string, string]> = []): string {
  const search = new URLSearchParams(params).toString();
  return search ? `${path}?${search}` : path;
}

describe('the OpenAPI document, enforced by Stoplight Prism in front of the real server', () => {
  let database: TestDatabase;
  let server: TestServer;
  let prism: ChildProcess;
  let prismUrl: string;
  let prismOutput = '';
  let docDir: string;
  let key: TestKey;
  let logsOnly: TestKey;
  let slow: TestKey;
  /** This test's violations; `counts` keeps the totals of the whole crawl. */
  let violations: string[] = [];
  const counts = { prism: 0, refusedByPrism: 0, direct: 0, violations: 0 };
  /** Every id each list served, by list path: the details to fetch. */
  const idsByList = new Map<string, string[]>();

  beforeAll(async () => {
    database = await createTestDatabase();
    // The crawl is some 850 requests within a minute from one key and one address.
    server = await startTestServer(database, { rateLimitPerMinute: 100_000, authFailuresPerMinute: 10_000 });
    key = await createTenantWithKey(database);
    logsOnly = await createKey(database, key.tenantId, { scopes: ['logs:read'] });
    slow = await createKey(database, key.tenantId, { rateLimit: 2 });
    await seed(key.tenantId);

    docDir = mkdtempSync(path.join(tmpdir(), 'prism-'));
    const served = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as any;
    // Prism routes on the document's paths; the upstream is the real server's base URL.
    delete served.servers;
    writeFileSync(path.join(docDir, 'openapi.json'), JSON.stringify(served));
    const port = await freePort();
    prismUrl = `http://127.0.0.1:${port}`;
    prism = spawn(
      process.execPath,
      [
        PRISM,
        'proxy',
        path.join(docDir, 'openapi.json'),
        server.baseUrl,
        '--errors',
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prism.stdout!.on('data', (d: Buffer) => (prismOutput = (prismOutput + d.toString()).slice(-20_000)));
    prism.stderr!.on('data', (d: Buffer) => (prismOutput = (prismOutput + d.toString()).slice(-20_000)));
    const exited = new Promise<void>((resolve) => prism.once('exit', () => resolve()));
    await Promise.race([
      waitFor('Prism to listen', () => accepts(port), 120_000),
      exited.then(() => {
        throw new Error(`prism exited during start:\n${prismOutput}`);
      }),
    ]);
  });

  afterAll(async () => {
    if (prism && prism.exitCode === null) {
      const exited = new Promise((resolve) => prism.once('exit', resolve));
      prism.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    await database?.close();
    if (docDir) rmSync(docDir, { recursive: true, force: true });
    console.log(
      `Prism crawl (${process.env.TEST_DB_ENGINE}): ${counts.prism} requests through Prism, ` +
        `${counts.refusedByPrism} of them refused by Prism as the document says, ${counts.direct} sent to the server ` +
        `directly to check its answer to those; ${counts.violations} violations`,
    );
  });

  /** A small tenant where every enum value of every filter matches something. */
  async function seed(tenantId: string) {
    const pick = <T>(values: readonly T[], i: number): T => values[i % values.length]!;
    await insertLogs(
      database.db,
      Array.from({ length: 13 }, (_, i) =>
        makeLogEvent(tenantId, {
          discovered_at: at(i * 60_000),
          severity: pick(SEVERITIES, i),
          actor_type: pick(ACTOR_TYPES, i),
          action: pick(['FileDownloaded', 'FileDeleted', 'UserLoggedIn'], i),
          workload: pick(['SharePoint', 'OneDrive', 'Exchange'], i),
          resource_type: pick(['file', 'folder', 'mailbox'], i),
          actor_ip: i % 4 === 0 ? null : '20.42.73.5',
          resource_name: i % 5 === 0 ? null : 'Q3-forecast.xlsx',
          application_display_name: i % 3 === 0 ? null : 'Microsoft SharePoint',
          raw_data: i % 2 === 0 ? null : JSON.stringify({ Id: `rec-${i}`, Operation: 'FileDownloaded' }),
        }),
      ),
    );
    await insertMonitoringAlerts(
      database.db,
      Array.from({ length: 10 }, (_, i) => {
        const status = pick(MONITORING_ALERT_STATUSES, i);
        return makeMonitoringAlert(tenantId, {
          updated_at: at(i * 60_000),
          severity: pick(SEVERITIES, i),
          status,
          resource_type: pick(['site', 'mailbox'], i),
          assigned_user: JSON.stringify(
            i % 2 === 0 ? null : { id: 'u-7', displayName: 'Sam Analyst', email: 'sam@contoso.com' },
          ),
          last_scan: i % 3 === 0 ? null : at(i * 60_000),
          resolved_at: status === 'resolved' ? at(i * 60_000) : null,
          snoozed_at: status === 'snoozed' ? at(i * 60_000) : null,
          raw_data: i % 2 === 0 ? null : JSON.stringify({ source: 'policy-engine', run: i }),
        });
      }),
    );
    await insertSecurityAlerts(
      database.db,
      Array.from({ length: 9 }, (_, i) =>
        makeSecurityAlert(tenantId, {
          updated_at: at(i * 60_000),
          severity: pick(SEVERITIES, i),
          status: pick(SECURITY_ALERT_STATUSES, i),
          classification: pick([null, ...SECURITY_ALERT_CLASSIFICATIONS], i),
          service_source: pick(SERVICE_SOURCES, i),
          threat_display_name: i % 2 === 0 ? null : 'Forwarding',
          first_activity_at: i % 4 === 0 ? null : at(i * 60_000 - 300_000),
          users: JSON.stringify([{ userPrincipalName: i % 2 ? null : 'jane@contoso.com', displayName: null }]),
        }),
      ),
    );
  }

  function auth(secret = key.secret): Record<string, string> {
    return { authorization: `Bearer ${secret}` };
  }

  beforeEach(() => {
    violations = [];
  });

  function record(request: string, what: string, detail: unknown) {
    counts.violations += 1;
    violations.push(`GET ${request}\n  ${what}\n  ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
  }

  /** One request through Prism: the document must agree with what the server answered. */
  async function viaPrism(
    request: string,
    expectStatus: number,
    headers: Record<string, string> = auth(),
  ): Promise<{ status: number; body: any } | undefined> {
    counts.prism += 1;
    const res = await fetch(`${prismUrl}${request}`, { headers });
    const body: any = await res.json().catch(() => undefined);
    const prismError = typeof body?.type === 'string' && body.type.startsWith(PRISM_ERROR);
    if (prismError || res.headers.get('sl-violations')) {
      record(
        request,
        `Prism: ${res.status} ${body?.title ?? ''}`,
        body?.validation ?? res.headers.get('sl-violations'),
      );
      return undefined;
    }
    if (res.status !== expectStatus) {
      record(request, `expected ${expectStatus}, the server answered ${res.status}`, body);
      return undefined;
    }
    return { status: res.status, body };
  }

  /**
   * A request the document calls invalid: Prism refuses it (422) and the server, asked
   * directly, answers 400 naming the parameter; or Prism lets it through and the server's
   * 400, checked by Prism, names it.
   */
  async function invalidRequest(operation: Operation, request: string, parameter: string, value?: string) {
    counts.prism += 1;
    const res = await fetch(`${prismUrl}${request}`, { headers: auth() });
    const body: any = await res.json().catch(() => undefined);
    let answer: any = body;
    if (res.status === 422 && body?.type === `${PRISM_ERROR}UNPROCESSABLE_ENTITY`) {
      counts.refusedByPrism += 1;
      counts.direct += 1;
      const direct = await fetch(`${server.baseUrl}${request}`, { headers: auth() });
      answer = await direct.json();
      if (direct.status !== 400)
        return record(request, `Prism refused it; the server answered ${direct.status}`, answer);
      try {
        expectMatchesOpenApi(operation.path, 400, answer);
      } catch (err) {
        return record(request, 'the server 400 does not match the document', (err as Error).message);
      }
    } else if (typeof body?.type === 'string' && body.type.startsWith(PRISM_ERROR)) {
      return record(request, `Prism: ${res.status} ${body.title}`, body.validation ?? body.detail);
    } else if (res.status !== 400) {
      return record(request, `Prism let it through and the server answered ${res.status}`, body);
    }
    const details: Array<{ parameter: string; message: string }> = answer?.error?.details ?? [];
    const named = details.find((d) => d.parameter === parameter);
    if (answer?.error?.code === 'VALIDATION_ERROR' && !named) {
      return record(request, `the 400 does not name ${parameter}`, answer);
    }
    // A malformed value is quoted back, so the caller sees which one.
    if (
      named &&
      value &&
      value.length <= 64 &&
      /,$|^,|,,|\d{4}-\d{2}-\d{2}T/.test(value) &&
      !named.message.includes(value)
    ) {
      record(request, `the 400 does not quote the value ${JSON.stringify(value)}`, named);
    }
  }

  function expectNoViolations() {
    expect(violations, `${violations.length} violations:\n${violations.slice(0, 40).join('\n')}`).toEqual([]);
  }

  it('agrees on every parameter alone, in pairs and all together, valid and invalid', async () => {
    for (const operation of OPERATIONS.filter((o) => !o.path.includes('{'))) {
      await viaPrism(operation.path, 200);
      const parameters = query(operation).filter((p) => p.name !== 'cursor');
      for (const parameter of parameters) {
        const { valid, invalid } = valuesFor(parameter);
        for (const value of valid) await viaPrism(url(operation.path, [[parameter.name, value]]), 200);
        for (const value of invalid) {
          await invalidRequest(operation, url(operation.path, [[parameter.name, value]]), parameter.name, value);
        }
      }
      const firstValid = (p: Parameter): [string, string] => [p.name, valuesFor(p).valid[0]!];
      for (let i = 0; i < parameters.length; i += 1) {
        for (let j = i + 1; j < parameters.length; j += 1) {
          await viaPrism(url(operation.path, [firstValid(parameters[i]!), firstValid(parameters[j]!)]), 200);
        }
      }
      await viaPrism(url(operation.path, parameters.map(firstValid)), 200);
      // Rules between parameters, stated on them in the document.
      if (has(operation, 'since') && has(operation, 'until')) {
        for (const until of ['2026-06-05T00:00:00Z', '2026-06-04T00:00:00Z']) {
          await invalidRequest(
            operation,
            url(operation.path, [
              ['since', '2026-06-05T00:00:00Z'],
              ['until', until],
            ]),
            'until',
          );
        }
      }
      await invalidRequest(operation, url(operation.path, [['noSuchParameter', '1']]), 'noSuchParameter');
      if (has(operation, 'cursor')) {
        await invalidRequest(operation, url(operation.path, [['cursor', '']]), 'cursor');
        await viaPrism(url(operation.path, [['cursor', 'not-a-cursor']]), 400);
      }
    }
    expectNoViolations();
  });

  it('agrees on full pagination of every list and feed, and on every item', async () => {
    for (const operation of LISTS) {
      const isFeed = has(operation, 'from');
      // With include=rawData, so that Prism also checks the opt-in field (and its nulls).
      const all = await viaPrism(
        url(operation.path, [
          ['limit', '1000'],
          ['include', 'rawData'],
        ]),
        200,
      );
      const total = all?.body.data.length as number;
      expect(total, operation.path).toBeGreaterThan(PAGE);
      // Prism saw null in every field the document says may be null (the seed has one of each).
      const item = itemSchemaOf(operation.path);
      const nullable = Object.keys(item.properties).filter((name) => admitsNull(item.properties[name]));
      const seenNull = nullable.filter((name) => all?.body.data.some((row: any) => row[name] === null));
      expect(nullable.length, `${operation.path} has nullable fields`).toBeGreaterThan(0);
      expect(seenNull, `${operation.path}: seed a null for each nullable field`).toEqual(nullable);
      for (const extra of isFeed ? [[]] : [[], [['order', 'asc']]]) {
        const ids: string[] = [];
        let cursor: string | null | undefined;
        let previousCursor: string | undefined;
        for (let page = 0; page < 100; page += 1) {
          const params = [...(extra as Array<[string, string]>), ['limit', String(PAGE)] as [string, string]];
          if (cursor) params.push(['cursor', cursor]);
          const res = await viaPrism(url(operation.path, params), 200);
          if (!res) break;
          ids.push(...res.body.data.map((item: { id: string }) => item.id));
          previousCursor = cursor ?? undefined;
          cursor = res.body.pagination.nextCursor;
          if (!res.body.pagination.hasMore) break;
        }
        expect(new Set(ids).size, `${operation.path} ${JSON.stringify(extra)}`).toBe(ids.length);
        expect(ids.length, `${operation.path} ${JSON.stringify(extra)}`).toBe(total);
        if (isFeed) {
          expect(cursor, `${operation.path}: a feed's nextCursor is never null`).toEqual(expect.any(String));
          await invalidRequest(
            operation,
            url(operation.path, [
              ['from', '2026-06-05T00:00:00Z'],
              ['cursor', previousCursor ?? cursor!],
            ]),
            'from',
          );
        }
        idsByList.set(operation.path, ids);
      }
    }
    // A list's cursor sent to its feed, and the reverse: INVALID_CURSOR.
    for (const list of LISTS.filter((o) => !has(o, 'from'))) {
      const feed = LISTS.find((o) => o.path === `${list.path}/changes`)!;
      const page = await viaPrism(url(list.path, [['limit', '1']]), 200);
      const listCursor = page?.body.pagination.nextCursor as string;
      const res = await viaPrism(url(feed.path, [['cursor', listCursor]]), 400);
      expect(res?.body.error.code).toBe('INVALID_CURSOR');
    }

    for (const operation of OPERATIONS.filter((o) => o.path.includes('{'))) {
      const list = operation.path.replace(/\/\{id\}$/, '');
      const ids = idsByList.get(list) ?? [];
      expect(ids.length, `ids for ${operation.path}`).toBeGreaterThan(0);
      for (const id of ids) await viaPrism(operation.path.replace('{id}', id), 200);
      for (const id of ['01J2Z3K4M5N6P7Q8R9S0T1V2W3', 'not-an-id']) {
        await viaPrism(operation.path.replace('{id}', id), 404);
      }
    }
    expectNoViolations();
  });

  it('agrees on 401, 403 and 429, on every endpoint', async () => {
    for (const operation of OPERATIONS) {
      const request = operation.path.replace('{id}', '01J2Z3K4M5N6P7Q8R9S0T1V2W3');
      await viaPrism(request, 401, { authorization: 'Bearer 1sec_live_not-a-real-key' });
      await viaPrism(request, 401, { 'x-api-key': '1sec_live_not-a-real-key' });
      if (operation.scope && operation.scope !== 'logs:read') await viaPrism(request, 403, auth(logsOnly.secret));
      // No credentials at all: Prism answers for the server (the document requires one);
      // the server's own answer must be the documented 401.
      counts.prism += 1;
      const res = await fetch(`${prismUrl}${request}`);
      if (res.status !== 401) record(request, `without a key Prism answered ${res.status}`, await res.text());
      counts.direct += 1;
      const direct = await fetch(`${server.baseUrl}${request}`);
      expect(direct.status).toBe(401);
      expectMatchesOpenApi(operation.path, 401, await direct.json());
    }
    let limited: { status: number; body: any } | undefined;
    for (let i = 0; i < 5 && !limited; i += 1) {
      counts.prism += 1;
      const res = await fetch(`${prismUrl}/ping`, { headers: auth(slow.secret) });
      const body: any = await res.json();
      if (typeof body?.type === 'string' && body.type.startsWith(PRISM_ERROR)) {
        record('/ping', `Prism: ${res.status} ${body.title}`, body.validation);
        break;
      }
      if (res.status === 429) limited = { status: res.status, body };
    }
    expect(limited?.body.error.code, 'a key with a rate limit of 2 is limited').toBe('RATE_LIMITED');
    expectNoViolations();
    expect(counts.prism).toBeGreaterThan(300);
  });
});
