import { spawn, type ChildProcess } from 'node:child_process';
import { spawnServerProcess, type ServerProcess } from '@1security/test-kit';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SERVER_DIR, TSX } from './paths';

/** The PostgreSQL admin URL, or '' when PostgreSQL is not reachable here (see vitest.config.ts). */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? '';
export const hasPostgres = POSTGRES_URL !== '';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A server process on its own fresh database, driven only through HTTP and the operator CLI. */
export interface ApiServer {
  /** The origin, e.g. http://127.0.0.1:41234 (a ts-rest baseUrl). */
  url: string;
  databaseUrl: string;
  child: ChildProcess;
  output(): string;
  /** Runs the operator CLI against the same database. */
  cli(args: string[]): Promise<CliResult>;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

/** Only what the child needs: never the caller's DATABASE_URL by accident. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database, starts `apps/server/src/main.ts` on it on an ephemeral port. */
export async function startApiServer(env: Record<string, string> = {}): Promise<ApiServer> {
  if (!hasPostgres) throw new Error('PostgreSQL is not reachable');
  const name = `onesec_client_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const baseEnv = { DATABASE_URL: databaseUrl, RATE_LIMIT_PER_MINUTE: '100000', ...env };

  let server: ServerProcess;
  try {
    // From source (the client's tests do not build the server), through tsx: its node child is
    // in the same process group, so stopping the group leaves nothing behind.
    server = await spawnServerProcess({
      cwd: SERVER_DIR,
      command: TSX,
      args: ['src/main.ts'],
      env: childEnv({ PORT: '0', HOST: '127.0.0.1', ...baseEnv }),
    });
  } catch (err) {
    await adminQuery(`drop database if exists ${name} with (force)`);
    throw err;
  }

  return {
    url: server.url,
    databaseUrl,
    child: server.child,
    output: server.output,
    cli: (args) => runCli(args, baseEnv),
    stop: async () => {
      await server.stop();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(TSX, ['src/cli/main.ts', ...args], { cwd: SERVER_DIR, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function cliJson<T>(server: ApiServer, args: string[]): Promise<T> {
  const result = await server.cli([...args, '--json']);
  if (result.code !== 0)
    throw new Error(`admin ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as T;
}

export async function createTenant(server: ApiServer, name = 'Contoso (client tests)'): Promise<string> {
  return (await cliJson<{ tenantId: string }>(server, ['tenants', 'create', '--name', name])).tenantId;
}

export async function createKey(
  server: ApiServer,
  tenantId: string,
  options: { name?: string; rateLimit?: number; scopes?: string[] } = {},
): Promise<string> {
  const args = ['keys', 'create', '--tenant', tenantId, '--name', options.name ?? 'client tests'];
  if (options.rateLimit !== undefined) args.push('--rate-limit', String(options.rateLimit));
  if (options.scopes) args.push('--scopes', options.scopes.join(','));
  return (await cliJson<{ secret: string }>(server, args)).secret;
}

export type ResourceType = 'logs' | 'monitoring-alerts' | 'security-alerts';

/** Loads native records (the API's own item shapes) with `admin ingest`, as an operator would. */
export async function ingest(
  server: ApiServer,
  tenantId: string,
  type: ResourceType,
  records: object[],
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-ingest-'));
  const file = path.join(dir, `${type}.ndjson`);
  try {
    await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const result = await server.cli(['ingest', '--tenant', tenantId, '--type', type, '--format', 'native', file]);
    if (result.code !== 0)
      throw new Error(`admin ingest ${type} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The ids of the tenant's own audit events (workload `1Security`): minting a key writes one
 * into the tenant's logs, so a test that reads every log expects these beside what it ingested.
 */
export async function auditEventIds(server: ApiServer, apiKey: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/v1/logs?workload=1Security&limit=1000`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (res.status !== 200) throw new Error(`GET /logs?workload=1Security answered ${res.status}`);
  return ((await res.json()) as { data: Array<{ id: string }> }).data.map((event) => event.id);
}

/**
 * Waits until the tenant's logs changes feed serves at least `count` events. The feed holds
 * back rows committed after the oldest transaction still running on the PostgreSQL server (its
 * never-miss rule), and other test files share that server: a long transaction of theirs can
 * delay what a test has just ingested. A test that needs the feed to reach the end waits here.
 */
export async function feedServes(server: ApiServer, apiKey: string, count: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let served = 0;
  for (;;) {
    served = 0;
    let cursor: string | undefined;
    for (;;) {
      const url = `${server.url}/api/v1/logs/changes?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
      if (res.status !== 200) throw new Error(`GET /logs/changes answered ${res.status}`);
      const page = (await res.json()) as { data: unknown[]; pagination: { nextCursor: string; hasMore: boolean } };
      served += page.data.length;
      if (!page.pagination.hasMore) break;
      cursor = page.pagination.nextCursor;
    }
    if (served >= count) return;
    if (Date.now() > deadline)
      throw new Error(`the logs feed served ${served} of ${count} events after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
