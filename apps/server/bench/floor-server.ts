/**
 * The floor (scenario 7): a bare `node:http` + `pg` server that runs exactly the SQL the API's
 * list endpoint runs (compiled from `listQuery`, so it cannot drift) and answers
 * `JSON.stringify` of the rows. No framework, no auth, no validation, no row mapping, no
 * cursor: what the API costs beyond this is what the API adds.
 *
 * Env: DATABASE_URL, PORT (0 = any), POOL_SIZE (the server's: 10). Serves
 * `GET /logs?limit=N[&severity=a,b]` for the tenant in BENCH_TENANT_ID.
 */
import { createServer } from 'node:http';
import type { Severity } from '@1security/contract';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pgTypeParsers } from '../src/db/iso-timestamps';
import type { Database } from '../src/db/schema';
import { logEventsTable } from '../src/logs/logs.repository';
import { listQuery } from '../src/resources/resource-query';

const tenantId = process.env.BENCH_TENANT_ID ?? '';
// The API's own type parsers: timestamps arrive as the ISO strings both serve.
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
  types: pgTypeParsers(pg.types),
});
// Only used to compile the query; never connects.
const compiler = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const severity = url.searchParams.get('severity')?.split(',') as Severity[] | undefined;
  // The API fetches one row more than the page to learn whether another page follows.
  const { sql, parameters } = listQuery(compiler, logEventsTable, {
    tenantId,
    filters: { severity },
    window: { order: 'desc' },
    take: limit + 1,
  }).compile();
  pool.query(sql, parameters as unknown[]).then(
    (result) => {
      const body = JSON.stringify({ data: result.rows.slice(0, limit) });
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    },
    (err: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(err.message);
    },
  );
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
