import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { REPO_ROOT, runCliProcess, runScript, spawnServer, type ServerProcess } from './support/processes';

/** A well-formed id that names nothing. */
const NO_SUCH_ID = '00000000000000000000000000';
/** What pnpm adds to a failing script's output; `pnpm admin` must print none of it. */
const PNPM_NOISE = /ELIFECYCLE|ERR_PNPM|^\$ /m;

/**
 * The operator CLI against a running server, on both engines: on PostgreSQL both share
 * DATABASE_URL; on the embedded engine the CLI reaches the server's PGlite through its socket.
 * Every command runs as an operator types it: `pnpm admin …` from the repository root.
 */
describe(`pnpm admin while the server runs (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  /** The line every command prints on stderr to say which database it uses. */
  let databaseLine: string;
  let databasePassword = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-cli-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      // The line must not show a password. The test server trusts local connections, so one
      // is added when the URL has none: it is sent, and ignored.
      const url = new URL(database.url!);
      url.password ||= 'cli-test-password';
      databasePassword = url.password;
      env = { DATABASE_URL: url.toString() };
      url.password = '';
      databaseLine = `database: ${url.toString()}\n`;
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
      databaseLine = `database: embedded, ${dataDir} (through the running server)\n`;
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
  const createTenant = async (name: string): Promise<string> => {
    const created = await runCliProcess(['tenants', 'create', '--name', name, '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    return JSON.parse(created.stdout).tenantId;
  };

  it('creates a tenant and a key, lists them, and revokes the key with effect on the running server', async () => {
    const tenant = await runCliProcess(['tenants', 'create', '--name', 'Contoso', '--json'], env);
    expect(tenant.stderr).toBe(databaseLine);
    expect(tenant.code).toBe(0);
    const { tenantId, name } = JSON.parse(tenant.stdout);
    expect(name).toBe('Contoso');
    expect(tenantId).toMatch(/^[0-9A-Z]{26}$/);
    if (databasePassword) expect(tenant.stderr).not.toContain(databasePassword);

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

    const tenantsJson = async () => {
      const result = await runCliProcess(['tenants', 'list', '--json'], env);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    };
    expect((await tenantsJson()).find((t) => t.tenantId === tenantId)).toEqual({
      tenantId,
      name: 'Contoso',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      retentionDays: 365,
      keys: 1,
      activeKeys: 1,
    });

    // A lowercase id is the same ULID.
    const revoked = await runCliProcess(['keys', 'revoke', key.keyId.toLowerCase()], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await ping(key.secret)).status).toBe(401);
    expect((await tenantsJson()).find((t) => t.tenantId === tenantId)).toMatchObject({ keys: 1, activeKeys: 0 });

    const human = await runCliProcess(['tenants', 'list'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^${tenantId} {2}created \\S+ {2}0 active / 1 key +Contoso$`, 'm'));
  });

  it("supports the reference's createApiKey script, with the CLI's checks", async () => {
    const tenantId = await createTenant('Fabrikam');
    const result = await runScript('src/scripts/createApiKey.ts', ['--tenant', tenantId, '--name', 'Sentinel'], env);
    expect(result.code).toBe(0);
    const secret = /1sec_live_[A-Za-z0-9_-]{43}/.exec(result.stdout)?.[0];
    expect(secret).toBeDefined();
    expect((await ping(secret!)).status).toBe(200);

    const past = await runScript(
      'src/scripts/createApiKey.ts',
      ['--tenant', tenantId, '--name', 'Late', '--expires-at', '2020-01-01'],
      env,
    );
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('error: --expires-at 2020-01-01T00:00:00.000Z is in the past');
  });

  it('rejects bad arguments with a message naming the value and a non-zero exit', async () => {
    const noTenant = await runCliProcess(['keys', 'create', '--tenant', NO_SUCH_ID, '--name', 'x'], env);
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toContain(`error: No tenant with id ${NO_SUCH_ID}.`);
    const noTenantKeys = await runCliProcess(['keys', 'list', '--tenant', NO_SUCH_ID], env);
    expect(noTenantKeys.code).toBe(1);
    expect(noTenantKeys.stderr).toContain(`error: No tenant with id ${NO_SUCH_ID}.`);
    const badScope = await runCliProcess(
      ['keys', 'create', '--tenant', NO_SUCH_ID, '--name', 'x', '--scopes', 'admin:write'],
      env,
    );
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('unknown scope admin:write');
    const unknownKey = await runCliProcess(['keys', 'revoke', NO_SUCH_ID], env);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain(`No API key with id ${NO_SUCH_ID}`);

    for (const args of [
      ['keys', 'create', '--tenant', 'not-a-ulid', '--name', 'x'],
      ['keys', 'list', '--tenant', 'not-a-ulid'],
      ['seed', '--tenant', 'not-a-ulid'],
      ['ingest', '--tenant', 'not-a-ulid', '--type', 'logs', '-'],
    ]) {
      const malformed = await runCliProcess(args, env);
      expect(malformed.code, args.join(' ')).toBe(2);
      expect(malformed.stderr).toContain(
        "error: option '--tenant <TENANT_ID>' argument 'not-a-ulid' is invalid. Malformed tenant id",
      );
    }
    const malformedKey = await runCliProcess(['keys', 'revoke', 'nope'], env);
    expect(malformedKey.code).toBe(2);
    expect(malformedKey.stderr).toContain("value 'nope' is invalid for argument 'KEY_ID'. Malformed key id");

    const tenantId = await createTenant('Expiry');
    const past = await runCliProcess(
      ['keys', 'create', '--tenant', tenantId, '--name', 'Late', '--expires-at', '2020-01-01T00:00:00Z'],
      env,
    );
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(
      /error: --expires-at 2020-01-01T00:00:00\.000Z is in the past \(it is \S+\): a key must expire in the future\./,
    );
    const keys = await runCliProcess(['keys', 'list', '--tenant', tenantId, '--json'], env);
    expect(JSON.parse(keys.stdout)).toEqual([]);
  });

  it('refuses an impossible --expires-at and an empty --name with exit 2, by the rules of the dashboard', async () => {
    const tenantId = await createTenant('Strict');
    const create = (...args: string[]) => runCliProcess(['keys', 'create', '--tenant', tenantId, ...args], env);

    for (const [args, message] of [
      [
        ['--name', 'x', '--expires-at', '2027-02-30'],
        "option '--expires-at <ISO>' argument '2027-02-30' is invalid. 2027-02-30 is not a real date",
      ],
      [
        ['--name', 'x', '--expires-at', '2027-02-30T00:00:00Z'],
        "argument '2027-02-30T00:00:00Z' is invalid. 2027-02-30T00:00:00Z is not a real date",
      ],
      [['--name', 'x', '--expires-at', '2027-01-01T00:00'], "argument '2027-01-01T00:00' is invalid. must be a date"],
      [['--name', ''], "option '--name <NAME>' argument '' is invalid. must not be empty"],
      [['--name', '   '], "option '--name <NAME>' argument '   ' is invalid. must not be empty"],
      [['--name', 'x'.repeat(101)], 'is invalid. must be at most 100 characters'],
    ] as Array<[string[], string]>) {
      const refused = await create(...args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    for (const name of ['', ' ']) {
      const refused = await runCliProcess(['tenants', 'create', '--name', name], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `error: option '--name <NAME>' argument '${name}' is invalid. must not be empty`,
      );
    }

    // A bare date is midnight UTC; names are trimmed, as in the dashboard.
    const dateOnly = await create('--name', ' Dated ', '--expires-at', '2099-02-28', '--json');
    expect(dateOnly.code, dateOnly.stderr).toBe(0);
    expect(JSON.parse(dateOnly.stdout)).toMatchObject({ name: 'Dated', expiresAt: '2099-02-28T00:00:00.000Z' });
    const keys = await runCliProcess(['keys', 'list', '--tenant', tenantId, '--json'], env);
    expect(JSON.parse(keys.stdout).map((k: { name: string }) => k.name)).toEqual(['Dated']);
  });

  it('prints only its own output through pnpm, and pure JSON on stdout with --json', async () => {
    const failing = await runCliProcess(['keys', 'revoke', NO_SUCH_ID], env);
    expect(failing.code).toBe(1);
    expect(failing.stderr).not.toMatch(PNPM_NOISE);
    expect(failing.stderr).toBe(`${databaseLine}error: No API key with id ${NO_SUCH_ID}.\n`);
    expect(failing.stdout).toBe('');

    const usage = await runCliProcess(['keys', 'list', '--tenant', 'nope'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toMatch(PNPM_NOISE);
    expect(usage.stderr).toMatch(/^error: option '--tenant <TENANT_ID>' argument 'nope' is invalid\./);

    for (const pnpmArgs of [[], ['--silent']]) {
      const listed = await runCliProcess(['tenants', 'list', '--json'], env, undefined, { pnpmArgs });
      expect(listed.code).toBe(0);
      expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
      expect(listed.stderr).toBe(databaseLine);
    }
  });

  it('resolves a relative file path from where pnpm was run', async () => {
    const tenantId = await createTenant('Relative paths');
    const fromRoot = await runCliProcess(
      ['ingest', '--tenant', tenantId, '--type', 'logs', 'apps/server/test/fixtures/native-logs.ndjson'],
      env,
    );
    expect(fromRoot.code, fromRoot.stderr).toBe(0);
    // Inside the server package, `pnpm admin` is that package's script: pnpm moves to the
    // package first, and the CLI still reads the path from where it was typed.
    const fromFixtures = await runCliProcess(
      ['ingest', '--tenant', tenantId, '--type', 'logs', 'native-logs.ndjson'],
      env,
      undefined,
      { cwd: path.join(REPO_ROOT, 'apps/server/test/fixtures') },
    );
    expect(fromFixtures.code, fromFixtures.stderr).toBe(0);
  });

  it("sets a tenant's retention, and `maintenance run` removes what expired, per tenant", async () => {
    const retained = await createTenant('Retained');
    const untouched = await createTenant('Untouched');
    const day = 86_400_000;
    const logAt = (n: number, daysAgo: number) =>
      JSON.stringify({
        sourceId: `ret-${n}`,
        occurredAt: new Date(Date.now() - daysAgo * day - 5_000).toISOString(),
        discoveredAt: new Date(Date.now() - daysAgo * day).toISOString(),
        action: 'FileDownloaded',
        severity: 'low',
        actorName: 'jane@contoso.com',
        actorType: 'user',
        resourceType: 'file',
        workload: 'SharePoint',
      });
    // Five events 100 days old and three recent ones, in each tenant.
    const lines = [1, 2, 3, 4, 5].map((n) => logAt(n, 100)).concat([6, 7, 8].map((n) => logAt(n, 1)));
    for (const tenantId of [retained, untouched]) {
      const ingested = await runCliProcess(
        ['ingest', '--tenant', tenantId, '--type', 'logs', '-', '--json'],
        env,
        `${lines.join('\n')}\n`,
      );
      expect(ingested.code, ingested.stderr).toBe(0);
    }

    const updated = await runCliProcess(['tenants', 'update', retained, '--retention-days', '30', '--json'], env);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toEqual({ tenantId: retained, name: 'Retained', retentionDays: 30 });
    const human = await runCliProcess(['tenants', 'update', untouched.toLowerCase(), '--retention-days', '400'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe(`Tenant ${untouched} "Untouched" keeps 400 days of audit events and resolved alerts.\n`);

    for (const value of ['0', '36501', 'abc']) {
      const bad = await runCliProcess(['tenants', 'update', retained, '--retention-days', value], env);
      expect(bad.code, value).toBe(2);
      expect(bad.stderr).toContain(
        `error: option '--retention-days <N>' argument '${value}' is invalid. ${value} is not a retention period: it must be a whole number of days from 1 to 36500`,
      );
    }
    const noTenant = await runCliProcess(['tenants', 'update', NO_SUCH_ID, '--retention-days', '30'], env);
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toContain(`error: No tenant with id ${NO_SUCH_ID}.`);
    // Batches of two: five expired events take three delete transactions.
    const run = await runCliProcess(['maintenance', 'run', '--batch-size', '2', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const of = (tenantId: string) => report.tenants.find((t: { tenantId: string }) => t.tenantId === tenantId);
    expect(of(retained)).toEqual({
      tenantId: retained,
      name: 'Retained',
      retentionDays: 30,
      cutoff: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      removed: { logs: 5, 'monitoring-alerts': 0, 'security-alerts': 0 },
    });
    expect(Date.parse(report.finishedAt) - Date.parse(of(retained).cutoff)).toBeGreaterThanOrEqual(30 * day);
    expect(of(untouched)).toMatchObject({ retentionDays: 400, removed: { logs: 0 } });
    expect(report.removed.logs).toBe(5);

    const key = JSON.parse(
      (await runCliProcess(['keys', 'create', '--tenant', retained, '--name', 'Check', '--json'], env)).stdout,
    );
    const pinged = await ping(key.secret);
    expect(((await pinged.json()) as { data: { retentionDays: number } }).data.retentionDays).toBe(30);

    // Again, as cron would print it: nothing left to remove.
    const again = await runCliProcess(['maintenance', 'run'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^Retention pass over \d+ tenants in \d+ ms: removed logs 0, monitoring-alerts 0, security-alerts 0\.\n/,
    );
    expect(again.stdout).toMatch(
      new RegExp(
        `^${retained} {5}30 days \\(before \\S+\\)  removed logs 0, monitoring-alerts 0, security-alerts 0  Retained$`,
        'm',
      ),
    );
    // Many CLI processes: on a busy CI machine each start takes seconds (a ceiling, not a measure).
  }, 600_000);
});

describe(`pnpm admin and the embedded database it is pointed at (${ENGINE})`, () => {
  let parent: string;
  let dataDir: string;

  beforeAll(() => {
    parent = mkdtempSync(path.join(tmpdir(), '1sec-cli-nodb-'));
    dataDir = path.join(parent, 'data');
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('will not create one for a command that needs data, and says which one it uses', async () => {
    const env = { DATA_DIR: dataDir };
    for (const args of [
      ['tenants', 'list'],
      ['keys', 'create', '--tenant', NO_SUCH_ID, '--name', 'x'],
      ['keys', 'revoke', NO_SUCH_ID],
      ['seed', '--tenant', NO_SUCH_ID],
    ]) {
      const refused = await runCliProcess(args, env);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toBe(
        `error: No database at ${dataDir}: DATA_DIR names no embedded database, and this command does not create one.\n` +
          'Run the CLI with the DATA_DIR (or DATABASE_URL) the server uses; `pnpm start` or `pnpm admin tenants create` creates a new one.\n',
      );
      expect(existsSync(dataDir)).toBe(false);
    }

    const created = await runCliProcess(['tenants', 'create', '--name', 'First'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toBe(`database: embedded, ${dataDir} (new)\n`);
    const listed = await runCliProcess(['tenants', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe(`database: embedded, ${dataDir}\n`);
    expect(listed.stdout).toMatch(/ 0 active \/ 0 keys +First\n$/);
  });
});

/**
 * What every command does when the database cannot be reached, and that a bad value is a usage
 * error (exit 2, naming the option and the value) found before the database is even opened.
 * Nothing listens on port 1, so both hold on either engine.
 */
describe(`pnpm admin with the database down (${ENGINE})`, () => {
  const DOWN = 'postgres://postgres@127.0.0.1:1/down';
  const env = { DATABASE_URL: DOWN };
  const T = NO_SUCH_ID;
  const W = '01J2Z3K4M5N6P7Q8R9S0T1V2W3';

  it('every command exits 1 with one line saying the database cannot be reached: no stack, no hang', async () => {
    for (const args of [
      ['tenants', 'create', '--name', 'X'],
      ['tenants', 'list'],
      ['tenants', 'update', T, '--retention-days', '30'],
      ['keys', 'create', '--tenant', T, '--name', 'k'],
      ['keys', 'list', '--tenant', T],
      ['keys', 'revoke', T],
      ['users', 'create', '--tenant', T, '--email', 'a@example.com', '--role', 'admin'],
      ['users', 'list', '--tenant', T],
      ['users', 'disable', T],
      ['users', 'reset-password', T],
      ['ingest', '--tenant', T, '--type', 'logs', '-'],
      ['seed', '--tenant', T],
      ['maintenance', 'run'],
      ['webhooks', 'create', '--tenant', T, '--url', 'https://hooks.example.com/1', '--resources', 'logs'],
      ['webhooks', 'list', '--tenant', T],
      ['webhooks', 'disable', W],
      ['webhooks', 'enable', W],
      ['webhooks', 'rotate-secret', W],
      ['webhooks', 'replay', W, '--from', '2026-01-01T00:00:00Z'],
    ]) {
      const started = Date.now();
      const down = await runCliProcess(args, env, '{}\n');
      expect(down.code, args.join(' ')).toBe(1);
      expect(down.stdout).toBe('');
      expect(down.stderr, args.join(' ')).toBe(
        `database: ${DOWN}\nerror: cannot reach the database: connect ECONNREFUSED 127.0.0.1:1\n`,
      );
      // A refused connection is known at once; the pool's connect timeout is 3 s.
      expect(Date.now() - started, args.join(' ')).toBeLessThan(60_000);
    }
  }, 600_000);

  it('a bad value exits 2 naming the option and the value, whatever the database', async () => {
    const hook = ['webhooks', 'create', '--tenant', T, '--url', 'https://hooks.example.com/1'];
    for (const [args, message] of [
      [
        [...hook, '--resources', 'bogus'],
        `option '--resources <RESOURCES>' argument 'bogus' is invalid. "bogus" is not a resource`,
      ],
      [
        ['webhooks', 'create', '--tenant', T, '--url', 'ftp://hooks.example.com/1', '--resources', 'logs'],
        '--url "ftp://hooks.example.com/1": must use https://',
      ],
      [
        ['webhooks', 'create', '--tenant', T, '--url', 'hooks', '--resources', 'logs'],
        '--url "hooks": must be an absolute URL',
      ],
      [
        [...hook, '--resources', 'logs', '--filter', 'logs:colour=red'],
        "argument 'logs:colour=red' is invalid. logs:colour is not a filter of logs",
      ],
      [
        [...hook, '--resources', 'security-alerts', '--filter', 'security-alerts:severity=urgent'],
        `argument 'security-alerts:severity=urgent' is invalid. security-alerts:severity unknown value "urgent"`,
      ],
      [
        [...hook, '--resources', 'logs', '--start-from', 'yesterday'],
        "option '--start-from <now|ISO>' argument 'yesterday' is invalid. must be an ISO 8601 time",
      ],
      [
        [...hook, '--resources', 'logs', '--description', 'x'.repeat(501)],
        'is invalid. must be text of at most 500 characters',
      ],
      [
        ['webhooks', 'replay', W, '--from', '2026-13-01'],
        "option '--from <ISO>' argument '2026-13-01' is invalid. must be an ISO 8601 time",
      ],
      [
        ['tenants', 'update', T, '--retention-days', '0'],
        "option '--retention-days <N>' argument '0' is invalid. 0 is not a retention period",
      ],
      [
        ['keys', 'create', '--tenant', T, '--name', 'k', '--rate-limit', '0'],
        "option '--rate-limit <N>' argument '0' is invalid.",
      ],
      [
        ['users', 'create', '--tenant', T, '--email', 'nobody', '--role', 'admin'],
        `option '--email <EMAIL>' argument 'nobody' is invalid. "nobody" is not an email address`,
      ],
      [
        ['ingest', '--tenant', T, '--type', 'logs', '--format', 'graph', '-'],
        'error: --format graph does not apply to --type logs',
      ],
      [['seed', '--tenant', T, '--logs', '-1'], "option '--logs <N>' argument '-1' is invalid."],
      [
        ['maintenance', 'run', '--batch-size', '0'],
        "option '--batch-size <N>' argument '0' is invalid. 0 is not a batch size",
      ],
    ] as Array<[string[], string]>) {
      const refused = await runCliProcess(args, env);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toContain(message);
      expect(refused.stderr, args.join(' ')).not.toContain('database:');
      expect(refused.stderr, args.join(' ')).not.toMatch(/^\s+at /m);
    }
  }, 600_000);
});
