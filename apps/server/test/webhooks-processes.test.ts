import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import { ENGINE, createTestDatabase, type TestDatabase } from './support/test-database';
import { cli, logLines, logsFeed, WEBHOOK_TEST_ENV } from './support/webhook-processes';
import { WebhookReceiver, waitFor } from './support/webhook-receiver';

/**
 * The built server in its own process (`node dist/main.js`) delivering to a receiver on
 * loopback, managed with `pnpm admin webhooks …`, on both engines; killed with SIGKILL in the
 * middle of a delivery and started again.
 */
describe(`webhooks through the operator CLI and a server process (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  let receiver: WebhookReceiver;
  let tenantId: string;
  let apiKey: string;
  let webhookId: string;
  const startedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-webhooks-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      env = { DATABASE_URL: database.url!, ...WEBHOOK_TEST_ENV };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false', ...WEBHOOK_TEST_ENV };
    }
    server = await spawnServer(env);
    receiver = await WebhookReceiver.start();
    tenantId = JSON.parse(await cli(['tenants', 'create', '--name', 'Contoso', '--json'], env)).tenantId;
    apiKey = JSON.parse(
      await cli(['keys', 'create', '--tenant', tenantId, '--name', 'feed reader', '--json'], env),
    ).secret;
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Everything the tenant's logs feed has, and the receiver got every one, in order, once per webhook-id. */
  async function expectEverythingDelivered(): Promise<void> {
    let feed: string[] = [];
    await waitFor(async () => {
      feed = (await logsFeed(server.url, apiKey)).map((item) => item.id);
      return receiver.itemIds().length >= feed.length;
    }, 'the receiver to catch up with the feed');
    expect(receiver.itemIds()).toEqual(feed);
    expect(receiver.verifyFailures).toEqual([]);
  }

  it(
    'create refuses what it must, with messages naming the value; --json has exactly the documented keys',
    { timeout: 400_000 },
    async () => {
      const strict = { ...env, WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' };
      const base = ['webhooks', 'create', '--tenant', tenantId, '--resources', 'logs'];
      const http = await runCliProcess([...base, '--url', receiver.url], strict);
      expect(http.code).toBe(2);
      expect(http.stderr).toContain(
        `--url ${JSON.stringify(receiver.url)}: must use https:// (http:// is accepted only with WEBHOOK_ALLOW_HTTP=true)`,
      );
      const loopback = await runCliProcess([...base, '--url', 'https://127.0.0.1:8443/hook'], strict);
      expect(loopback.code).toBe(2);
      expect(loopback.stderr).toContain(
        '--url "https://127.0.0.1:8443/hook": address 127.0.0.1, which is not a public address (loopback)',
      );
      const filter = await runCliProcess(
        [...base.slice(0, -1), 'security-alerts', '--url', receiver.url, '--filter', 'security-alerts:severity=urgent'],
        env,
      );
      expect(filter.code).toBe(2);
      expect(filter.stderr).toContain(
        "option '--filter <resource:param=values>' argument 'security-alerts:severity=urgent' is invalid. security-alerts:severity ",
      );
      // A filter for a resource the endpoint does not deliver: refused by the service, exit 2 too.
      const foreign = await runCliProcess(
        [...base, '--url', receiver.url, '--filter', 'security-alerts:severity=high'],
        env,
      );
      expect(foreign.code).toBe(2);
      expect(foreign.stderr).toContain(
        "--filter security-alerts: security-alerts is not one of the endpoint's resources",
      );
      const batch = await runCliProcess([...base, '--url', receiver.url, '--batch-size', '101'], env);
      expect(batch.code).toBe(2);
      expect(batch.stderr).toMatch(/"101" is not a batch size/);

      const created = JSON.parse(
        await cli([...base, '--url', receiver.url, '--start-from', startedAt, '--batch-size', '1', '--json'], env),
      );
      expect(Object.keys(created).sort()).toEqual([
        'batchSize',
        'resources',
        'secret',
        'status',
        'tenantId',
        'url',
        'webhookId',
      ]);
      expect(created).toMatchObject({
        tenantId,
        url: receiver.url,
        resources: ['logs'],
        batchSize: 1,
        status: 'enabled',
      });
      expect(created.secret).toMatch(/^whsec_/);
      webhookId = created.webhookId;
      receiver.secrets = [created.secret];

      const listed = JSON.parse(await cli(['webhooks', 'list', '--tenant', tenantId, '--json'], env));
      expect(listed).toEqual([
        expect.objectContaining({ webhookId, status: 'enabled', createdBy: 'cli', startFrom: startedAt }),
      ]);
      expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
      await expectEverythingDelivered();
    },
  );

  it(
    'SIGKILL in the middle of deliveries, then a restart: nothing is lost, order is kept',
    { timeout: 400_000 },
    async () => {
      receiver.delayMs = 80;
      const ingest = await runCliProcess(
        ['ingest', '--tenant', tenantId, '--type', 'logs', '--batch-size', '5', '-'],
        env,
        logLines(40, 'kill'),
      );
      expect(ingest.code, ingest.stderr).toBe(0);
      const before = receiver.accepted.length;
      await waitFor(() => receiver.accepted.length >= before + 5, 'deliveries under way');
      await server.stop('SIGKILL');
      const atKill = receiver.itemIds().length;
      server = await spawnServer(env);
      await expectEverythingDelivered();
      expect(receiver.itemIds().length).toBeGreaterThan(atKill);
      receiver.delayMs = 0;
    },
  );

  it('disable stops delivery, enable resumes with nothing skipped', { timeout: 400_000 }, async () => {
    expect(await cli(['webhooks', 'disable', webhookId], env)).toMatch(/is disabled/);
    const disabledAt = receiver.requests.length;
    expect(
      (await runCliProcess(['ingest', '--tenant', tenantId, '--type', 'logs', '-'], env, logLines(3, 'paused'))).code,
    ).toBe(0);
    await sleep(1_000);
    expect(receiver.requests.length).toBe(disabledAt);
    expect(JSON.parse(await cli(['webhooks', 'list', '--tenant', tenantId, '--json'], env))[0]).toMatchObject({
      status: 'disabled',
      disabledReason: 'manual',
    });
    expect(await cli(['webhooks', 'enable', webhookId], env)).toMatch(/is enabled/);
    await expectEverythingDelivered();
  });

  // Each `pnpm admin` call starts a process: on a busy machine this test takes minutes.
  it('rotate-secret and replay; every change audited; bad values named', { timeout: 400_000 }, async () => {
    const rotated = JSON.parse(await cli(['webhooks', 'rotate-secret', webhookId, '--json'], env));
    expect(Object.keys(rotated).sort()).toEqual(['previousSecretExpiresAt', 'secret', 'tenantId', 'webhookId']);
    receiver.secrets = [rotated.secret]; // the new secret alone verifies from now on
    await expectEverythingDelivered();

    const firstIds = receiver.unique().map((m) => m.id);
    const count = receiver.accepted.length;
    expect(await cli(['webhooks', 'replay', webhookId, '--from', startedAt], env)).toMatch(/replays from/);
    // The same spans of the feed, the same webhook-ids: a de-duplicating receiver sees nothing
    // twice. (Changes committed meanwhile, e.g. the audit events of these commands, come too.)
    const replayed = () => receiver.accepted.slice(count).filter((m) => firstIds.includes(m.id));
    await waitFor(() => replayed().length >= firstIds.length, 'the replay');
    expect(replayed().map((m) => m.id)).toEqual(firstIds);
    await expectEverythingDelivered();

    const audit = (await logsFeed(server.url, apiKey)).filter((item) => item.resourceType === 'webhook');
    expect(audit.map((item) => [item.action, item.actorName])).toEqual([
      ['WebhookCreated', 'cli'],
      ['WebhookDisabled', 'cli'],
      ['WebhookEnabled', 'cli'],
      ['WebhookSecretRotated', 'cli'],
      ['WebhookReplayed', 'cli'],
    ]);
    // A bad value is a usage error (2), named before the database is opened.
    const bad = await runCliProcess(['webhooks', 'replay', webhookId, '--from', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'--from <ISO>' argument 'yesterday' is invalid. must be an ISO 8601 time/);
    const unknown = await runCliProcess(['webhooks', 'enable', '01J2Z3K4M5N6P7Q8R9S0T1V2W3'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No webhook endpoint with id 01J2Z3K4M5N6P7Q8R9S0T1V2W3/);
  });
});
