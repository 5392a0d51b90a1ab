import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestRecords, type Rejection } from '../src/ingest/ingest.service';
import type { IngestFormat, IngestResourceType } from '../src/ingest/ingest.types';
import { MAX_RECORD_CHARS } from '../src/ingest/record-reader';
import { nativeLogRecord } from './support/factories';
import { firstFeedPage, getJson } from './support/http';
import { expectMatchesOpenApi } from './support/openapi-validator';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { createTenantWithKey, startTestServer, type TestKey, type TestServer } from './support/test-server';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database, { rateLimitPerMinute: 1_000_000 });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

function ndjson(records: unknown[]): Readable {
  return Readable.from(records.map((r) => (typeof r === 'string' ? `${r}\n` : `${JSON.stringify(r)}\n`)));
}

async function ingest(
  tenantId: string,
  type: IngestResourceType,
  format: IngestFormat,
  input: Readable,
  batchSize = 2,
) {
  const rejections: Rejection[] = [];
  const summary = await ingestRecords(database.db, {
    tenantId,
    type,
    format,
    input,
    batchSize,
    onRejected: (r) => rejections.push(r),
  });
  return { summary, rejections };
}

const nativeLog = (i: number) => nativeLogRecord(i);

describe(`ingestion (${ENGINE})`, () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await createTenantWithKey(database);
  });

  it('stores native records exactly as given and stamps what they omit', async () => {
    const given = { ...nativeLog(1), id: '01J0GIVEN00000000000000000', discoveredAt: '2026-06-05T09:13:01.250Z' };
    const { summary } = await ingest(key.tenantId, 'logs', 'native', ndjson([given, nativeLog(2)]));
    expect(summary).toEqual({ read: 2, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });
    const stored = await getJson(server, key.secret, `/logs/${given.id}`);
    expect(stored.body.data).toEqual({
      id: given.id,
      occurredAt: '2026-06-05T09:12:11.000Z',
      discoveredAt: '2026-06-05T09:13:01.250Z',
      action: 'FileDownloaded',
      severity: 'high',
      actorName: 'jane@contoso.com',
      actorType: 'user',
      actorIp: '20.42.73.5',
      resourceName: 'file-1.xlsx',
      resourceType: 'file',
      workload: 'SharePoint',
      applicationDisplayName: 'Microsoft SharePoint',
      rawData: null,
    });
    const list = await getJson(server, key.secret, '/logs', { actor: 'jane@contoso.com' });
    const stamped = list.body.data.find((e: { resourceName: string }) => e.resourceName === 'file-2.xlsx');
    expect(stamped.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(Date.now() - Date.parse(stamped.discoveredAt)).toBeLessThan(60_000);
  });

  it('is idempotent: re-ingesting the same records inserts nothing', async () => {
    const tenant = await createTenantWithKey(database);
    const records = [1, 2, 3, 4, 5].map(nativeLog);
    expect((await ingest(tenant.tenantId, 'logs', 'native', ndjson(records))).summary.inserted).toBe(5);
    const again = await ingest(tenant.tenantId, 'logs', 'native', ndjson(records));
    expect(again.summary).toEqual({ read: 5, inserted: 0, updated: 0, unchanged: 5, rejected: 0 });
    const all = await getJson(server, tenant.secret, '/logs', { limit: 100 });
    expect(all.body.data).toHaveLength(5);
  });

  it('stores a batch bigger than a COPY buffer byte for byte: multi-byte characters, COPY escapes, a source id repeated in the batch', async () => {
    const tenant = await createTenantWithKey(database);
    // 300 records of 2.4 to 3.9 KB of UTF-8 (mostly 3-byte characters, lengths varied) in one
    // batch: on PostgreSQL the batch's COPY text spans four of the ingest encoder's 256 KB
    // buffers, with lines that fit a buffer's rest in characters but not in bytes.
    const name = (i: number) => `é漢☃ \t tab\t back\\slash \\N new\nline \r ${i} `.padEnd(800 + ((i * 37) % 500), '漢');
    const at = (i: number) =>
      `2026-06-05T09:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
    const records = Array.from({ length: 300 }, (_, i) => ({
      ...nativeLog(i),
      occurredAt: at(i),
      resourceName: name(i),
    }));
    // The same source id later in the batch: the later record is the one stored.
    records.push({ ...nativeLog(10), occurredAt: at(10), resourceName: `${name(10)} (later)` });
    const { summary, rejections } = await ingest(tenant.tenantId, 'logs', 'native', ndjson(records), 400);
    expect(rejections).toEqual([]);
    expect(summary).toEqual({ read: 301, inserted: 300, updated: 0, unchanged: 1, rejected: 0 });
    const stored = await database.db
      .selectFrom('log_events')
      .select(['source_id', 'resource_name'])
      .where('tenant_id', '=', tenant.tenantId)
      .execute();
    const bySource = new Map(stored.map((row) => [row.source_id, row.resource_name]));
    expect(bySource.size).toBe(300);
    for (let i = 0; i < 300; i++) expect(bySource.get(`evt-${i}`)).toBe(i === 10 ? `${name(10)} (later)` : name(i));
  });

  it('is idempotent for records without an id or sourceId too (identified by their content)', async () => {
    const tenant = await createTenantWithKey(database);
    const records = [1, 2, 3].map((i) => {
      const { sourceId: _omitted, ...rest } = nativeLog(i);
      return rest;
    });
    expect((await ingest(tenant.tenantId, 'logs', 'native', ndjson(records))).summary.inserted).toBe(3);
    const reordered = records.map((r) => Object.fromEntries(Object.entries(r).reverse()));
    expect((await ingest(tenant.tenantId, 'logs', 'native', ndjson(reordered))).summary).toMatchObject({
      inserted: 0,
      unchanged: 3,
    });
  });

  it('reports bad lines by number and reason, and keeps the good lines around them', async () => {
    const tenant = await createTenantWithKey(database);
    const { summary, rejections } = await ingest(
      tenant.tenantId,
      'logs',
      'native',
      ndjson([
        nativeLog(1),
        '{"not json',
        { ...nativeLog(2), severity: 'urgent' },
        '',
        nativeLog(3),
        { ...nativeLog(4), occurredAt: 'yesterday' },
        nativeLog(5),
      ]),
    );
    expect(summary).toEqual({ read: 6, inserted: 3, updated: 0, unchanged: 0, rejected: 3 });
    expect(rejections).toEqual([
      { line: 2, reason: expect.stringContaining('not valid JSON') },
      { line: 3, reason: expect.stringContaining('severity') },
      { line: 6, reason: expect.stringContaining('occurredAt') },
    ]);
  });

  it('updates an alert whose status changed, keeps its id, and counts unchanged ones', async () => {
    const tenant = await createTenantWithKey(database);
    const alert = {
      sourceId: 'mon-1',
      name: 'Mass download',
      severity: 'high',
      status: 'open',
      resourceType: 'site',
      resources: [{ id: 's1', name: 'Finance', type: 'site' }],
      description: 'Many files downloaded',
      createdFrom: { policyId: 'p1', policyName: 'Mass download' },
      createdAt: '2026-06-05T09:00:00Z',
      updatedAt: '2026-06-05T09:00:00Z',
    };
    expect((await ingest(tenant.tenantId, 'monitoring-alerts', 'native', ndjson([alert]))).summary.inserted).toBe(1);
    const before = (await getJson(server, tenant.secret, '/monitoring-alerts')).body.data[0];
    const resolved = { ...alert, status: 'resolved', updatedAt: '2026-06-05T10:00:00Z' };
    const { summary } = await ingest(tenant.tenantId, 'monitoring-alerts', 'native', ndjson([resolved, alert]), 10);
    // Within one run the last record of a source id wins: here, the unchanged original.
    expect(summary).toEqual({ read: 2, inserted: 0, updated: 0, unchanged: 2, rejected: 0 });
    const second = await ingest(tenant.tenantId, 'monitoring-alerts', 'native', ndjson([resolved]));
    expect(second.summary).toEqual({ read: 1, inserted: 0, updated: 1, unchanged: 0, rejected: 0 });
    const after = await getJson(server, tenant.secret, `/monitoring-alerts/${before.id}`);
    expectMatchesOpenApi('/monitoring-alerts/{id}', 200, after.body);
    expect(after.body.data).toMatchObject({
      id: before.id,
      status: 'resolved',
      isResolved: true,
      resolvedAt: '2026-06-05T10:00:00.000Z',
    });
  });

  it('rejects a record that contradicts itself instead of guessing', async () => {
    const tenant = await createTenantWithKey(database);
    const { rejections } = await ingest(
      tenant.tenantId,
      'security-alerts',
      'native',
      ndjson([
        {
          title: 'x',
          severity: 'low',
          status: 'new',
          isResolved: true,
          category: 'Execution',
          serviceSource: 'microsoftDefenderForEndpoint',
        },
      ]),
    );
    expect(rejections).toEqual([{ line: 1, reason: 'isResolved: contradicts status "new"' }]);
  });

  it('rejects a record whose id another record already uses, without losing the batch', async () => {
    const tenant = await createTenantWithKey(database);
    await ingest(
      tenant.tenantId,
      'monitoring-alerts',
      'native',
      ndjson([
        {
          id: 'A1',
          sourceId: 'first',
          name: 'a',
          severity: 'low',
          status: 'open',
          resourceType: 'site',
          createdFrom: { policyId: 'p', policyName: 'p' },
        },
      ]),
    );
    const { summary, rejections } = await ingest(
      tenant.tenantId,
      'monitoring-alerts',
      'native',
      ndjson([
        {
          id: 'A1',
          sourceId: 'second',
          name: 'b',
          severity: 'low',
          status: 'open',
          resourceType: 'site',
          createdFrom: { policyId: 'p', policyName: 'p' },
        },
        {
          id: 'A2',
          name: 'c',
          severity: 'low',
          status: 'open',
          resourceType: 'site',
          createdFrom: { policyId: 'p', policyName: 'p' },
        },
      ]),
      10,
    );
    expect(summary).toMatchObject({ inserted: 1, rejected: 1 });
    expect(rejections[0]).toMatchObject({ line: 1, reason: expect.stringContaining('refused by the database') });
  });

  it('reads a JSON array file as well as NDJSON', async () => {
    const tenant = await createTenantWithKey(database);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ingest-')), 'logs.json');
    writeFileSync(file, JSON.stringify([nativeLog(1), nativeLog(2)], null, 2));
    const { summary } = await ingest(tenant.tenantId, 'logs', 'native', createReadStream(file));
    expect(summary).toMatchObject({ read: 2, inserted: 2, rejected: 0 });
    rmSync(path.dirname(file), { recursive: true });
  });
});

describe(`every input line stored or reported (${ENGINE})`, () => {
  const storedSourceIds = async (tenantId: string) =>
    (await database.db.selectFrom('log_events').select('source_id').where('tenant_id', '=', tenantId).execute())
      .map((row) => row.source_id)
      .sort();

  it('reads every NDJSON line after one that starts with "[", and reports that line', async () => {
    const tenant = await createTenantWithKey(database);
    const { summary, rejections } = await ingest(
      tenant.tenantId,
      'logs',
      'native',
      ndjson([nativeLog(1), nativeLog(2), `[${JSON.stringify(nativeLog(3))}`, nativeLog(4)]),
    );
    expect(summary).toEqual({ read: 4, inserted: 3, updated: 0, unchanged: 0, rejected: 1 });
    expect(rejections).toEqual([{ line: 3, reason: expect.stringContaining('not valid JSON') }]);
    expect(await storedSourceIds(tenant.tenantId)).toEqual(['evt-1', 'evt-2', 'evt-4']);
  });

  it('names the element and its line for each rejected element of a JSON array, and where a truncated one breaks', async () => {
    const tenant = await createTenantWithKey(database);
    const text = JSON.stringify(
      [nativeLog(1), { ...nativeLog(2), severity: 'urgent' }, nativeLog(3), nativeLog(4)],
      null,
      2,
    );
    // Element 2 rejected by validation; the file cut inside element 4.
    const cut = text.slice(0, text.lastIndexOf('"workload"'));
    const { summary, rejections } = await ingest(tenant.tenantId, 'logs', 'native', Readable.from([cut]));
    expect(summary).toEqual({ read: 4, inserted: 2, updated: 0, unchanged: 0, rejected: 2 });
    expect(rejections).toEqual([
      { line: 15, element: 2, reason: expect.stringContaining('severity') },
      {
        line: 41,
        element: 4,
        reason: expect.stringMatching(
          /^the file ends \(line \d+\) inside this element.*the 3 element\(s\) before it were read$/,
        ),
      },
    ]);
    expect(await storedSourceIds(tenant.tenantId)).toEqual(['evt-1', 'evt-3']);
  });

  it('rejects a native actorIp that is not an IPv4 or IPv6 address', async () => {
    const tenant = await createTenantWithKey(database);
    const { summary, rejections } = await ingest(
      tenant.tenantId,
      'logs',
      'native',
      ndjson([
        { ...nativeLog(1), actorIp: '999.1.1.1' },
        { ...nativeLog(2), actorIp: '2001:db8::1' },
        { ...nativeLog(3), actorIp: null },
        { ...nativeLog(4), actorIp: '10.0.0.1:443' },
        { ...nativeLog(5), actorIp: '' },
      ]),
    );
    expect(summary).toMatchObject({ read: 5, inserted: 2, rejected: 3 });
    expect(rejections.map((r) => r.line)).toEqual([1, 4, 5]);
    expect(rejections[0]!.reason).toBe('actorIp: must be an IPv4 or IPv6 address (or null)');
  });

  it('property: stored + reported = the records of the file, whatever mix of good, bad and tricky lines', async () => {
    type Item = { text: string; good?: string; blank?: true };
    let serial = 0;
    const good = fc.nat({ max: 59 }).map((second): Item => {
      const sourceId = `p-${++serial}`;
      const occurredAt = `2026-06-05T09:12:${String(second).padStart(2, '0')}Z`;
      return { text: JSON.stringify({ ...nativeLog(1), sourceId, occurredAt }), good: sourceId };
    });
    const invalid = fc.constantFrom<Item>(
      { text: JSON.stringify({ ...nativeLog(1), sourceId: 'invalid-1', severity: 'urgent' }) },
      { text: JSON.stringify({ ...nativeLog(1), sourceId: 'invalid-2', actorIp: '999.1.1.1' }) },
      { text: '[1,2]' },
      { text: '42' },
    );
    // Lines that are not JSON on their own (NDJSON only: in an array they would unbalance it).
    const unreadable = fc.constantFrom<Item>(
      ...['[', '{', '}', '{"sourceId":', '"action":"x"}', 'not json', '\uFEFF{}', ','].map((text) => ({ text })),
      { text: 'x'.repeat(MAX_RECORD_CHARS + 1) },
    );
    const blank = fc.constantFrom<Item>({ text: '', blank: true }, { text: '  \t', blank: true });
    const item = fc.oneof(
      { arbitrary: good, weight: 4 },
      { arbitrary: invalid, weight: 2 },
      { arbitrary: unreadable, weight: 2 },
      { arbitrary: blank, weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 7 }),
        async (items, bom, newline, batchSize) => {
          const tenant = await createTenantWithKey(database);
          // The first significant character decides the format: keep this one NDJSON.
          const lines = [{ text: '{"not":"a log"}' } as Item, ...items];
          const text = (bom ? '\uFEFF' : '') + lines.map((l) => l.text).join(newline);
          const { summary, rejections } = await ingest(
            tenant.tenantId,
            'logs',
            'native',
            Readable.from([text]),
            batchSize,
          );
          const records = lines.flatMap((l, i) => (l.blank ? [] : [{ line: i + 1, good: l.good }]));
          expect(summary.read).toBe(records.length);
          expect(summary.inserted + summary.rejected).toBe(records.length);
          expect(rejections.map((r) => r.line)).toEqual(records.filter((r) => !r.good).map((r) => r.line));
          expect(await storedSourceIds(tenant.tenantId)).toEqual(
            records.flatMap((r) => (r.good ? [r.good] : [])).sort(),
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('property: stored + reported = the elements of a JSON array, pretty or minified', async () => {
    let serial = 0;
    const element = fc.oneof(
      fc.constant(null).map(() => {
        const sourceId = `a-${++serial}`;
        return { text: JSON.stringify({ ...nativeLog(1), sourceId }, null, 2), good: sourceId };
      }),
      fc.constantFrom(
        { text: JSON.stringify({ ...nativeLog(1), actorIp: '999.1.1.1' }), good: undefined },
        { text: 'tru', good: undefined },
        { text: '{"sourceId": }', good: undefined },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 20 }), fc.boolean(), async (elements, minified) => {
        const tenant = await createTenantWithKey(database);
        const texts = elements.map((e) => (minified ? e.text.replaceAll('\n', '') : e.text));
        const text = minified ? `[${texts.join(',')}]` : `[\n${texts.join(',\n')}\n]\n`;
        const { summary, rejections } = await ingest(tenant.tenantId, 'logs', 'native', Readable.from([text]), 3);
        expect(summary.read).toBe(elements.length);
        expect(summary.inserted + summary.rejected).toBe(elements.length);
        expect(rejections.map((r) => r.element)).toEqual(elements.flatMap((e, i) => (e.good ? [] : [i + 1])));
        expect(await storedSourceIds(tenant.tenantId)).toEqual(
          elements.flatMap((e) => (e.good ? [e.good] : [])).sort(),
        );
      }),
      { numRuns: 10 },
    );
  });
});

describe(`pnpm admin ingest (${ENGINE})`, () => {
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let proc: ServerProcess | undefined;
  let cliDatabase: TestDatabase | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-ingest-'));
    if (ENGINE === 'postgres') {
      cliDatabase = await createTestDatabase('postgres');
      env = { DATABASE_URL: cliDatabase.url };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
      proc = await spawnServer(env);
    }
  });
  afterAll(async () => {
    await proc?.stop();
    await cliDatabase?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a summary, names bad lines, and exits non-zero only when something was rejected', async () => {
    const tenant = JSON.parse((await runCliProcess(['tenants', 'create', '--name', 'Ingest', '--json'], env)).stdout);
    const good = path.join(dataDir, 'good.ndjson');
    writeFileSync(good, [nativeLog(1), nativeLog(2)].map((r) => JSON.stringify(r)).join('\n'));
    const ok = await runCliProcess(['ingest', '--tenant', tenant.tenantId, '--type', 'logs', good, '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ read: 2, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });

    const stdin = await runCliProcess(
      ['ingest', '--tenant', tenant.tenantId, '--type', 'logs', '-'],
      env,
      `${JSON.stringify(nativeLog(3))}\nnot json\n`,
    );
    expect(stdin.code).toBe(1);
    expect(stdin.stdout).toContain('inserted 1');
    expect(stdin.stderr).toContain('line 2: rejected: not valid JSON');

    const wrongFormat = await runCliProcess(
      ['ingest', '--tenant', tenant.tenantId, '--type', 'logs', '--format', 'graph', good],
      env,
    );
    expect(wrongFormat.code).toBe(2);
    expect(wrongFormat.stderr).toContain('--format graph does not apply to --type logs');
    const missing = await runCliProcess(
      ['ingest', '--tenant', tenant.tenantId, '--type', 'logs', path.join(dataDir, 'nope.ndjson')],
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such file');
  });

  it('names a directory given as input, and says truthfully what was stored when records were rejected', async () => {
    const tenant = JSON.parse((await runCliProcess(['tenants', 'create', '--name', 'Edges', '--json'], env)).stdout);
    const folder = path.join(dataDir, 'exports');
    mkdirSync(folder, { recursive: true });
    const directory = await runCliProcess(['ingest', '--tenant', tenant.tenantId, '--type', 'logs', folder], env);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toContain(`${folder} is a directory, not a file`);
    expect(directory.stderr).not.toContain('EISDIR');

    const allBad = await runCliProcess(
      ['ingest', '--tenant', tenant.tenantId, '--type', 'logs', '-'],
      env,
      `${JSON.stringify({ ...nativeLog(7), actorIp: '999.1.1.1' })}\nnot json\n`,
    );
    expect(allBad.code).toBe(1);
    expect(allBad.stderr).toContain('line 1: rejected: actorIp: must be an IPv4 or IPv6 address');
    expect(allBad.stderr).toContain('2 record(s) rejected; nothing was stored.');
    expect(allBad.stderr).not.toContain('the others were stored');

    const array = path.join(dataDir, 'mixed.json');
    writeFileSync(array, JSON.stringify([nativeLog(8), { ...nativeLog(9), severity: 'urgent' }, nativeLog(10)]));
    const mixed = await runCliProcess(['ingest', '--tenant', tenant.tenantId, '--type', 'logs', array], env);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toContain('read 3, inserted 2, updated 0, unchanged 0, rejected 1');
    expect(mixed.stderr).toContain('line 1 (element 2): rejected: severity');
    expect(mixed.stderr).toContain('1 record(s) rejected; the other 2 were stored');
  });

  // One engine is enough for the CLI walkthrough of the samples (the normalisers have unit tests).
  (ENGINE === 'postgres' ? it : undefined)?.('ingests the shipped O365 and Graph samples', async () => {
    const tenant = JSON.parse((await runCliProcess(['tenants', 'create', '--name', 'Samples', '--json'], env)).stdout);
    const o365 = await runCliProcess(
      [
        'ingest',
        '--tenant',
        tenant.tenantId,
        '--type',
        'logs',
        '--format',
        'o365',
        path.join(FIXTURES, 'o365-audit.ndjson'),
        '--json',
      ],
      env,
    );
    expect(o365.code, o365.stderr).toBe(0);
    expect(JSON.parse(o365.stdout)).toMatchObject({ read: 21, inserted: 21, rejected: 0 });
    const graph = await runCliProcess(
      [
        'ingest',
        '--tenant',
        tenant.tenantId,
        '--type',
        'security-alerts',
        '--format',
        'graph',
        path.join(FIXTURES, 'graph-alerts.json'),
        '--json',
      ],
      env,
    );
    expect(graph.code, graph.stderr).toBe(0);
    expect(JSON.parse(graph.stdout)).toMatchObject({ read: 6, inserted: 6, rejected: 0 });
    const updated = await runCliProcess(
      [
        'ingest',
        '--tenant',
        tenant.tenantId,
        '--type',
        'security-alerts',
        '--format',
        'graph',
        path.join(FIXTURES, 'graph-alerts-updated.ndjson'),
        '--json',
      ],
      env,
    );
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ inserted: 0, updated: 2 });
    // Replaying the older export must not undo the newer state.
    const replay = await runCliProcess(
      [
        'ingest',
        '--tenant',
        tenant.tenantId,
        '--type',
        'security-alerts',
        '--format',
        'graph',
        path.join(FIXTURES, 'graph-alerts.json'),
        '--json',
      ],
      env,
    );
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ inserted: 0, updated: 0, unchanged: 6 });
  });
});

describe(`raw provider payloads (${ENGINE})`, () => {
  it('keeps rawData exactly as ingested, key order included', async () => {
    const tenant = await createTenantWithKey(database);
    const rawText = '{"zeta":1,"alpha":{"y":2,"x":[3,{"b":1,"a":0}]},"id":"raw-1"}';
    const record = `{"sourceId":"raw-1","title":"t","severity":"low","status":"new","category":"Execution","serviceSource":"microsoftDefenderForEndpoint","rawData":${rawText}}`;
    const first = await ingest(tenant.tenantId, 'security-alerts', 'native', ndjson([record]));
    expect(first.rejections).toEqual([]);
    expect(first.summary.inserted).toBe(1);
    const list = await getJson(server, tenant.secret, '/security-alerts');
    const res = await fetch(`${server.baseUrl}/security-alerts/${list.body.data[0].id}`, {
      headers: { authorization: `Bearer ${tenant.secret}` },
    });
    const text = await res.text();
    expect(text).toContain(`"rawData":${rawText}`);
    expect((await ingest(tenant.tenantId, 'security-alerts', 'native', ndjson([record]))).summary.unchanged).toBe(1);
  });
});

/** GET a path under /api/v1 and return the response text, exactly as sent. */
async function getText(secret: string, pathAndQuery: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${secret}` } });
  return { status: res.status, text: await res.text() };
}

