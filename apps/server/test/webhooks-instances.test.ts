import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { cli, logLines, logsFeed, WEBHOOK_TEST_ENV } from './support/webhook-processes';
import { WebhookReceiver, waitFor } from './support/webhook-receiver';

/**
 * Two server processes on one PostgreSQL database (PGlite is one process's: this file runs
 * on PostgreSQL only). Each endpoint has one delivery stream at a time across both, claimed
 * with a lease; order is kept; when one instance is killed the other carries on.
 */
describe('webhooks with two server instances on one database (postgres)', () => {
  let database: TestDatabase;
  let env: Record<string, string | undefined>;
  const servers: ServerProcess[] = [];
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    env = { DATABASE_URL: database.url!, ...WEBHOOK_TEST_ENV, WEBHOOK_WORKERS: '3' };
    servers.push(await spawnServer(env), await spawnServer(env));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(receivers.map((r) => r.close()));
    await database?.close();
  });

  it('never delivers one endpoint from both at once, keeps order, and survives losing one instance', async () => {
    const tenantId = JSON.parse(await cli(['tenants', 'create', '--name', 'Two', '--json'], env)).tenantId;
    const apiKey = JSON.parse(await cli(['keys', 'create', '--tenant', tenantId, '--name', 'r', '--json'], env)).secret;
    const startFrom = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 3; i++) {
      const receiver = await WebhookReceiver.start();
      // Slow answers: two streams of one endpoint would overlap at the receiver.
      receiver.delayMs = 25;
      const created = JSON.parse(
        await cli(
          [
            'webhooks',
            'create',
            '--tenant',
            tenantId,
            '--url',
            receiver.url,
            '--resources',
            'logs',
            '--start-from',
            startFrom,
            '--json',
          ],
          env,
        ),
      );
      receiver.secrets = [created.secret];
      receivers.push(receiver);
    }
    const ingest = await runCliProcess(
      ['ingest', '--tenant', tenantId, '--type', 'logs', '--batch-size', '4', '-'],
      env,
      logLines(60, 'two'),
    );
    expect(ingest.code, ingest.stderr).toBe(0);
    await waitFor(() => receivers.every((r) => r.accepted.length >= 20), 'deliveries under way');
    // One instance dies mid-delivery; the other takes over once its leases expire.
    await servers[0]!.stop('SIGKILL');
    let feed: string[] = [];
    await waitFor(async () => {
      feed = (await logsFeed(servers[1]!.url, apiKey)).map((item) => item.id);
      return receivers.every((r) => r.itemIds().length >= feed.length);
    }, 'every receiver to catch up');
    for (const receiver of receivers) {
      expect(receiver.maxInFlight).toBe(1);
      expect(receiver.itemIds()).toEqual(feed);
      expect(receiver.verifyFailures).toEqual([]);
    }
    const owners = await database.db.selectFrom('webhook_deliveries').select('endpoint_id').distinct().execute();
    expect(owners).toHaveLength(3);
  });
});
