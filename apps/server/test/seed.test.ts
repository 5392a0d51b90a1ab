import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ACTOR_TYPES,
  LogEventSchema,
  MONITORING_ALERT_STATUSES,
  MonitoringAlertSchema,
  SECURITY_ALERT_CLASSIFICATIONS,
  SECURITY_ALERT_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
  SecurityAlertDetailSchema,
  contract,
  type LogEvent,
  type MonitoringAlert,
  type SecurityAlert,
  type SecurityAlertDetail,
} from '@1security/contract';
import { initClient } from '@ts-rest/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/program';
import { MITRE_TACTICS } from '../src/seed/security-alerts.catalog';
import { seedTenantData } from '../src/seed/seed-tenant-data';
import { createTenant } from '../src/tenants/tenants.repository';
import { expectMatchesOpenApi } from './support/openapi-validator';
import { DashboardCaller, PASSWORD } from './support/dashboard-session';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const DAY = 86_400_000;

/** The typed client, as a customer would use it, against a server running as its own process. */
function apiClient(server: ServerProcess, secret: string) {
  return initClient(contract, {
    baseUrl: server.url,
    baseHeaders: { authorization: `Bearer ${secret}` },
    throwOnUnknownStatus: false,
  });
}
type Client = ReturnType<typeof apiClient>;

/**
 * Follows nextCursor to the end with the largest page. Pages are checked against the OpenAPI
 * document, except where `openApi` is false (see allMonitoringAlerts).
 */
async function walk<T>(
  route: string,
  fetchPage: (cursor: string | undefined) => Promise<{ status: number; body: unknown }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await fetchPage(cursor);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectMatchesOpenApi(route, 200, res.body);
    const body = res.body as { data: T[]; pagination: { nextCursor: string | null; hasMore: boolean } };
    items.push(...body.data);
    if (!body.pagination.hasMore) return items;
    cursor = body.pagination.nextCursor ?? undefined;
  }
  throw new Error('pagination did not end');
}

const allLogs = (client: Client) =>
  walk<LogEvent>('/logs', (cursor) => client.logs.listLogs({ query: { limit: '1000', cursor } }));
const allMonitoringAlerts = (client: Client) =>
  walk<MonitoringAlert>('/monitoring-alerts', (cursor) =>
    client.monitoringAlerts.listMonitoringAlerts({ query: { limit: '1000', cursor } }),
  );
const allSecurityAlerts = (client: Client) =>
  walk<SecurityAlert>('/security-alerts', (cursor) =>
    client.securityAlerts.listSecurityAlerts({ query: { limit: '1000', cursor } }),
  );

const distinct = <T>(items: T[], of: (item: T) => unknown) => new Set(items.map(of));

/** The evidence entries of a Graph alert of one `@odata.type` (without its namespace). */
function evidenceOf(alert: SecurityAlertDetail, type: string): Array<Record<string, unknown>> {
  const evidence = alert.rawData.evidence as Array<Record<string, unknown>>;
  return evidence.filter((e) => e['@odata.type'] === `#microsoft.graph.security.${type}`);
}

