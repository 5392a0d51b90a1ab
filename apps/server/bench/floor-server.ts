/**
 * The floor: a bare `node:http` + `pg` server that runs exactly the SQL the API runs (compiled
 * from the API's query core, `listQuery` and `changesQuery`, so it cannot drift) and answers `JSON.stringify` of the
 * rows. No framework, no auth, no validation, no row mapping, no cursor codec: what the API
 * costs beyond this is what the API adds.
 *
 * Env: DATABASE_URL, PORT (0 = any), POOL_SIZE (the server's: 10), BENCH_TENANT_ID. Serves:
 * - `GET /logs?limit=N[&severity=a,b][&after=<discoveredAt>,<id>]`: a list page (the export
 *   walk passes `after`, the last row's sort key, as the API's cursor carries it);
 * - `GET /changes?limit=N[&after=<txid>,<seq>]`: a changes-feed page, in one statement;
 * - `GET /ping`: one indexed lookup of the Bearer key's hash in api_keys, as the API's
 *   authentication does on a key's first use.
 */
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { Severity } from '@1security/contract';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pgTypeParsers } from '../src/db/iso-timestamps';
import type { Database } from '../src/db/schema';
import { logEventsTable } from '../src/logs/logs.repository';
import type { FeedPosition } from '../src/pagination/changes-feed';
import { changesQuery, listQuery } from '../src/resources/resource-query';

const tenantId = process.env.BENCH_TENANT_ID ?? '';
// The API's own type parsers: timestamps arrive as the ISO strings both serve.
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
  types: pgTypeParsers(pg.types),
});
// Only used to compile the queries; never connects.
const compiler = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

function send(res: ServerResponse, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(url: URL, authorization: string | undefined, res: ServerResponse) {
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const after = url.searchParams.get('after')?.split(',');
  if (url.pathname === '/ping') {
    const hash = createHash('sha256')
      .update(authorization?.replace(/^Bearer\s+/i, '') ?? '')
      .digest('hex');
    const { rows } = await pool.query(
      'select id, tenant_id, name, scopes, rate_limit, revoked_at, expires_at from api_keys where secret_hash = $1',
      [hash],
    );
    const key = rows[0] as { id: string; tenant_id: string; name: string; scopes: string[] } | undefined;
    return send(res, { data: { tenantId: key?.tenant_id, keyId: key?.id, name: key?.name, scopes: key?.scopes } });
  }
  if (url.pathname === '/changes') {
    const position: FeedPosition = after ? [after[0]!, after[1]!] : ['0', '0'];
    const xmin = sql`pg_snapshot_xmin(pg_current_snapshot())`;
    const { sql: text, parameters } = changesQuery(compiler, logEventsTable, {
      tenantId,
      filters: {},
      after: position,
      xmin,
      take: limit + 1,
    }).compile();
    const { rows } = await pool.query(text, parameters as unknown[]);
    return send(res, { data: rows.slice(0, limit) });
  }
  const severity = url.searchParams.get('severity')?.split(',') as Severity[] | undefined;
  // The API fetches one row more than the page to learn whether another page follows.
  const { sql: text, parameters } = listQuery(compiler, logEventsTable, {
    tenantId,
    filters: { severity },
    window: { order: 'desc' },
    after: after ? [new Date(after[0]!), after[1]!] : undefined,
    take: limit + 1,
  }).compile();
  const { rows } = await pool.query(text, parameters as unknown[]);
  return send(res, { data: rows.slice(0, limit) });
}

const server = createServer((req, res) => {
  handle(new URL(req.url ?? '/', 'http://floor'), req.headers.authorization, res).catch((err: Error) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(err.message);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`floor listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