describe(`raw records of every resource (${ENGINE})`, () => {
  // A record with what the 11 normalised fields leave out, in an unusual key order, with
  // characters JSON escapes.
  const o365Extra =
    '{"Id":"5e0c9a4d-1b2f-4c3d-8e9f-0a1b2c3d4e5f","RecordType":8,"CreationTime":"2026-06-05T09:40:02","Operation":"Update user.","UserId":"admin@contoso.com","UserType":2,"Workload":"AzureActiveDirectory","ResultStatus":"Success","ModifiedProperties":[{"Name":"AccountEnabled","NewValue":"[false]","OldValue":"[true]"}],"ExtendedProperties":[{"Name":"UserAgent","Value":"Mozilla/5.0 \\"quoted\\" ☃"},{"Name":"RequestType","Value":"OrgIdWsTrust2:process"}],"zLast":true,"aFirst":null}';

  it('keeps every O365 record verbatim: GET /logs/{id}, and include=rawData on /logs and /logs/changes', async () => {
    const tenant = await createTenantWithKey(database);
    const lines = [
      ...readFileSync(path.join(FIXTURES, 'o365-audit.ndjson'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== ''),
      o365Extra,
    ];
    // The fixture lines are compact JSON, so the stored text must be them, byte for byte.
    for (const line of lines) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    const { summary, rejections } = await ingest(tenant.tenantId, 'logs', 'o365', ndjson(lines), 5);
    expect(rejections).toEqual([]);
    expect(summary.inserted).toBe(lines.length);

    const list = await getText(tenant.secret, '/logs?limit=1000&include=rawData');
    const changes = await firstFeedPage(
      server,
      tenant.secret,
      '/logs/changes',
      { limit: 1000, include: 'rawData' },
      lines.length,
    );
    expect(list.status).toBe(200);
    expect(changes.status).toBe(200);
    const items = JSON.parse(list.text).data as Array<{ id: string; action: string; rawData: { Id: string } }>;
    expectMatchesOpenApi('/logs', 200, JSON.parse(list.text));
    expectMatchesOpenApi('/logs/changes', 200, JSON.parse(changes.text));
    expect(items).toHaveLength(lines.length);
    for (const line of lines) {
      expect(list.text).toContain(`,"rawData":${line}}`);
      expect(changes.text).toContain(`,"rawData":${line}}`);
      const item = items.find((i) => i.rawData.Id === JSON.parse(line).Id)!;
      const detail = await getText(tenant.secret, `/logs/${item.id}`);
      expect(detail.status).toBe(200);
      expect(detail.text).toContain(`,"rawData":${line}}}`);
      expectMatchesOpenApi('/logs/{id}', 200, JSON.parse(detail.text));
    }
    // The default page stays small: no rawData.
    const plain = await getJson(server, tenant.secret, '/logs', { limit: 1000 });
    expect(plain.body.data).toHaveLength(lines.length);
    for (const item of plain.body.data) expect(item).not.toHaveProperty('rawData');

    // Another tenant cannot read it, by id or through a list.
    const other = await createTenantWithKey(database);
    const foreign = await getJson(server, other.secret, `/logs/${items[0]!.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect((await getJson(server, other.secret, '/logs', { include: 'rawData' })).body.data).toEqual([]);
  });

  it('keeps the rawData a native log or monitoring alert carries; none is null', async () => {
    const tenant = await createTenantWithKey(database);
    const rawText = '{"zeta":1,"alpha":{"y":2,"x":[3,{"b":1,"a":0}]},"id":"raw-log"}';
    const withRaw = `${JSON.stringify(nativeLog(1)).slice(0, -1)},"rawData":${rawText}}`;
    const logs = await ingest(tenant.tenantId, 'logs', 'native', ndjson([withRaw, nativeLog(2)]));
    expect(logs.rejections).toEqual([]);
    const listed = await getText(tenant.secret, '/logs?include=rawData&order=asc');
    expect(listed.text).toContain(`"rawData":${rawText}}`);
    const [first, second] = JSON.parse(listed.text).data;
    expect(second.rawData).toBeNull();
    expect((await getText(tenant.secret, `/logs/${first.id}`)).text).toContain(`"rawData":${rawText}}`);

    const alert = {
      sourceId: 'mon-raw-1',
      name: 'External sharing of sensitive file',
      severity: 'high',
      status: 'open',
      resourceType: 'file',
      createdFrom: { policyId: 'pol-3', policyName: 'External sharing' },
    };
    const monitoring = await ingest(
      tenant.tenantId,
      'monitoring-alerts',
      'native',
      ndjson([`${JSON.stringify(alert).slice(0, -1)},"rawData":${rawText}}`, { ...alert, sourceId: 'mon-raw-2' }]),
    );
    expect(monitoring.rejections).toEqual([]);
    const alerts = await firstFeedPage(server, tenant.secret, '/monitoring-alerts/changes', { include: 'rawData' }, 2);
    expect(alerts.text).toContain(`"rawData":${rawText}}`);
    const [one, two] = JSON.parse(alerts.text).data;
    expect(two.rawData).toBeNull();
    const detail = await getText(tenant.secret, `/monitoring-alerts/${one.id}`);
    expect(detail.text).toContain(`"rawData":${rawText}}`);
    expectMatchesOpenApi('/monitoring-alerts/{id}', 200, JSON.parse(detail.text));

    // rawData is part of a monitoring alert's state: a new one is an update, the same one is not.
    const again = await ingest(
      tenant.tenantId,
      'monitoring-alerts',
      'native',
      ndjson([
        { ...alert, rawData: { other: true } },
        { ...alert, sourceId: 'mon-raw-2' },
      ]),
    );
    expect(again.summary).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });

    const bad = await ingest(tenant.tenantId, 'logs', 'native', ndjson([{ ...nativeLog(3), rawData: [1, 2] }]));
    expect(bad.rejections).toEqual([{ line: 1, reason: expect.stringContaining('rawData') }]);
  });

  it('gives security alerts their MITRE techniques: from Graph mitreTechniques, and in native records', async () => {
    const tenant = await createTenantWithKey(database);
    const graph = await ingest(
      tenant.tenantId,
      'security-alerts',
      'graph',
      createReadStream(path.join(FIXTURES, 'graph-alerts.json')) as unknown as Readable,
    );
    expect(graph.rejections).toEqual([]);
    const given = JSON.parse(readFileSync(path.join(FIXTURES, 'graph-alerts.json'), 'utf8')) as Array<{
      id: string;
      mitreTechniques: string[];
    }>;
    const listed = await getJson(server, tenant.secret, '/security-alerts', { include: 'rawData', limit: 100 });
    expectMatchesOpenApi('/security-alerts', 200, listed.body);
    expect(listed.body.data).toHaveLength(given.length);
    for (const item of listed.body.data) {
      const source = given.find((g) => g.id === item.rawData.id)!;
      expect(item.mitreTechniques).toEqual(source.mitreTechniques);
    }
    const fed = await firstFeedPage(server, tenant.secret, '/security-alerts/changes', { limit: 100 }, given.length);
    expect(fed.body.data.map((i: { mitreTechniques: string[] }) => i.mitreTechniques).sort()).toEqual(
      given.map((g) => g.mitreTechniques).sort(),
    );

    const native = {
      sourceId: 'native-mitre',
      title: 't',
      severity: 'low',
      status: 'new',
      category: 'Execution',
      serviceSource: 'microsoftDefenderForEndpoint',
    };
    const result = await ingest(
      tenant.tenantId,
      'security-alerts',
      'native',
      ndjson([
        { ...native, mitreTechniques: ['T1059.001', 'T1027'] },
        { ...native, sourceId: 'native-no-mitre' },
        { ...native, sourceId: 'native-bad-mitre', mitreTechniques: 'T1059' },
      ]),
    );
    expect(result.rejections).toEqual([{ line: 3, reason: expect.stringContaining('mitreTechniques') }]);
    const all = await getJson(server, tenant.secret, '/security-alerts', { limit: 100 });
    const byTitle = all.body.data.filter((i: { title: string }) => i.title === 't');
    expect(byTitle.map((i: { mitreTechniques: string[] }) => i.mitreTechniques).sort()).toEqual([
      [],
      ['T1059.001', 'T1027'],
    ]);
  });
});