describe(`pnpm admin seed (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  let tenant: { tenantId: string; secret: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-seed-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      env = { DATABASE_URL: database.url, RATE_LIMIT_PER_MINUTE: '100000' };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false', RATE_LIMIT_PER_MINUTE: '100000' };
    }
    server = await spawnServer(env);
    tenant = await tenantWithKey();
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function tenantWithKey(): Promise<{ tenantId: string; secret: string }> {
    const tenant = await runCliProcess(['tenants', 'create', '--name', 'Seeded', '--json'], env);
    expect(tenant.code, tenant.stderr).toBe(0);
    const { tenantId } = JSON.parse(tenant.stdout) as { tenantId: string };
    const key = await runCliProcess(['keys', 'create', '--tenant', tenantId, '--name', 'seed test', '--json'], env);
    expect(key.code, key.stderr).toBe(0);
    return { tenantId, secret: (JSON.parse(key.stdout) as { secret: string }).secret };
  }

  it('creates exactly the requested rows, visible through the API, valid per the contract and realistically spread', async () => {
    const { tenantId, secret } = tenant;
    const started = Date.now();
    const seeded = await runCliProcess(
      [
        'seed',
        '--tenant',
        tenantId,
        '--logs',
        '1200',
        '--monitoring-alerts',
        '80',
        '--security-alerts',
        '80',
        '--seed',
        '7',
        '--json',
      ],
      env,
    );
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(JSON.parse(seeded.stdout)).toEqual({
      tenantId,
      seed: 7,
      logs: 1200,
      monitoringAlerts: 80,
      securityAlerts: 80,
      elapsedMs: expect.any(Number),
    });
    // Not a terminal: plain progress lines, one per finished resource at least.
    expect(seeded.stderr).toContain('seed: logs 1,200 / 1,200 (100%)');
    expect(seeded.stderr).toContain('seed: monitoring alerts 80 / 80 (100%)');
    expect(seeded.stderr).toContain('seed: security alerts 80 / 80 (100%)');
    expect(seeded.stderr).not.toContain('\r');

    const client = apiClient(server, secret);

    // Audit logs: the seeded ones, beside the audit event of the key this test minted.
    const everything = await allLogs(client);
    expect(everything.filter((l) => l.workload === '1Security').map((l) => l.action)).toEqual(['ApiKeyCreated']);
    const logs = everything.filter((l) => l.workload !== '1Security');
    expect(logs).toHaveLength(1200);
    expect(distinct(logs, (l) => l.id).size).toBe(1200);
    for (const log of logs) {
      LogEventSchema.parse(log);
      expect(log.id).toMatch(ULID);
      expect(SEVERITIES).toContain(log.severity);
      expect(ACTOR_TYPES).toContain(log.actorType);
      const occurred = Date.parse(log.occurredAt);
      const discovered = Date.parse(log.discoveredAt);
      expect(occurred % 1000, 'audit records carry whole seconds').toBe(0);
      expect(discovered - occurred).toBeGreaterThanOrEqual(0);
      expect(discovered - occurred).toBeLessThanOrEqual(21 * 60_000);
      expect(discovered).toBeGreaterThan(started - 31 * DAY);
      expect(discovered).toBeLessThanOrEqual(Date.now());
      if (log.actorIp !== null) expect(log.actorIp).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    }
    const workloads = distinct(logs, (l) => l.workload);
    for (const workload of ['SharePoint', 'OneDrive', 'Exchange', 'AzureActiveDirectory', 'MicrosoftTeams'])
      expect(workloads).toContain(workload);
    expect(distinct(logs, (l) => l.action).size).toBeGreaterThanOrEqual(25);
    expect(distinct(logs, (l) => l.severity).size).toBeGreaterThanOrEqual(3);
    expect(
      logs.filter((l) => l.severity === 'informational' || l.severity === 'low').length / logs.length,
    ).toBeGreaterThan(0.8);
    expect(distinct(logs, (l) => l.actorType).size).toBeGreaterThanOrEqual(4);
    expect(logs.some((l) => l.actorType === 'guest' && l.actorName.includes('#EXT#'))).toBe(true);
    expect(logs.some((l) => l.actorName.endsWith('@contoso.com'))).toBe(true);
    const times = logs.map((l) => Date.parse(l.discoveredAt));
    expect(Math.max(...times) - Math.min(...times), 'spread over the last 30 days').toBeGreaterThan(25 * DAY);

    // Monitoring alerts.
    const monitoring = await allMonitoringAlerts(client);
    expect(monitoring).toHaveLength(80);
    for (const alert of monitoring) {
      MonitoringAlertSchema.parse(alert);
      expect(MONITORING_ALERT_STATUSES).toContain(alert.status);
      expect(alert.isResolved).toBe(alert.status === 'resolved');
      expect(alert.resolvedAt !== null).toBe(alert.status === 'resolved');
      if (alert.status === 'snoozed') expect(alert.snoozedAt).not.toBeNull();
      const created = Date.parse(alert.createdAt);
      const updated = Date.parse(alert.updatedAt);
      expect(updated).toBeGreaterThanOrEqual(created);
      for (const time of [alert.resolvedAt, alert.snoozedAt]) {
        if (time !== null) expect(Date.parse(time)).toBeGreaterThanOrEqual(created);
        if (time !== null) expect(Date.parse(time)).toBeLessThanOrEqual(updated);
      }
      expect(alert.resources.length).toBeGreaterThan(0);
      expect(alert.createdFrom.policyName).not.toBe('');
      if (alert.assignedUser) expect(alert.assignedUser.email).toMatch(/@contoso\.com$/);
    }
    expect(distinct(monitoring, (a) => a.status)).toEqual(new Set(MONITORING_ALERT_STATUSES));
    expect(distinct(monitoring, (a) => a.severity).size).toBeGreaterThanOrEqual(3);
    expect(distinct(monitoring, (a) => a.createdFrom.policyName).size).toBeGreaterThanOrEqual(8);

    // Security alerts: the list, then every alert's detail with its Graph payload.
    const security = await allSecurityAlerts(client);
    expect(security).toHaveLength(80);
    const details: SecurityAlertDetail[] = [];
    for (const item of security) {
      const res = await client.securityAlerts.getSecurityAlert({ params: { id: item.id } });
      expect(res.status).toBe(200);
      expectMatchesOpenApi('/security-alerts/{id}', 200, res.body);
      details.push(SecurityAlertDetailSchema.parse((res.body as { data: unknown }).data));
    }
    for (const alert of details) {
      expect(SECURITY_ALERT_STATUSES).toContain(alert.status);
      expect(SERVICE_SOURCES).toContain(alert.serviceSource);
      expect(MITRE_TACTICS).toContain(alert.category);
      expect(alert.isResolved).toBe(alert.status === 'resolved');
      if (alert.classification !== null) expect(SECURITY_ALERT_CLASSIFICATIONS).toContain(alert.classification);
      if (alert.status === 'new') expect(alert.classification).toBeNull();
      if (alert.status === 'resolved') expect(alert.classification).not.toBeNull();
      expect(alert.recommendedActions).not.toBe('');

      // The item agrees with the provider payload…
      const raw = alert.rawData;
      expect(raw).toMatchObject({
        title: alert.title,
        status: alert.status,
        severity: alert.severity,
        classification: alert.classification,
        category: alert.category,
        serviceSource: alert.serviceSource,
        recommendedActions: alert.recommendedActions,
      });
      expect(alert.mitreTechniques).toEqual(raw.mitreTechniques);
      expect(alert.mitreTechniques.length).toBeGreaterThan(0);
      expect(raw.resolvedDateTime !== null).toBe(alert.status === 'resolved');
      expect(Date.parse(raw.lastUpdateDateTime as string)).toBe(Date.parse(alert.updatedAt));
      // …and its users, emails, apps and groups are the ones the evidence names.
      const evidenceUpns = new Set(
        [...evidenceOf(alert, 'userEvidence'), ...evidenceOf(alert, 'mailboxEvidence')].map(
          (e) => (e.userAccount as { userPrincipalName: string }).userPrincipalName,
        ),
      );
      expect(new Set(alert.users.map((u) => u.userPrincipalName))).toEqual(evidenceUpns);
      expect(alert.emails.map((e) => e.networkMessageId).sort()).toEqual(
        evidenceOf(alert, 'analyzedMessageEvidence')
          .map((e) => e.networkMessageId as string)
          .sort(),
      );
      for (const app of evidenceOf(alert, 'oauthApplicationEvidence')) {
        expect(alert.apps).toContainEqual({ appId: app.appId, displayName: app.displayName });
      }
      expect(alert.groups.map((g) => g.id)).toEqual(
        evidenceOf(alert, 'securityGroupEvidence').map((e) => e.securityGroupId),
      );
    }
    expect(distinct(details, (a) => a.status)).toEqual(new Set(SECURITY_ALERT_STATUSES));
    expect(distinct(details, (a) => a.serviceSource).size).toBeGreaterThanOrEqual(6);
    expect(distinct(details, (a) => a.category).size).toBeGreaterThanOrEqual(8);
    expect(distinct(details, (a) => a.severity).size).toBeGreaterThanOrEqual(3);
    const evidenceTypes = distinct(
      details.flatMap((a) => a.rawData.evidence as Array<Record<string, unknown>>),
      (e) => e['@odata.type'],
    );
    for (const type of ['userEvidence', 'mailboxEvidence', 'analyzedMessageEvidence', 'oauthApplicationEvidence']) {
      expect(evidenceTypes).toContain(`#microsoft.graph.security.${type}`);
    }
    expect(details.some((a) => a.emails.length > 0)).toBe(true);
    expect(details.some((a) => a.apps.length > 0)).toBe(true);
  });

  it('prints a readable summary without --json', async () => {
    // The same tenant as above: seeding adds to what is there.
    const { tenantId } = tenant;
    const seeded = await runCliProcess(
      ['seed', '--tenant', tenantId, '--logs', '50', '--monitoring-alerts', '0', '--security-alerts', '3'],
      env,
    );
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stdout).toMatch(new RegExp(`^Seeded tenant ${tenantId} in \\d+\\.\\d s \\(seed \\d+\\):\\n`));
    expect(seeded.stdout).toMatch(/ {2}logs +50 {2}[\d,]+ rows\/s\n/);
    expect(seeded.stdout).toMatch(/ {2}monitoring alerts +0\n/);
    expect(seeded.stdout).toMatch(/ {2}security alerts +3 {2}[\d,]+ rows\/s\n/);
  });

  it('rejects an unknown tenant (exit 1) and bad numbers (exit 2) with a clear message', async () => {
    const unknown = await runCliProcess(['seed', '--tenant', '00000000000000000000000000', '--logs', '5'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: No tenant with id 00000000000000000000000000.');
    const bad = await runCliProcess(['seed', '--tenant', '00000000000000000000000000', '--logs', 'many'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "option '--logs <N>' argument 'many' is invalid. must be a whole number from 0 to 10000000",
    );
  });

  // Argument errors are found before the database is opened: checked in-process, quickly.
  it.each([
    [['--logs', '-5'], "option '--logs <N>' argument '-5' is invalid. must be a whole number from 0 to 10000000"],
    [['--monitoring-alerts', '1.5'], 'must be a whole number from 0 to 10000000'],
    [['--security-alerts', '10000001'], 'must be a whole number from 0 to 10000000'],
    [['--seed', 'abc'], 'must be a whole number from 0 to 4294967295'],
    [['--logs', '5', '--tenant'], "option '--tenant <TENANT_ID>' argument missing"],
  ])('exits 2 on %j', async (args, message) => {
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      expect(await runCli(['seed', '--tenant', '00000000000000000000000000', ...args])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain(message);
  });

  it('requires --tenant', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['seed', '--logs', '5'])).toBe(2);
      expect(spy.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain(
        "required option '--tenant <TENANT_ID>' not specified",
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe(`seedTenantData determinism (${ENGINE})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  /** Every stored row of a tenant, by source id, without the tenant and changes-feed columns. */
  async function snapshot(tenantId: string) {
    const rows = async (table: 'log_events' | 'monitoring_alerts' | 'security_alerts') => {
      const result = await sql<
        Record<string, unknown>
      >`select * from ${sql.table(table)} where tenant_id = ${tenantId} order by source_id`.execute(database.db);
      // Policy ids are per tenant by design (a tenant has each monitoring policy once), whatever the seed.
      return result.rows.map(({ tenant_id: _tenant, txid: _txid, seq: _seq, ...row }) =>
        row.created_from
          ? { ...row, created_from: { policyName: (row.created_from as { policyName: string }).policyName } }
          : row,
      );
    };
    return {
      logs: await rows('log_events'),
      monitoring: await rows('monitoring_alerts'),
      security: await rows('security_alerts'),
    };
  }

  const counts = { logs: 300, monitoringAlerts: 30, securityAlerts: 30 };
  const TIME_COLUMNS = [
    'id',
    'occurred_at',
    'discovered_at',
    'created_at',
    'updated_at',
    'last_scan',
    'resolved_at',
    'snoozed_at',
    'first_activity_at',
    'raw_data',
  ];
  const withoutTimes = (rows: Array<Record<string, unknown>>) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !TIME_COLUMNS.includes(column))));

  it('gives the same rows for the same seed and time, the same records (other times) for another time, other rows for another seed', async () => {
    const now = new Date('2026-06-05T12:00:00.000Z');
    const tenants = await Promise.all([1, 2, 3, 4].map((n) => createTenant(database.db, `Determinism ${n}`)));
    const [a, b, c, d] = tenants.map((t) => t.id) as [string, string, string, string];
    const results = [
      await seedTenantData(database.db, a, { ...counts, seed: 42, now }),
      await seedTenantData(database.db, b, { ...counts, seed: 42, now }),
      await seedTenantData(database.db, c, { ...counts, seed: 42, now: new Date(now.getTime() + 3 * DAY + 12_345) }),
      await seedTenantData(database.db, d, { ...counts, seed: 43, now }),
    ];
    for (const result of results) expect(result.inserted).toEqual(counts);

    const [first, same, later, other] = await Promise.all([a, b, c, d].map(snapshot));
    expect(first!.logs).toHaveLength(300);
    expect(same).toEqual(first);
    expect(withoutTimes(later!.logs)).toEqual(withoutTimes(first!.logs));
    expect(withoutTimes(later!.monitoring)).toEqual(withoutTimes(first!.monitoring));
    expect(withoutTimes(later!.security)).toEqual(withoutTimes(first!.security));
    expect(later!.logs.map((r) => r.discovered_at)).not.toEqual(first!.logs.map((r) => r.discovered_at));
    expect(other!.logs.map((r) => r.source_id)).not.toEqual(first!.logs.map((r) => r.source_id));
    expect(withoutTimes(other!.security)).not.toEqual(withoutTimes(first!.security));
  });

  it('keeps every time inside the 30 days before `now`, discovery after occurrence, alerts updated after creation', async () => {
    const now = new Date('2026-06-05T12:00:00.000Z');
    const tenant = await createTenant(database.db, 'Window');
    await seedTenantData(database.db, tenant.id, {
      logs: 2_000,
      monitoringAlerts: 100,
      securityAlerts: 100,
      seed: 5,
      now,
    });
    const { logs, monitoring, security } = await snapshot(tenant.id);
    const start = now.getTime() - 30 * DAY;
    for (const row of logs) {
      const occurred = (row.occurred_at as Date).getTime();
      const discovered = (row.discovered_at as Date).getTime();
      expect(occurred).toBeGreaterThanOrEqual(start);
      expect(discovered).toBeGreaterThanOrEqual(occurred);
      expect(discovered).toBeLessThanOrEqual(now.getTime());
    }
    for (const row of [...monitoring, ...security]) {
      const created = (row.created_at as Date).getTime();
      const updated = (row.updated_at as Date).getTime();
      expect(created).toBeGreaterThanOrEqual(start);
      expect(updated).toBeGreaterThanOrEqual(created);
      expect(updated).toBeLessThanOrEqual(now.getTime());
    }
    // Many distinct change times, not a pile-up at `now` for young alerts.
    expect(new Set([...monitoring, ...security].map((r) => (r.updated_at as Date).getTime())).size).toBeGreaterThan(
      190,
    );
  });
});

// The demo tenant lives only in the embedded database, whichever engine this run is for.
if (ENGINE === 'pglite') {
  describe('first start of an empty embedded database', () => {
    let dataDir: string;
    let server: ServerProcess | undefined;
    beforeAll(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), '1sec-demo-'));
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('fills the demo tenant with realistic data and prints its key', async () => {
      server = await spawnServer({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '100000' });
      const output = server.output();
      expect(output).toContain(
        'It holds 5,000 audit events, 150 monitoring alerts and 120 security alerts from the last 30 days.',
      );
      const secret = /secret {2}(1sec_live_[A-Za-z0-9_-]+)/.exec(output)?.[1];
      expect(secret).toBeDefined();
      const client = apiClient(server, secret!);
      const logs = await allLogs(client);
      // The seeded events, and the audit events of the demo's own creation.
      expect(logs.filter((e) => e.workload !== '1Security')).toHaveLength(5_000);
      expect(
        logs
          .filter((e) => e.workload === '1Security')
          .map((e) => `${e.action} ${e.actorType} ${e.actorName}`)
          .sort(),
      ).toEqual(['ApiKeyCreated system cli', 'UserCreated system cli']);
      expect(await allMonitoringAlerts(client)).toHaveLength(150);
      const security = await allSecurityAlerts(client);
      expect(security).toHaveLength(120);
      expect(distinct(security, (a) => a.serviceSource).size).toBeGreaterThanOrEqual(8);
    });

    it('prints the dashboard URL and a one-time set-password link for the demo admin', async () => {
      const output = server!.output();
      // PORT=0 here: the links name the configured port, as an operator configured it.
      expect(output).toMatch(/then sign in at http:\/\/localhost:\d+\/dashboard\//);
      const link = /(http:\/\/\S+\/dashboard\/set-password#token=([A-Za-z0-9_-]+))/.exec(output);
      expect(link, output).not.toBeNull();
      const origin = server!.url;
      const caller = new DashboardCaller(origin);
      expect((await caller.call('POST', '/password', { token: link![2], newPassword: PASSWORD })).status).toBe(204);
      const signedIn = await caller.signIn('admin@contoso.example');
      expect(signedIn.status, signedIn.text).toBe(200);
      expect(signedIn.json.data).toMatchObject({ role: 'admin', tenantName: 'Contoso (demo)' });
      const keys = await caller.call('GET', '/api-keys');
      expect(keys.json.data).toEqual([
        expect.objectContaining({ name: 'Demo key', createdBy: 'cli', status: 'active' }),
      ]);
    });
  });
}
