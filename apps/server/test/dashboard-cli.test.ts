import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LogEvent } from '@1security/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardCaller, PASSWORD } from './support/dashboard-session';
import { runCliProcess, runScript, spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * The dashboard against the built server in its own process (`node dist/main.js`), and the
 * operator's `pnpm admin users …` beside it, on both engines: everything a person does, and
 * what the server writes to its log while they do it.
 */
describe(`dashboard users from the operator CLI, and the server's own output (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  let tenantId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-dash-cli-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      env = { DATABASE_URL: database.url! };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
    }
    // Request logs on, so that a secret in any log line would show.
    server = await spawnServer({ ...env, LOG_LEVEL: 'debug' });
    const created = await runCliProcess(['tenants', 'create', '--name', 'Contoso', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    tenantId = JSON.parse(created.stdout).tenantId;
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = async (args: string[]) => {
    const result = await runCliProcess(args, env);
    expect(result.stderr).toMatch(/^database: /m);
    return result;
  };
  const tokenOf = (url: string) => /#token=([A-Za-z0-9_-]+)$/.exec(url)![1]!;
  const auditLog = async (secret: string): Promise<{ text: string; events: LogEvent[] }> => {
    const res = await fetch(`${server.url}/api/v1/logs/changes?limit=1000`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    return { text, events: (JSON.parse(text) as { data: LogEvent[] }).data };
  };

  it('users create prints a one-time set-password link; the user sets a password, signs in, and mints a key that works', async () => {
    const created = await admin([
      'users',
      'create',
      '--tenant',
      tenantId,
      '--email',
      'Ada@Contoso.example',
      '--role',
      'admin',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout);
    expect(Object.keys(user).sort()).toEqual(['email', 'expiresAt', 'role', 'setPasswordUrl', 'tenantId', 'userId']);
    expect(user).toMatchObject({ tenantId, email: 'Ada@Contoso.example', role: 'admin' });
    expect(user.setPasswordUrl).toMatch(/^http:\/\/localhost:\d+\/dashboard\/set-password#token=[A-Za-z0-9_-]{43}$/);
    const hours = (Date.parse(user.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThanOrEqual(24);

    const browser = new DashboardCaller(server.url);
    expect(
      (await browser.call('POST', '/password', { token: tokenOf(user.setPasswordUrl), newPassword: PASSWORD })).status,
    ).toBe(204);
    expect((await browser.signIn('ada@contoso.example')).status).toBe(200);
    const minted = await browser.call('POST', '/api-keys', { name: 'Splunk prod', scopes: ['logs:read'] });
    expect(minted.status, minted.text).toBe(201);
    const secret: string = minted.json.data.secret;
    expect((await fetch(`${server.url}/api/v1/ping`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(
      200,
    );

    // The secret was in that one response, and nowhere else: not in the list, the audit log,
    // the CLI's listing, or anything the server wrote.
    const list = await browser.call('GET', '/api-keys');
    expect(list.json.data[0]).toMatchObject({ name: 'Splunk prod', createdBy: 'Ada@Contoso.example' });
    const log = await auditLog(secret);
    const cliList = await admin(['keys', 'list', '--tenant', tenantId, '--json']);
    expect(JSON.parse(cliList.stdout)[0]).toMatchObject({ name: 'Splunk prod', createdBy: 'Ada@Contoso.example' });
    for (const text of [list.text, log.text, cliList.stdout, server.output()]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(16));
    }
    expect(server.output()).toMatch(/dashboard\/api\/api-keys/); // the request was logged, without it
    expect(log.events.find((e) => e.action === 'ApiKeyCreated')).toMatchObject({
      workload: '1Security',
      actorType: 'user',
      actorName: 'Ada@Contoso.example',
      actorIp: expect.any(String),
      resourceType: 'apiKey',
      resourceName: 'Splunk prod',
    });
    expect(log.events.find((e) => e.action === 'UserCreated')).toMatchObject({ actorType: 'system', actorName: 'cli' });
  });

  it('keys minted and revoked by the CLI and by createApiKey.ts are recorded as "cli" and audited', async () => {
    const reader = JSON.parse(
      (await admin(['keys', 'create', '--tenant', tenantId, '--name', 'Reader', '--scopes', 'logs:read', '--json']))
        .stdout,
    );
    const script = await runScript(
      'src/scripts/createApiKey.ts',
      ['--tenant', tenantId, '--name', 'Sentinel', '--json'],
      env,
    );
    expect(script.code, script.stderr).toBe(0);
    const sentinel = JSON.parse(script.stdout);
    expect((await admin(['keys', 'revoke', sentinel.keyId])).code).toBe(0);
    const again = await admin(['keys', 'revoke', sentinel.keyId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already revoked/);

    const listed = JSON.parse((await admin(['keys', 'list', '--tenant', tenantId, '--json'])).stdout);
    expect(listed.find((k: { keyId: string }) => k.keyId === sentinel.keyId)).toMatchObject({ createdBy: 'cli' });
    const log = await auditLog(reader.secret);
    const sentinelEvents = log.events.filter((e) => e.resourceName === 'Sentinel');
    expect(sentinelEvents.map((e) => `${e.action} ${e.actorType} ${e.actorName} ${e.severity}`)).toEqual([
      'ApiKeyCreated system cli medium',
      'ApiKeyRevoked system cli medium',
    ]);
    expect(log.text).not.toContain(sentinel.secret);
    expect(log.text).not.toContain(reader.secret);
  });

  it('users list, reset-password (the old link dies) and disable (sessions end at once)', async () => {
    const created = JSON.parse(
      (
        await admin([
          'users',
          'create',
          '--tenant',
          tenantId,
          '--email',
          'bob@contoso.example',
          '--role',
          'analyst',
          '--json',
        ])
      ).stdout,
    );
    const reset = await admin(['users', 'reset-password', created.userId.toLowerCase(), '--json']);
    expect(reset.code, reset.stderr).toBe(0);
    const fresh = JSON.parse(reset.stdout);
    expect(fresh).toMatchObject({ userId: created.userId, email: 'bob@contoso.example', role: 'analyst' });
    expect(fresh.setPasswordUrl).not.toBe(created.setPasswordUrl);

    const browser = new DashboardCaller(server.url);
    const stale = await browser.call('POST', '/password', {
      token: tokenOf(created.setPasswordUrl),
      newPassword: PASSWORD,
    });
    expect(stale.status).toBe(400);
    expect(
      (await browser.call('POST', '/password', { token: tokenOf(fresh.setPasswordUrl), newPassword: PASSWORD })).status,
    ).toBe(204);
    expect((await browser.signIn('bob@contoso.example')).status).toBe(200);
    expect((await browser.call('GET', '/api-keys')).status).toBe(403);

    const human = await admin(['users', 'list', '--tenant', tenantId]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^${created.userId} {2}analyst {2}active`, 'm'));
    const listed = JSON.parse((await admin(['users', 'list', '--tenant', tenantId, '--json'])).stdout);
    expect(listed.map((u: { email: string }) => u.email)).toEqual(['Ada@Contoso.example', 'bob@contoso.example']);

    const disabled = await admin(['users', 'disable', created.userId]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((await browser.call('GET', '/me')).status).toBe(401);
    expect((await new DashboardCaller(server.url).signIn('bob@contoso.example')).status).toBe(401);
    const after = JSON.parse((await admin(['users', 'list', '--tenant', tenantId, '--json'])).stdout);
    expect(after.find((u: { userId: string }) => u.userId === created.userId).disabledAt).toEqual(expect.any(String));
  });

  it('refuses bad arguments with a message naming the value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['users', 'create', '--tenant', 'nope', '--email', 'x@y.example', '--role', 'admin'], /Malformed tenant id/],
      [
        ['users', 'create', '--tenant', tenantId, '--email', 'not-an-email', '--role', 'admin'],
        /"not-an-email" is not an email address/,
      ],
      [['users', 'create', '--tenant', tenantId, '--email', 'x@y.example', '--role', 'owner'], /owner/],
      [
        ['users', 'create', '--tenant', tenantId, '--email', 'ADA@contoso.example', '--role', 'admin'],
        /already exists/,
      ],
      [
        ['users', 'create', '--tenant', '00000000000000000000000000', '--email', 'x@y.example', '--role', 'admin'],
        /No tenant with id/,
      ],
      [['users', 'disable', 'nope'], /Malformed user id/],
      [['users', 'disable', '00000000000000000000000000'], /No user with id 00000000000000000000000000/],
      [['users', 'reset-password', '00000000000000000000000000'], /No user with id/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliProcess(args, env);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });
});
