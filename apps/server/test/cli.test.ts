import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { runCliProcess, runScript, spawnServer, type ServerProcess } from './support/processes';

/**
 * The operator CLI against a running server, on both engines: on PostgreSQL both share
 * DATABASE_URL; on the embedded engine the CLI reaches the server's PGlite through its socket.
 */
describe(`pnpm admin while the server runs (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-cli-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      env = { DATABASE_URL: database.url };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
    }
    server = await spawnServer(env);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ping = (secret: string) =>
    fetch(`${server.url}/api/v1/ping`, { headers: { authorization: `Bearer ${secret}` } });

  it('creates a tenant and a key, lists it, and revokes it with effect on the running server', async () => {
    const tenant = await runCliProcess(['tenants', 'create', '--name', 'Contoso', '--json'], env);
    expect(tenant.stderr).toBe('');
    expect(tenant.code).toBe(0);
    const { tenantId, name } = JSON.parse(tenant.stdout);
    expect(name).toBe('Contoso');
    expect(tenantId).toMatch(/^[0-9A-Z]{26}$/);

    const created = await runCliProcess(
      [
        'keys',
        'create',
        '--tenant',
        tenantId,
        '--name',
        'Splunk prod',
        '--scopes',
        'logs:read',
        '--rate-limit',
        '100',
        '--expires-at',
        '2099-01-01T00:00:00Z',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toEqual({
      tenantId,
      keyId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      name: 'Splunk prod',
      scopes: ['logs:read'],
      secret: expect.stringMatching(/^1sec_live_[A-Za-z0-9_-]{43}$/),
      expiresAt: '2099-01-01T00:00:00.000Z',
      rateLimit: 100,
    });

    const ok = await ping(key.secret);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('100');

    const listed = await runCliProcess(['keys', 'list', '--tenant', tenantId, '--json'], env);
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ keyId: key.keyId, name: 'Splunk prod', revokedAt: null });
    expect(listed.stdout).not.toContain(key.secret);

    const revoked = await runCliProcess(['keys', 'revoke', key.keyId], env);
    expect(revoked.code).toBe(0);
    expect((await ping(key.secret)).status).toBe(401);
  });

  it("supports the reference's createApiKey script", async () => {
    const tenant = JSON.parse((await runCliProcess(['tenants', 'create', '--name', 'Fabrikam', '--json'], env)).stdout);
    const result = await runScript(
      'src/scripts/createApiKey.ts',
      ['--tenant', tenant.tenantId, '--name', 'Sentinel'],
      env,
    );
    expect(result.code).toBe(0);
    const secret = /1sec_live_[A-Za-z0-9_-]{43}/.exec(result.stdout)?.[0];
    expect(secret).toBeDefined();
    expect((await ping(secret!)).status).toBe(200);
  });

  it('rejects bad arguments with a clear message and a non-zero exit', async () => {
    const noTenant = await runCliProcess(
      ['keys', 'create', '--tenant', '01NOSUCHTENANT0000000000000', '--name', 'x'],
      env,
    );
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toContain('No tenant with id');
    const badScope = await runCliProcess(
      ['keys', 'create', '--tenant', 'x', '--name', 'x', '--scopes', 'admin:write'],
      env,
    );
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('unknown scope admin:write');
    const unknownKey = await runCliProcess(['keys', 'revoke', 'nope'], env);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('No API key with id nope');
  });
});
